"""Writes of changes of circumstances: report one (applied to the profile, carried to every department with a case,
told to their systems), acknowledge it for a department, escalate the acknowledgements left waiting."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.actions import profile_update
from services.accounts.selectors import profile_for_user
from services.calendar.selectors import working_calendar
from services.catalogue.models import Department
from services.common.errors import InvalidTransition, ValidationFailed
from services.documents.models import Document
from services.events.actions import event_record
from services.events.models import TYPE_PREFIX

from .forms import FORMS
from .models import Acknowledgement, AckStatus, Change, Kind
from .selectors import acknowledgements_to_escalate, change_departments

EVENT_TYPE = f"{TYPE_PREFIX}circumstance.reported"
# What a change writes into the profile at once (the other kinds are facts for the departments only).
PROFILE_FIELDS = {Kind.ADDRESS: ("district", "street_address"), Kind.PHONE: ("phone",)}
ANSWERS = (AckStatus.APPLIED, AckStatus.NEEDS_ACTION, AckStatus.NOT_RELEVANT)


class ChangeInvalid(ValidationFailed):
    """The change broke a rule; ``form`` holds the bound form with its errors, for the web to redraw."""

    def __init__(self, form):
        errors = {field: [error["message"] for error in items] for field, items in form.errors.get_json_data().items()}
        super().__init__(_("The change has errors; see the list."), errors=errors)
        self.form = form


def change_form(*, kind: str, subject, reported_by, data=None):
    """Return the kind's form for a change about ``subject``, bound to ``data`` if given: evidence is chosen from the
    wallet of the person reporting (``reported_by``), dates are checked against ``subject``'s birth."""
    documents = Document.objects.owned_by(reported_by).usable().select_related("document_type")
    born = profile_for_user(user=subject).date_of_birth
    return FORMS[kind](data, born=born, documents=documents.order_by("-created_at"))


@transaction.atomic
def change_report(*, subject, reported_by, kind: str, data, mandate=None) -> Change:
    """Record a change about ``subject`` reported by them (or by an agent under ``mandate``), apply it to the
    profile, carry it to each department with a case for them (one pending acknowledgement each) and write its
    outbound event for each (one without a department when none has a case)."""
    if kind not in FORMS:
        raise ValidationFailed(_("Choose what changed."), errors={"kind": [_("Choose what changed.")]})
    form = change_form(kind=kind, subject=subject, reported_by=reported_by, data=data)
    if not form.is_valid():
        raise ChangeInvalid(form)
    change = Change.objects.create(
        user=subject, kind=kind, facts=form.fact_values(), effective_date=form.cleaned_data["effective_date"],
        reported_by=reported_by, mandate=mandate, evidence=form.cleaned_data.get("evidence"),
    )  # fmt: skip
    if kind in PROFILE_FIELDS:
        fields = PROFILE_FIELDS[kind]
        profile_update(
            profile=profile_for_user(user=subject), changes={name: change.facts[name] for name in fields}, partial=True
        )
    departments = change_departments(user=subject)
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(change=change, department_id=pk, reasons=why) for pk, why in sorted(departments.items())]
    )
    codes = sorted(Department.objects.filter(pk__in=departments).values_list("code", flat=True))
    data = {"change": str(change.public_id), "kind": kind, "effective_date": change.effective_date.isoformat(),
            "departments": codes}  # fmt: skip
    for department_id in sorted(departments) or [None]:
        event_record(
            type=EVENT_TYPE, source="/changes", subject=str(change.public_id), data=data, department_id=department_id
        )
    return change


def acknowledgement_answer(*, acknowledgement: Acknowledgement, status: str, by, note: str = "") -> Acknowledgement:
    """Record a department's answer to a change (applied, needs action, not relevant); a later answer replaces an
    earlier one. The caller has checked that ``by`` works in the acknowledgement's department."""
    if status not in ANSWERS:
        raise InvalidTransition(_("An acknowledgement is answered applied, needs action or not relevant."))
    now = timezone.now()
    Acknowledgement.objects.filter(pk=acknowledgement.pk).update(
        status=status, note=note[:500], acknowledged_by=by, acknowledged_at=now, updated_at=now
    )
    acknowledgement.refresh_from_db()
    return acknowledgement


def acknowledgements_escalate(*, today: dt.date | None = None) -> int:
    """Mark as escalated the acknowledgements still pending after CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS working
    days (the city view counts them, the departments' supervisors filter on them); return how many."""
    ids = acknowledgements_to_escalate(
        today=today or timezone.localdate(),
        calendar=working_calendar(),
        after_working_days=settings.CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS,
    )
    # Conditional: a department that answered meanwhile is not escalated.
    return Acknowledgement.objects.filter(pk__in=ids, status=AckStatus.PENDING, escalated_at=None).update(
        escalated_at=timezone.now()
    )
