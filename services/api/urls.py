from django.urls import path, re_path

from services.documents import apis as document_apis
from services.notifications import apis as notification_apis

from . import apis

app_name = "api"
urlpatterns = [
    path("services/", apis.ServiceListApi.as_view(), name="services"),
    path("services/<slug:slug>/", apis.ServiceDetailApi.as_view(), name="service"),
    path("services/<slug:slug>/eligibility/", apis.ServiceEligibilityApi.as_view(), name="service-eligibility"),
    path("applications/", apis.ApplicationListCreateApi.as_view(), name="applications"),
    path("applications/<uuid:public_id>/", apis.ApplicationDetailApi.as_view(), name="application"),
    path("applications/<uuid:public_id>/submit/", apis.ApplicationSubmitApi.as_view(), name="application-submit"),
    path("document-types/", document_apis.DocumentTypeListApi.as_view(), name="document-types"),
    path("documents/", document_apis.DocumentListCreateApi.as_view(), name="documents"),
    path("documents/<uuid:public_id>/file/", document_apis.DocumentFileApi.as_view(), name="document-file"),
    path(
        "applications/<uuid:public_id>/documents/",
        document_apis.ApplicationDocumentsApi.as_view(),
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
    re_path(r"", apis.NotFoundApi.as_view(), name="not-found"),
]
