"""The API for the departments' own systems, under /api/systems/v1/."""

from django.urls import path

from . import apis

app_name = "systems"
urlpatterns = [
    path("applications/<uuid:public_id>/", apis.SystemApplicationApi.as_view(), name="application"),
    path(
        "applications/<uuid:public_id>/actions/", apis.SystemApplicationActionApi.as_view(), name="application-action"
    ),
    path("inbound/<uuid:system>/", apis.SystemInboundApi.as_view(), name="inbound"),
]
