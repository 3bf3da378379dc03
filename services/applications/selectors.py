from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from services.accounts.selectors import profile_facts, profile_for_user
from services.dynamic_forms.fields import questions, steps_asked
from services.dynamic_forms.validation import validate_answers

from .models import Application, ApplicationEvent, Status

PREFILL_LOOKBACK = 20  # earlier applications searched for answers to reuse


def application_list_for_resident(*, user) -> QuerySet[Application]:
    """Return the resident's own applications, newest first, with their service, department and form version."""
    return Application.objects.for_applicant(user).select_related("service__department", "form_version")


def application_get_for_resident(*, user, public_id) -> Application:
    """Return the resident's own application or raise Http404 (another person's is not found)."""
    return get_object_or_404(application_list_for_resident(user=user), public_id=public_id)


def application_timeline(*, application: Application, for_resident: bool) -> QuerySet[ApplicationEvent]:
    """Return the application's events in order; residents see only those meant for them."""
    events = application.events.all()
    return events.filter(visible_to_resident=True) if for_resident else events.select_related("actor")


def application_draft_for_service(*, user, service) -> Application | None:
    """Return the resident's most recently saved draft for the service, if any."""
    drafts = Application.objects.for_applicant(user).filter(service=service, status=Status.DRAFT)
    return drafts.order_by("-updated_at").first()


def application_prefill(*, applicant, schema: dict) -> dict[str, tuple[Any, str]]:
    """Return, per question, an answer the resident already gave and where from: their profile (a question with
    ``x-prefill``) or their latest earlier application asking the same (the same profile fact, else the same
    question name); only answers the form accepts as they are."""
    facts = profile_facts(profile=profile_for_user(user=applicant))
    earlier = (
        application_list_for_resident(user=applicant)
        .exclude(status=Status.DRAFT)
        .order_by("-created_at")[:PREFILL_LOOKBACK]
    )
    given: dict[str, tuple[Any, str]] = {}  # what an earlier application answered, by profile fact or name
    for application in reversed(earlier):  # the latest wins
        for name, prop in application.schema.get("properties", {}).items():
            if name in application.answers:
                source = _("From your application %(reference)s") % {"reference": application.reference}
                given[prop.get("x-prefill") or name] = (application.answers[name], source)
    prefill = {}
    for name, prop in questions(schema):
        fact = prop.get("x-prefill")
        if fact in facts:
            candidate = (facts[fact], _("From your profile"))
        elif (fact or name) in given:
            candidate = given[fact or name]
        else:
            continue
        if not validate_answers(schema=schema, answers={name: candidate[0]}, partial=True):
            prefill[name] = candidate
    return prefill


def application_next_step(*, application: Application) -> str | None:
    """Return the key of the first step still missing an answer or holding a wrong one; None when all is done."""
    schema, answers = application.schema, application.answers
    unfinished = {path.split(".")[0] for path in validate_answers(schema=schema, answers=answers)}
    for step in steps_asked(schema, answers):
        if unfinished & set(step["fields"]):
            return step["key"]
    return None
