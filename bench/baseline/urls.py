from django.urls import path

from . import views

urlpatterns = [
    path("json/", views.hello),
    path("items/", views.ItemList.as_view()),
    path("items/create/", views.ItemCreate.as_view()),
]
