"""What a new application is filled in with: the resident's earlier answers, their profile and their credentials."""

import json
from collections.abc import Collection
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from services.accounts.selectors import profile_facts, profile_for_user
from services.catalogue.selectors import form_schemas
from services.common.statements import Statement
from services.credentials.selectors import credential_valid_for_type
from services.dynamic_forms.structure import questions
from services.dynamic_forms.validation import validate_answers

from .models import Application, Status

PREFILL_LOOKBACK = 20  # earlier applications searched for answers to reuse


def application_prefill(
    *,
    applicant,
    schema: dict,
    answered: Collection[str] = (),
    form_version_id: int | None = None,
    earlier_answers: bool = True,
) -> dict[str, tuple[Any, str]]:
    """Return, per question, an answer the resident already gave and where from: their profile (a question with
    ``x-prefill``) or, with ``earlier_answers``, their latest earlier application asking the same (the same profile
    fact, else the same question name); only answers the form accepts as they are. The ``answered`` questions (the
    caller keeps its answers) cost no read and no check; ``form_version_id``: the version ``schema`` is (not read
    again)."""
    if not (asked := [(name, prop) for name, prop in questions(schema) if name not in answered]):
        return {}
    facts = profile_facts(profile=profile_for_user(user=applicant))
    earlier = _earlier_answers(applicant_id=applicant.pk) if earlier_answers else []
    # Each form once (the same few forms come back with every earlier application otherwise).
    schemas = form_schemas(version_ids={row[2] for row in earlier if row[2]},
                           service_ids={row[3] for row in earlier if not row[2]},
                           known={form_version_id: schema} if form_version_id else {})  # fmt: skip
    wanted = {prop.get("x-prefill") or name for name, prop in asked}
    given: dict[str, tuple[Any, str]] = {}  # what an earlier application answered, by profile fact or name
    for text, reference, version_id, service_id in reversed(earlier):  # the latest wins
        properties = schemas[version_id or ("service", service_id)].get("properties", {})
        kept = [(name, key) for name, prop in properties.items() if (key := prop.get("x-prefill") or name) in wanted]
        if not any(_may_hold(text, name) for name, _key in kept):
            continue  # looking for the names costs less than parsing, and most hold none of the questions asked
        answers = json.loads(text)
        for name, key in kept:
            if name in answers:
                given[key] = (answers[name], reference)  # the reference: worded if used
    prefill = {}
    for name, prop in asked:
        fact = prop.get("x-prefill")
        credential = _credential_evidence(applicant=applicant, prop=prop)
        if credential is not None:
            candidate = credential
        elif fact in facts:
            candidate = (facts[fact], _("From your profile"))
        elif (fact or name) in given:
            value, reference = given[fact or name]
            candidate = (value, _("From your application %(reference)s") % {"reference": reference})
        else:
            continue
        if not validate_answers(schema=schema, answers={name: candidate[0]}, partial=True):
            prefill[name] = candidate
    return prefill


def _may_hold(text: str, name: str) -> bool:
    """Whether the answers' JSON text may hold a question's answer: its name written as a JSON key is in it (a name
    that JSON may write escaped, not plain ASCII, is always looked for in the parsed answers)."""
    plain = name.isascii() and name.isprintable() and '"' not in name and "\\" not in name
    return f'"{name}"' in text or not plain


def _earlier_answers(*, applicant_id) -> list[tuple[str, str, int | None, int]]:
    """Return the answers (their JSON text), reference, form version and service of the applicant's latest
    PREFILL_LOOKBACK applications past draft, newest first (built once per process: building and compiling it was
    about 0.5 ms of CPU, a third of a one-call submission's prefill)."""
    return _EARLIER.rows(applicant_id, Status.DRAFT.value)


_EARLIER = Statement(
    Application,
    lambda applicant_id, draft: (
        Application.objects.for_applicant(applicant_id)
        .exclude(status=draft)
        .order_by("-created_at")
        .annotate(answers_text=Cast("answers", TextField()))
        .values_list("answers_text", "reference", "form_version_id", "service_id")[:PREFILL_LOOKBACK]
    ),
)


def _credential_evidence(*, applicant, prop: dict) -> tuple[Any, str] | None:
    """A document question taking a credential (``x-credential-type``): the resident's valid one, attached; a
    question prefilled from a credential's claim (``x-prefill: "credential:<type>:<claim>"``): that claim."""
    type_code = prop.get("x-credential-type")
    if type_code is None and str(prop.get("x-prefill", "")).startswith("credential:"):
        _prefix, type_code, claim = (prop["x-prefill"].split(":", 2) + ["", ""])[:3]
    else:
        claim = None
    credential = credential_valid_for_type(holder=applicant, type_code=type_code) if type_code else None
    if credential is None or (claim is not None and claim not in credential.claims):
        return None
    source = _("From your “%(name)s”") % {"name": credential.type.name}
    if claim is not None:
        return credential.claims[claim], source
    return {"document_type": prop["x-document-type"], "credential_id": str(credential.public_id)}, source
