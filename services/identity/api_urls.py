"""The app's identity sign-in, beside allauth's app API under /api/auth/."""

from django.urls import path

from . import apis

app_name = "identity-api"
urlpatterns = [
    path("providers/", apis.IdentityProviderListApi.as_view(), name="providers"),
    path("<slug:provider_id>/start/", apis.IdentityLoginStartApi.as_view(), name="start"),
    path("<slug:provider_id>/finish/", apis.IdentityLoginFinishApi.as_view(), name="finish"),
]
