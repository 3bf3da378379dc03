from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("<slug:provider_id>/login/", views.identity_login_start, name="login"),
    path("<slug:provider_id>/callback/", views.identity_login_callback, name="callback"),
]
