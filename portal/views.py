"""The project's own pages: the two resident pages that bring several apps together (the home page: the catalogue
and the resident's drafts; a service's page: the catalogue, the eligibility check and the resident's draft), and
the API's documentation page and error answers (the apps' API views live in each app's apis)."""

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from services.accounts.models import ResidentProfile
from services.accounts.selectors import profile_for_user
from services.api.problems import problem_json
from services.applications.selectors import application_draft_for_service, application_draft_list_for_resident
from services.applications.views import eligibility_answers_key
from services.catalogue.forms import EligibilityFactsForm
from services.catalogue.selectors import (
    catalogue_facets,
    category_get,
    eligibility_check,
    eligibility_inputs,
    service_get_active,
    service_list,
    service_list_popular,
)
from services.catalogue.views import FILTERS
from services.credentials.selectors import credential_facts
from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.structure import subschema
from services.identity.selectors import assurance_for_user, assurance_meets
from services.mandates.selectors import mandates_to_act_for


def home(request):
    """The home page: search, life events, popular services, the resident's drafts, then every service."""
    signed_in = request.user.is_authenticated
    context = {
        "home": True,
        "services": service_list(),
        "query": "",
        "filters": dict.fromkeys(FILTERS, ""),
        "popular": service_list_popular(),
        "drafts": application_draft_list_for_resident(user=request.user) if signed_in else [],
        **catalogue_facets(),
    }
    return render(request, "catalogue/list.html", context)


def service_detail(request, slug):
    service = service_get_active(slug=slug)
    signed_in = request.user.is_authenticated
    profile = profile_for_user(user=request.user) if signed_in else None
    draft = application_draft_for_service(user=request.user, service=service) if signed_in else None
    facts, names = eligibility_inputs(service=service)
    checking = "check" in request.GET  # the resident filled in the eligibility questions
    facts_form = EligibilityFactsForm(
        request.GET if checking else None,
        facts=facts,
        initial={
            "date_of_birth": getattr(profile, "date_of_birth", None),
            "district": getattr(profile, "district", ""),
        },
    )
    answers_form = AnswersForm(
        request.GET if checking else None,
        schema=subschema(service.form_schema, names),
        answers=draft.answers if draft else {},
        require=False,
        prefix="q",
    )
    result = None
    if not checking:
        result = eligibility_check(
            service=service,
            profile=profile,
            answers=draft.answers if draft else {},
            **credential_facts(holder=request.user, rules=service.eligibility_rules),
        )
    elif facts_form.is_valid() and answers_form.is_valid():
        given = ResidentProfile(
            date_of_birth=facts_form.cleaned_data.get("date_of_birth"),
            district=facts_form.cleaned_data.get("district", ""),
        )
        result = eligibility_check(service=service, profile=given, answers=answers_form.answers)
        if draft is None:  # the form, once started, holds these answers: nothing is asked twice
            given_answers = {name: value for name, value in answers_form.changes.items() if value is not None}
            request.session[eligibility_answers_key(service.slug)] = given_answers
    context = {
        "service": service,
        "assurance_met": assurance_meets(level=assurance_for_user(user=request.user), needed=service.assurance),
        "act_for": mandates_to_act_for(grantee=request.user, service=service) if signed_in else [],
        "category": category_get(code=service.category),
        "documents": service.document_types.all(),
        "draft": draft,
        "result": result,
        "facts_form": facts_form,
        "answers_form": answers_form,
        "asks": bool(facts or names),
    }
    return render(request, "catalogue/detail.html", context)


@require_GET
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
def redoc(request, schema: str = "schema", title: str = ""):
    """Serve Redoc from the portal's own static files, for the API's schema or another (allauth's app API);
    Redoc styles itself inline and searches in a blob worker, so this page alone allows inline styles and blob
    workers (scripts stay 'self' only)."""
    context = {"title": title or settings.SPECTACULAR_SETTINGS["TITLE"], "schema_url": reverse(schema)}
    return render(request, "api/redoc.html", context)


class SchemaView(SpectacularAPIView):
    """The API's contract in one language whatever the caller's Accept-Language: English (as the committed
    snapshot), or the language ``?lang=`` names."""

    def dispatch(self, request, *args, **kwargs):
        language = request.GET.get("lang")
        with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
            response = super().dispatch(request, *args, **kwargs)
            return response.render()  # its lazy texts worded now, in that language


def bad_request(request, exception):
    """Answer a request the portal cannot read (a NUL character, a malformed body) with a 400: a problem body under
    /api/, a page in the visitor's language elsewhere."""
    detail = _("The address or the form held something that is not allowed, such as a control character.")
    if request.path.startswith("/api/"):
        return problem_json(status_code=400, code="bad_request", detail=detail)
    return render(request, "400.html", status=400)


def page_not_found(request, exception):
    """Answer an unknown URL under /api/ (outside /api/v1/, which has its own) with a problem body."""
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    return problem_json(status_code=404, code="not_found", detail=_("Not found."))


def server_error(request):
    """Answer an unexpected error under /api/ with a problem body like every other error; elsewhere Django's page.

    Django calls this after logging the exception, so nothing is lost; the app gets the one error shape it knows.
    """
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    detail = _("Something went wrong on our side. Try again in a moment.")
    return problem_json(status_code=500, code="server_error", detail=detail)


class ApiNotFound(APIView):
    """Answer every other path under /api/v1/ (a malformed id included) with a 404 problem, not an HTML page."""

    permission_classes = [AllowAny]
    metadata_class = None  # OPTIONS too
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()
