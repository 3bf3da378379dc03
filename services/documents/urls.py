from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("<uuid:public_id>/download/", views.download, name="download"),
]
