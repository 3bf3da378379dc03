import copy
import re
import unicodedata

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from services.common.statements import execute_kept

from .eligibility import RULE_KINDS, EligibilityResult, Facts, Outcome, RuleResult
from .fees import FeeQuote, fee_quote
from .models import Category, Department, FormVersion, LifeEvent, Service

SEARCH_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "keywords_zh", "keywords_en")


def search_terms(query: str) -> list[str]:
    """Return the words of a search: full-width forms folded (ＡＢＣ → abc), split on spaces and punctuation;
    Chinese is not split further, since a substring match finds 失业 inside 失业保险金."""
    text = unicodedata.normalize("NFKC", query).casefold()
    return [term for term in re.split(r"[\s,.;:!?，。、；：！？]+", text) if term][:5]


def service_list(*, query: str = "", department: str = "", category: str = "", life_event: str = "") -> list[Service]:
    """Return the services open for applications, filtered by department, category and life event codes, and
    holding every search word in a title, summary or search words of either language."""
    services = Service.objects.active().select_related("department")
    if department:
        services = services.filter(department__code=department)
    if category:
        services = services.filter(category=category)
    if life_event:
        services = services.filter(life_events__code=life_event)
    for term in search_terms(query):
        matches = Q()
        for name in SEARCH_FIELDS:
            matches |= Q(**{f"{name}__icontains": term})
        services = services.filter(matches)
    return list(services)


def service_get_active(*, slug: str) -> Service:
    """Return the open service with this slug or raise Http404."""
    return get_object_or_404(Service.objects.active().select_related("department"), slug=slug)


# The open services as this process last read them, by slug: (stamp, service, its current form version).
_KEPT_SERVICES: dict[str, tuple[tuple, Service, FormVersion]] = {}
# What changes when the service, its department or its form versions change: the rows' versions (the writing
# transaction and the place of the row's version, which moves with every write, even in one transaction: an admin's
# save and a bulk update alike) and the latest form version's id (versions never change).
_SERVICE_STAMP_SQL = """
    SELECT s.xmin::text, s.ctid::text, d.xmin::text, d.ctid::text,
           (SELECT v.id FROM catalogue_formversion v WHERE v.service_id = s.id ORDER BY v.number DESC LIMIT 1)
    FROM catalogue_service s JOIN catalogue_department d ON d.id = s.department_id
    WHERE s.slug = %s AND s.is_active
"""


def service_form_get_active(*, slug: str) -> tuple[Service, FormVersion | None]:
    """Return the open service with this slug (else 404) and its current form version (None while its form has
    changed since the last version was published); on PostgreSQL from this process's copy while none of the service,
    its department and its form versions has changed, which one small statement checks (loading them is two reads
    through the ORM, most of a submission's own CPU time)."""
    stamp = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            execute_kept(cursor, (_SERVICE_STAMP_SQL, [slug]))
            stamp = cursor.fetchone()
    kept = _KEPT_SERVICES.get(slug)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return copy.copy(kept[1]), copy.copy(kept[2])
    service = service_get_active(slug=slug)
    version = form_version_current(service=service)
    if version is None or version.schema != service.form_schema:
        return service, None
    if stamp is not None and stamp[-1] == version.pk:
        _KEPT_SERVICES[slug] = (stamp, copy.copy(service), copy.copy(version))
    return service, version


def catalogue_facets() -> dict[str, list]:
    """Return what residents browse by: departments, categories and life events."""
    return {
        "departments": list(Department.objects.all()),
        "categories": list(Category.objects.all()),
        "life_events": list(LifeEvent.objects.all()),
    }


POPULAR_SECONDS = 600  # popularity moves slowly, and counting it reads every application (2 s and more at 1,000,000)


def service_list_popular(*, limit: int = 4) -> list[Service]:
    """Return the open services residents applied for most (drafts not counted), for the home page; counted at most
    once every ``POPULAR_SECONDS`` (kept in the shared cache)."""

    def count() -> list[Service]:
        services = Service.objects.active().select_related("department")
        services = services.annotate(applied=Count("applications", filter=~Q(applications__status="draft")))
        return list(services.filter(applied__gt=0).order_by("-applied", "title_en")[:limit])

    return cache.get_or_set(f"catalogue:popular:{limit}", count, POPULAR_SECONDS)


def category_get(*, code: str) -> Category | None:
    """Return the category with this code, if there is one."""
    return Category.objects.filter(code=code).first() if code else None


def form_version_current(*, service: Service) -> FormVersion | None:
    """Return the service's latest published form version (None before its form was first published)."""
    return service.form_versions.order_by("-number").first()


def eligibility_inputs(*, service: Service) -> tuple[list[str], list[str]]:
    """Return what the service's rules look at: profile facts ('date_of_birth', 'district') and form questions."""
    facts, questions = [], []
    for rule in service.eligibility_rules:
        kind = RULE_KINDS[rule["kind"]]
        facts += [fact for fact in kind.needs_profile if fact not in facts]
        if kind.needs_answer and rule["field"] not in questions:
            questions.append(rule["field"])
    return facts, questions


def _facts(
    *,
    service: Service,
    profile,
    answers: dict,
    schema: dict | None,
    credentials=None,
    credential_names=None,
    today=None,
) -> Facts:
    return Facts(
        date_of_birth=getattr(profile, "date_of_birth", None),
        district=getattr(profile, "district", "") or "",
        answers=answers or {},
        properties=(service.form_schema if schema is None else schema).get("properties", {}),
        today=today or timezone.localdate(),
        credentials=None if credentials is None else frozenset(credentials),
        credential_names=credential_names or {},
    )


def service_fee_quote(*, service: Service, profile, answers: dict, schema: dict | None = None) -> FeeQuote:
    """Return the fee the resident (a profile or None) would pay with these answers: the service's fee rule
    (services.catalogue.fees) on the facts the eligibility rules see."""
    return fee_quote(
        rule=service.fee_rule, facts=_facts(service=service, profile=profile, answers=answers, schema=schema)
    )


def eligibility_check(
    *,
    service: Service,
    profile,
    answers: dict,
    schema: dict | None = None,
    credentials: set[str] | None = None,
    credential_names: dict | None = None,
    rules: list | None = None,
    today=None,
) -> EligibilityResult:
    """Return whether the resident (a profile, saved or not, or None) may use the service, rule by rule with the
    reason: eligible, not eligible, or can't tell yet when a fact or an answer is missing.

    ``schema`` names the questions in the reasons: the application's form version, else the service's form.
    ``credentials``: the codes of the credential types the resident holds valid (None: unknown), with every
    type's name in ``credential_names``, for the credential rules. ``rules`` and ``today``: rules kept from an
    earlier check and its day, to word it again (default: the service's rules, today).
    """
    facts = _facts(
        service=service,
        profile=profile,
        answers=answers,
        schema=schema,
        credentials=credentials,
        credential_names=credential_names,
        today=today,
    )
    rules = service.eligibility_rules if rules is None else rules
    results = [RuleResult(rule["kind"], *RULE_KINDS[rule["kind"]].evaluate(rule, facts)) for rule in rules]
    outcomes = {result.outcome for result in results}
    for outcome in (Outcome.NOT_ELIGIBLE, Outcome.UNKNOWN):
        if outcome in outcomes:
            return EligibilityResult(outcome, results)
    return EligibilityResult(Outcome.ELIGIBLE, results)


def form_schemas(*, version_ids: set[int], service_ids: set[int], known: dict[int, dict]) -> dict:
    """Return the schemas of these form versions by id (those ``known`` as given, not read again), and the current
    form of these services (for applications made without a version) by ("service", id)."""
    schemas, version_ids = dict(known), version_ids - set(known)
    if version_ids:
        schemas.update(FormVersion.objects.filter(pk__in=version_ids).values_list("pk", "schema"))
    if service_ids:
        forms = Service.objects.filter(pk__in=service_ids).values_list("pk", "form_schema")
        schemas.update({("service", pk): schema for pk, schema in forms})
    return schemas
