from django.urls import path

from . import views

app_name = "proactive"
urlpatterns = [
    path("", views.entitlement_list, name="list"),
    path("preferences/", views.preferences_view, name="preferences"),
    path("<uuid:public_id>/confirm/", views.entitlement_confirm_view, name="confirm"),
    path("<uuid:public_id>/decline/", views.entitlement_decline_view, name="decline"),
]
