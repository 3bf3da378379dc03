from django.urls import path

from . import views

app_name = "credentials"
urlpatterns = [
    path("", views.credential_list, name="list"),
    path("verify/", views.verify, name="verify"),
    path("jwks.json", views.published_keys, name="jwks"),
    path("<uuid:public_id>/", views.credential_detail, name="detail"),
]
