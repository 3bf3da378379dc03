from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.public_statistics_page, name="public"),
    path("city/", views.city_view_page, name="city"),
    path("city/open-data.csv", views.city_open_data, {"extension": "csv"}, name="city-open-data-csv"),
    path("city/open-data.json", views.city_open_data, {"extension": "json"}, name="city-open-data-json"),
]
