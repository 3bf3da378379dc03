from django.urls import path

from . import views

app_name = "appointments"
urlpatterns = [
    path("book/<uuid:application_id>/", views.book, name="book"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/appointment.ics", views.ics, name="ics"),
    path("cancel/<str:token>/", views.cancel_link, name="cancel_link"),
]
