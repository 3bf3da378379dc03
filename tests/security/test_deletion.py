"""Deletion deletes: deleting an account deletes its data exports at once (zips and rows) and leaves a build still
waiting or running nothing to keep; the audit log of a queue search holds no resident ID number in clear."""

import pytest
from django.urls import reverse

from services.accounts.actions import account_delete, data_export_build, data_export_start
from services.accounts.models import DataExport
from services.accounts.privacy import _holders, register
from services.audit.models import AuditEntry
from tests.caseworker.conftest import CHANGELIST, logged_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ID_NUMBER = "11010519491231002X"


def _files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_deleting_an_account_deletes_its_ready_export(resident, document_storage, django_capture_on_commit_callbacks):
    """A finished export's zip and row are gone the moment the account is deleted, not when it would expire."""
    with django_capture_on_commit_callbacks(execute=True):
        data_export_start(user=resident)
    assert DataExport.objects.get(user=resident).status == DataExport.Status.READY and _files(document_storage)

    account_delete(user=resident, password=PASSWORD)

    assert not DataExport.objects.filter(user=resident).exists()
    assert _files(document_storage) == []


def test_deleting_an_account_cancels_a_pending_export(resident, document_storage, django_capture_on_commit_callbacks):
    """An export still waiting for its build is cancelled: the build, when it comes, stores nothing."""
    with django_capture_on_commit_callbacks(execute=False):
        export = data_export_start(user=resident)

    account_delete(user=resident, password=PASSWORD)

    assert data_export_build(export_id=export.pk) is None
    assert not DataExport.objects.filter(pk=export.pk).exists() and _files(document_storage) == []


def test_an_export_built_while_its_account_is_deleted_keeps_no_zip(resident, document_storage,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    """A build already running when the account is deleted (here: deleted while the build reads the data) leaves
    no zip behind."""
    with django_capture_on_commit_callbacks(execute=False):
        export = data_export_start(user=resident)

    def delete_the_account_meanwhile(user):
        account_delete(user=user, password=PASSWORD)
        return {}, []

    register(
        app_label="accounts", section="zz-meanwhile", export_for=delete_the_account_meanwhile, erase_for=lambda u: None
    )
    try:
        built = data_export_build(export_id=export.pk)
    finally:
        _holders.pop("zz-meanwhile")

    assert built is None
    assert not DataExport.objects.filter(pk=export.pk).exists() and _files(document_storage) == []


def test_the_audit_log_of_a_queue_search_holds_no_id_number(health_caseworker):
    """A caseworker's search by resident ID number is logged as the number's fingerprint; an administrator searching
    the log for that number still finds it."""
    logged_in(health_caseworker).get(CHANGELIST, {"q": ID_NUMBER})
    (entry,) = AuditEntry.objects.all()
    admin = logged_in(StaffFactory(is_superuser=True))

    found = admin.get(reverse("admin:audit_auditentry_changelist"), {"q": ID_NUMBER.lower()})

    assert ID_NUMBER not in entry.detail and ID_NUMBER.lower() not in entry.detail.lower()
    assert "q=id#" in entry.detail
    assert found.status_code == 200 and found.context["cl"].result_count == 1
