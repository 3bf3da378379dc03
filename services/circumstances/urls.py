from django.urls import path

from . import views

app_name = "circumstances"
urlpatterns = [
    path("", views.change_list, name="list"),
    path("report/", views.change_choose, name="choose"),
    path("report/<slug:kind>/", views.change_report_view, name="report"),
    path("<uuid:public_id>/", views.change_detail, name="detail"),
]
