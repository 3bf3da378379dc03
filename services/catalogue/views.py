from django.shortcuts import render

from services.accounts.models import ResidentProfile
from services.accounts.selectors import profile_for_user
from services.applications.selectors import application_draft_for_service, application_draft_list_for_resident
from services.dynamic_forms.fields import subschema
from services.dynamic_forms.forms import AnswersForm

from .forms import EligibilityFactsForm
from .selectors import (
    catalogue_facets,
    category_get,
    eligibility_check,
    eligibility_inputs,
    service_get_active,
    service_list,
    service_list_popular,
)

FILTERS = ("department", "category", "life_event")


def catalogue(request):
    query = request.GET.get("q", "").strip()[:100]
    filters = {name: request.GET.get(name, "").strip()[:40] for name in FILTERS}
    context = {
        "services": service_list(query=query, **filters),
        "query": query,
        "filters": filters,
        **catalogue_facets(),
    }
    return render(request, "catalogue/list.html", context)


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
        result = eligibility_check(service=service, profile=profile, answers=draft.answers if draft else {})
    elif facts_form.is_valid() and answers_form.is_valid():
        given = ResidentProfile(
            date_of_birth=facts_form.cleaned_data.get("date_of_birth"),
            district=facts_form.cleaned_data.get("district", ""),
        )
        result = eligibility_check(service=service, profile=given, answers=answers_form.answers)
    context = {
        "service": service,
        "category": category_get(code=service.category),
        "documents": service.document_types.all(),
        "draft": draft,
        "result": result,
        "facts_form": facts_form,
        "answers_form": answers_form,
        "asks": bool(facts or names),
    }
    return render(request, "catalogue/detail.html", context)
