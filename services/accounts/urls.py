from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("profile/security/", views.security, name="security"),
    path("profile/delete/", views.account_delete_view, name="delete"),
    path("elder-mode/", views.elder_mode, name="elder-mode"),
    path("profile/export/", views.data_export, name="export"),
    path("profile/export/<uuid:public_id>/", views.data_export_status, name="export-status"),
    path("profile/export/<uuid:public_id>/download/", views.data_export_download, name="export-download"),
    # Staff enrol their authenticator app through a one-time link; allauth's set-up page is guarded for them
    # (this pattern comes before allauth's own at the same address).
    path("accounts/staff-enrolment/<str:token>/", views.staff_enrol, name="staff-enrol"),
    path("accounts/2fa/totp/activate/", views.totp_activate),
]
