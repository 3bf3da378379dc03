"""The events a proactive rule can react to, each with how to find the person it concerns and the answers it
brings (what the service's eligibility rules may look at beyond the profile). A new trigger is one entry here;
the app registers a listener for every type listed (apps.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from services.applications.models import Application
from services.circumstances.models import Change
from services.credentials.models import Credential
from services.events.models import TYPE_PREFIX


@dataclass(frozen=True)
class Concerned:
    """The person an event concerns, and the answers it brings."""

    person: object
    answers: dict = field(default_factory=dict)


def _decided_application(event) -> Concerned | None:
    application = Application.objects.select_related("applicant").filter(public_id=event.data.get("application"))
    application = application.first()
    return None if application is None else Concerned(application.applicant, dict(application.answers))


def _issued_credential(event) -> Concerned | None:
    credential = Credential.objects.select_related("holder").filter(public_id=event.data.get("credential")).first()
    return None if credential is None else Concerned(credential.holder)


def _reported_change(event) -> Concerned | None:
    """A change of circumstances told once (services.circumstances): its facts are answers (a birth's
    ``child_name`` and ``child_birth_date``, named as the catalogue's questions are). It is written once per
    department it reached, all with the change as subject: a rule counted per subject offers once."""
    change = Change.objects.select_related("user").filter(public_id=event.data.get("change")).first()
    return None if change is None else Concerned(change.user, dict(change.facts))


TRIGGERS: dict[str, tuple[str, Callable]] = {
    f"{TYPE_PREFIX}application.decided": (_("An application approved or rejected"), _decided_application),
    f"{TYPE_PREFIX}credential.issued": (_("A credential issued"), _issued_credential),
    f"{TYPE_PREFIX}circumstance.reported": (_("A change of circumstances reported"), _reported_change),
}


def event_concerns(event) -> Concerned | None:
    """Return whom ``event`` concerns, with the answers it brings (None: nobody the portal still knows)."""
    return TRIGGERS[event.type][1](event)


def event_matches(*, conditions: dict, data: dict) -> bool:
    """Whether the event's ``data`` holds every value ``conditions`` asks for (a list: one of them)."""
    for key, wanted in conditions.items():
        accepted = wanted if isinstance(wanted, list) else [wanted]
        if data.get(key) not in accepted:
            return False
    return True
