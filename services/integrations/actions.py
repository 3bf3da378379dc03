"""Writes of the department systems: creating one with its account and token, and acting on an application for it
through the same actions (and so the same transition function) as caseworkers, once per event id."""

import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from services.accounts.models import DepartmentMembership, User
from services.applications.actions import application_claim, application_decide, application_request_information
from services.applications.models import Application, RejectionReason
from services.catalogue.models import Department
from services.common.errors import ValidationFailed

from .models import DepartmentSystem, InboundCall, new_token, token_digest

ACTIONS = ("claim", "request_information", "approve", "reject")


@transaction.atomic
def department_system_create(
    *, name: str, department: Department, handles_applications: bool = False
) -> tuple[DepartmentSystem, str]:
    """Create a department's system with a staff account of its own (a caseworker of the department that cannot
    sign in) and return it with its API token, which is shown this once."""
    account = User.objects.create_user(email=f"system-{uuid.uuid4().hex[:12]}@systems.invalid", is_staff=True)
    DepartmentMembership.objects.create(user=account, department=department, role=DepartmentMembership.Role.CASEWORKER)
    token = new_token()
    system = DepartmentSystem.objects.create(
        name=name, department=department, account=account, handles_applications=handles_applications,
        token_digest=token_digest(token),
    )  # fmt: skip
    return system, token


def department_system_new_token(*, system: DepartmentSystem) -> str:
    """Give the system a new API token (the old one stops working) and return it, shown this once."""
    token = new_token()
    system.token_digest = token_digest(token)
    system.save(update_fields=["token_digest", "updated_at"])
    return token


def _act(*, system, application, action, reason, message, items, rejection_reason) -> Application:
    by = system.account
    if action == "claim":
        return application_claim(application=application, by=by)
    if action == "request_information":
        return application_request_information(application=application, by=by, message=message, items=items).application
    if rejection_reason is not None:
        rejection_reason = RejectionReason.objects.filter(
            pk=rejection_reason, service_id=application.service_id
        ).first()
        if rejection_reason is None:
            raise ValidationFailed(
                _("Choose one of this service's reasons."), errors={"rejection_reason": [_("Not offered.")]}
            )
    return application_decide(
        application=application, by=by, approve=action == "approve", reason=reason, rejection_reason=rejection_reason
    )


def system_act(
    *,
    system: DepartmentSystem,
    event_id: str,
    application: Application,
    action: str,
    reason: str = "",
    message: str = "",
    items: list[str] = (),
    rejection_reason: int | None = None,
) -> tuple[InboundCall, bool]:
    """Make the system's move on the application once per event id; return the call and whether it was made before
    (then nothing changes). A move the application's status does not allow raises InvalidTransition (409) and leaves
    no trace, so the same id may be sent again once it is possible."""
    earlier = InboundCall.objects.filter(system=system, event_id=event_id).first()
    if earlier is None:
        try:
            with transaction.atomic():
                # The call's row first: a concurrent call with the same id waits on it, then finds it made.
                call = InboundCall.objects.create(
                    system=system, event_id=event_id, action=action, application=application
                )
                application = _act(system=system, application=application, action=action, reason=reason,
                                   message=message, items=list(items), rejection_reason=rejection_reason)  # fmt: skip
                call.status = application.status
                call.save(update_fields=["status"])
                return call, False
        except IntegrityError:
            earlier = InboundCall.objects.get(system=system, event_id=event_id)
    if (earlier.application_id, earlier.action) != (application.pk, action):
        problem = _("This event id was already used for another action.")
        raise ValidationFailed(problem, errors={"id": [problem]})
    return earlier, True
