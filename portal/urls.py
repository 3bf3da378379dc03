from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from services.api import views as api_views
from services.catalogue import views as catalogue_views

from .health import healthz

urlpatterns = [
    path("", catalogue_views.home, name="home"),
    path("services/", include("services.catalogue.urls")),
    path("applications/", include("services.applications.urls")),
    path("documents/", include("services.documents.urls")),
    path("notifications/", include("services.notifications.urls")),
    path("bundles/", include("services.routing.urls")),
    path("ratings/", include("services.ratings.urls")),
    path("statistics/", include("services.statistics.urls")),
    path("accessibility/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("", include("services.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("services.api.urls")),
    path("api/auth/", include("allauth.headless.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", api_views.redoc, name="api-redoc"),
    path("healthz", healthz, name="healthz"),
]

# Under /api/, an unknown URL and an unexpected error are problem bodies like every other API error.
handler404 = "services.api.views.page_not_found"
handler500 = "services.api.views.server_error"
