from django.urls import path

from . import apis

app_name = "api"
urlpatterns = [
    path("services/", apis.ServiceListApi.as_view(), name="services"),
    path("applications/", apis.ApplicationListCreateApi.as_view(), name="applications"),
    path("applications/<uuid:public_id>/", apis.ApplicationDetailApi.as_view(), name="application"),
    path("applications/<uuid:public_id>/submit/", apis.ApplicationSubmitApi.as_view(), name="application-submit"),
]
