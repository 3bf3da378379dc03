from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("start/<uuid:application_id>/", views.start, name="start"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/receipt/", views.receipt, name="receipt"),
    path("notify/<slug:provider>/", views.notify, name="notify"),
]
