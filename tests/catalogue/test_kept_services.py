"""The open service and its form, kept by the process once read (catalogue.selectors.service_form_get_active): any
change to the service, its department or its form versions is seen by the next call, however it was written."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from services.catalogue.actions import form_version_publish
from services.catalogue.models import Department, Service
from services.catalogue.selectors import service_form_get_active

pytestmark = pytest.mark.django_db


def test_a_kept_service_is_read_again_once_it_its_department_or_its_form_changed(service):
    published = form_version_publish(service=service)
    service_form_get_active(slug=service.slug)
    with CaptureQueriesContext(connection) as checked:
        kept, version = service_form_get_active(slug=service.slug)
    assert (kept.pk, version.pk, version.schema) == (service.pk, published.pk, service.form_schema)
    if connection.vendor == "postgresql":
        assert len(checked) == 1  # the stamp only

    rules = [{"kind": "answer", "field": "urgent", "equals": True}]
    Service.objects.filter(pk=service.pk).update(eligibility_rules=rules)  # no save(), no updated_at
    assert service_form_get_active(slug=service.slug)[0].eligibility_rules == rules

    Department.objects.filter(pk=service.department_id).update(reference_prefix="NEW")
    assert service_form_get_active(slug=service.slug)[0].department.reference_prefix == "NEW"

    service.refresh_from_db()
    service.form_schema = {**service.form_schema, "title": "Changed"}
    service.save()
    assert service_form_get_active(slug=service.slug)[1] is None  # the new form is not published yet
    newer = form_version_publish(service=service)
    assert service_form_get_active(slug=service.slug)[1].pk == newer.pk

    Service.objects.filter(pk=service.pk).update(is_active=False)
    with pytest.raises(Http404):
        service_form_get_active(slug=service.slug)


def test_each_call_gets_its_own_copy(service):
    form_version_publish(service=service)
    service_form_get_active(slug=service.slug)
    first, first_version = service_form_get_active(slug=service.slug)
    first.title_en, first_version.number = "Changed by a caller", 99

    again, version = service_form_get_active(slug=service.slug)
    assert (again.title_en, version.number) == (service.title_en, 1)
