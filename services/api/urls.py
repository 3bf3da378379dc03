from django.urls import path, re_path

from . import apis

app_name = "api"
urlpatterns = [
    path("services/", apis.ServiceListApi.as_view(), name="services"),
    path("applications/", apis.ApplicationListCreateApi.as_view(), name="applications"),
    path("applications/<uuid:public_id>/", apis.ApplicationDetailApi.as_view(), name="application"),
    path("applications/<uuid:public_id>/submit/", apis.ApplicationSubmitApi.as_view(), name="application-submit"),
    re_path(r"", apis.NotFoundApi.as_view(), name="not-found"),
]
