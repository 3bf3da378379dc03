from django.urls import path

from . import document_views, views

app_name = "applications"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/<slug:slug>/", views.apply, name="apply"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/steps/<slug:key>/", views.step, name="step"),
    path("<uuid:public_id>/check/", views.check, name="check"),
    path("<uuid:public_id>/submitted/", views.submitted, name="submitted"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/requests/<uuid:request_id>/answer/", views.answer, name="answer"),
    path("<uuid:public_id>/decision-letter/", views.decision_letter, name="decision_letter"),
    path("<uuid:public_id>/access-log/", views.access_log, name="access_log"),
    path("<uuid:public_id>/documents/attach/", document_views.attach_document, name="attach_document"),
    path("<uuid:public_id>/documents/upload/", document_views.upload_document, name="upload_document"),
]
