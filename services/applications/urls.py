from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/<slug:slug>/", views.apply, name="apply"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/steps/<slug:key>/", views.step, name="step"),
    path("<uuid:public_id>/check/", views.check, name="check"),
    path("<uuid:public_id>/submitted/", views.submitted, name="submitted"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
]
