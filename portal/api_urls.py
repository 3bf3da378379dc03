"""API v1 (/api/v1/): each app's API views, in the order the OpenAPI contract lists them."""

from django.urls import path, re_path

from services.accounts import apis as account_apis
from services.accounts import export_apis
from services.applications.apis import applications as application_apis
from services.applications.apis import casework as casework_apis
from services.applications.apis import documents as application_document_apis
from services.appointments import apis as appointment_apis
from services.catalogue import apis as catalogue_apis
from services.circumstances import apis as circumstance_apis
from services.credentials import apis as credential_apis
from services.documents import apis as document_apis
from services.mandates import apis as mandate_apis
from services.notifications import apis as notification_apis
from services.payments import apis as payment_apis
from services.proactive import apis as proactive_apis
from services.ratings import apis as rating_apis

from . import views

app_name = "api"
urlpatterns = [
    path("services/", catalogue_apis.ServiceListApi.as_view(), name="services"),
    path("services/<slug:slug>/", catalogue_apis.ServiceDetailApi.as_view(), name="service"),
    path(
        "services/<slug:slug>/eligibility/", catalogue_apis.ServiceEligibilityApi.as_view(), name="service-eligibility"
    ),
    path("applications/", application_apis.ApplicationListCreateApi.as_view(), name="applications"),
    path("applications/<uuid:public_id>/", application_apis.ApplicationDetailApi.as_view(), name="application"),
    path(
        "applications/<uuid:public_id>/submit/",
        application_apis.ApplicationSubmitApi.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<uuid:public_id>/withdraw/",
        application_apis.ApplicationWithdrawApi.as_view(),
        name="application-withdraw",
    ),
    path("profile/", account_apis.ProfileApi.as_view(), name="profile"),
    path("devices/", account_apis.DeviceApi.as_view(), name="devices"),
    path("devices/<uuid:public_id>/", account_apis.DeviceDetailApi.as_view(), name="device"),
    path("document-types/", document_apis.DocumentTypeListApi.as_view(), name="document-types"),
    path("documents/", document_apis.DocumentListCreateApi.as_view(), name="documents"),
    path("documents/<uuid:public_id>/file/", document_apis.DocumentFileApi.as_view(), name="document-file"),
    path(
        "applications/<uuid:public_id>/documents/",
        application_document_apis.ApplicationDocumentsApi.as_view(),
        name="application-documents",
    ),
    path("notifications/", notification_apis.NotificationListApi.as_view(), name="notifications"),
    path("notifications/unread-count/", notification_apis.NotificationUnreadCountApi.as_view(), name="unread-count"),
    path("notifications/read-all/", notification_apis.NotificationReadAllApi.as_view(), name="notifications-read-all"),
    path(
        "notifications/<uuid:public_id>/read/",
        notification_apis.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("mandates/", mandate_apis.MandateListApi.as_view(), name="mandates"),
    path("entitlements/", proactive_apis.EntitlementListApi.as_view(), name="entitlements"),
    path(
        "entitlements/preferences/",
        proactive_apis.EntitlementPreferencesApi.as_view(),
        name="entitlement-preferences",
    ),
    path("entitlements/<uuid:public_id>/", proactive_apis.EntitlementDetailApi.as_view(), name="entitlement"),
    path(
        "entitlements/<uuid:public_id>/confirm/",
        proactive_apis.EntitlementConfirmApi.as_view(),
        name="entitlement-confirm",
    ),
    path(
        "entitlements/<uuid:public_id>/decline/",
        proactive_apis.EntitlementDeclineApi.as_view(),
        name="entitlement-decline",
    ),
    path("me/export/", export_apis.DataExportStartApi.as_view(), name="me-exports"),
    path("me/export/<uuid:public_id>/", export_apis.DataExportDetailApi.as_view(), name="me-export"),
    path(
        "me/export/<uuid:public_id>/download/",
        export_apis.DataExportDownloadApi.as_view(),
        name="me-export-download",
    ),
    path(
        "applications/<uuid:public_id>/ratings/",
        rating_apis.ApplicationRatingsApi.as_view(),
        name="application-ratings",
    ),
    path(
        "applications/<uuid:public_id>/information-requests/",
        casework_apis.InformationRequestListApi.as_view(),
        name="information-requests",
    ),
    path(
        "applications/<uuid:public_id>/information-requests/<uuid:request_id>/answer/",
        casework_apis.InformationRequestAnswerApi.as_view(),
        name="information-request-answer",
    ),
    path(
        "applications/<uuid:public_id>/access-log/",
        casework_apis.ApplicationAccessLogApi.as_view(),
        name="application-access-log",
    ),
    path(
        "applications/<uuid:public_id>/decision-letter/",
        casework_apis.ApplicationDecisionLetterApi.as_view(),
        name="application-decision-letter",
    ),
    path("credentials/verify/", credential_apis.CredentialVerifyApi.as_view(), name="credential-verify"),
    path(
        "applications/<uuid:public_id>/payments/",
        payment_apis.ApplicationPaymentsApi.as_view(),
        name="application-payments",
    ),
    path("payments/<uuid:public_id>/", payment_apis.PaymentDetailApi.as_view(), name="payment"),
    path(
        "applications/<uuid:public_id>/appointments/",
        appointment_apis.ApplicationAppointmentsApi.as_view(),
        name="application-appointments",
    ),
    path("appointments/<uuid:public_id>/", appointment_apis.AppointmentDetailApi.as_view(), name="appointment"),
    path(
        "appointments/<uuid:public_id>/confirm/",
        appointment_apis.AppointmentConfirmApi.as_view(),
        name="appointment-confirm",
    ),
    path(
        "appointments/<uuid:public_id>/cancel/",
        appointment_apis.AppointmentCancelApi.as_view(),
        name="appointment-cancel",
    ),
    path("changes/", circumstance_apis.ChangeListApi.as_view(), name="changes"),
    path("changes/<uuid:public_id>/", circumstance_apis.ChangeDetailApi.as_view(), name="change"),
    re_path(r"", views.ApiNotFound.as_view(), name="not-found"),
]
