from django.urls import path

from . import views

app_name = "mandates"
urlpatterns = [
    path("", views.mandate_list, name="list"),
    path("grant/", views.mandate_grant_view, name="grant"),
    path("accept/<str:token>/", views.mandate_accept_view, name="accept"),
    path("<uuid:public_id>/revoke/", views.mandate_revoke_view, name="revoke"),
]
