from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularSwaggerSplitView

from services.accounts import apis as account_apis
from services.catalogue import views as catalogue_views
from services.circumstances import apis as circumstance_apis

from . import views
from .health import healthz, livez, readyz
from .metrics import metrics

# The catalogue's pages: its list, and a service's page, which also shows the resident's draft (portal.views).
catalogue_urls = [
    path("", catalogue_views.catalogue, name="list"),
    path("<slug:slug>/", views.service_detail, name="service"),
]

urlpatterns = [
    # First: the API's calls, the most frequent requests, are resolved without trying the pages' patterns (no
    # pattern of a page begins with api/, so the order changes no match).
    path("api/v1/", include("portal.api_urls")),
    path("", views.home, name="home"),
    path("services/", include((catalogue_urls, "catalogue"))),
    path("applications/", include("services.applications.urls")),
    path("documents/", include("services.documents.urls")),
    path("credentials/", include("services.credentials.urls")),
    path("mandates/", include("services.mandates.urls")),
    path("changes/", include("services.circumstances.urls")),
    path("entitlements/", include("services.proactive.urls")),
    path("notifications/", include("services.notifications.urls")),
    path("bundles/", include("services.routing.urls")),
    path("ratings/", include("services.ratings.urls")),
    path("statistics/", include("services.statistics.urls")),
    path("payments/", include("services.payments.urls")),
    path("appointments/", include("services.appointments.urls")),
    path("accessibility/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("", include("services.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("identity/", include("services.identity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/systems/v1/", include("services.integrations.urls")),
    path(
        "api/systems/v1/changes/<uuid:public_id>/acknowledgement/",
        circumstance_apis.SystemChangeAcknowledgementApi.as_view(),
        name="systems-change-acknowledgement",
    ),
    # allauth's page would load Redoc from a CDN, which the CSP blocks: the portal serves its own copy instead.
    path(
        "api/auth/openapi.html",
        views.redoc,
        {"schema": "headless:openapi_json", "title": "django-allauth app API"},
        name="api-auth-redoc",
    ),
    path("api/auth/identity/", include("services.identity.api_urls")),
    # Staff enrol their authenticator app only through their link (before allauth's own pattern at this address).
    path("api/auth/app/v1/account/authenticators/totp", account_apis.app_totp),
    path("api/auth/", include("allauth.headless.urls")),
    path("api/schema/", views.SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", views.redoc, name="api-redoc"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("livez", livez, name="livez"),
    path("metrics", metrics, name="metrics"),
]

# Under /api/, a request that cannot be read, an unknown URL and an unexpected error are problem bodies like every
# other API error.
handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
