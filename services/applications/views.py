from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.accounts.selectors import profile_for_user
from services.api.throttling import limit_allows
from services.audit.actions import audit_record_agent_look
from services.audit.selectors import audit_list_for_resident
from services.catalogue.selectors import eligibility_check, service_get_active
from services.common.errors import DomainError, NotEligible, ValidationFailed
from services.common.http import client_address
from services.common.pagination import page_of
from services.dynamic_forms.fields import label_of
from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.selectors import answers_by_step, answers_for_display
from services.dynamic_forms.structure import form_steps, step_may_be_skipped, steps_asked
from services.identity.selectors import AssuranceRequired
from services.mandates.selectors import mandate_grantor_for

from .actions import (
    application_save_answers,
    application_start,
    application_submit,
    application_withdraw,
    information_request_answer,
)
from .attachments import application_documents_missing
from .document_views import document_options, upload_step_documents
from .forms import AnswerForm
from .models import Status
from .prefill import application_prefill
from .selectors import (
    application_fee_quote,
    application_get_decided_for_resident,
    application_get_for_resident,
    application_list_acted_for,
    application_list_for_resident,
    application_needs_profile_first,
    application_next_step,
    application_timeline,
    attachable_document_list,
    decision_letter_html,
    information_request_get_for_resident,
    information_request_get_open,
)

# A step posted after the session expired waits here (in the new, anonymous session) until the resident has
# signed in again; login keeps the session's data. Bigger posts are not kept: the form caps answers far below.
STASH = "applications:stashed-step"
STASH_MAX_CHARS = 100_000


def _resume_url(application) -> str:
    key = application_next_step(application=application)
    if key is None:
        return reverse("applications:check", kwargs={"public_id": application.public_id})
    return reverse("applications:step", kwargs={"public_id": application.public_id, "key": key})


def eligibility_answers_key(slug: str) -> str:
    """Return the session key under which the service page keeps the answers of its eligibility check."""
    return f"eligibility-answers:{slug}"


@login_required
def apply(request, slug):
    """Start (or carry on with) an application for oneself, or with ``?for=<mandate>`` for the person one acts for."""
    service = service_get_active(slug=slug)
    applicant = request.user
    if request.GET.get("for"):
        applicant = mandate_grantor_for(grantee=request.user, public_id=request.GET["for"], service=service)
    elif application_needs_profile_first(applicant=request.user, service=service):
        # A new resident gives their details once, in the profile, and comes back here: the form is then filled in.
        messages.info(request, _("First your details: we fill them into this application and every later one."))
        return redirect(f"{reverse('accounts:profile')}?{urlencode({'next': request.path})}")
    try:
        # The answers given on the service page's eligibility check (see portal.views.service_detail) carry over
        # into one's own application (they were checked against one's own details).
        carried = request.session.pop(eligibility_answers_key(service.slug), None)
        application = application_start(
            applicant=applicant, service=service, carried=carried if applicant == request.user else None,
            acting=request.user,
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(service)
    return redirect(_resume_url(application))


def _sign_in_again(request):
    """Send the visitor to sign in and back here; keep what a step posted meanwhile (the session had expired), in
    at most SIGNED_OUT_ANSWERS_RATE new sessions per address: anyone can post here, signed in or not."""
    if request.method == "POST":
        data = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
        size = sum(len(value) for values in data.values() for value in values)
        address = client_address(request)
        if size <= STASH_MAX_CHARS and limit_allows(key=f"stash:{address}", rate=settings.SIGNED_OUT_ANSWERS_RATE):
            request.session[STASH] = {"path": request.path, "data": data}
            messages.info(request, _("You were signed out. Sign in again and we will save the answers you sent."))
    return redirect_to_login(request.get_full_path())


def _unstash(request) -> QueryDict | None:
    stash = request.session.get(STASH)
    if not stash or stash["path"] != request.path:
        return None
    del request.session[STASH]
    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    return data


def step(request, public_id, key):
    if not request.user.is_authenticated:
        return _sign_in_again(request)
    application = application_get_for_resident(user=request.user, public_id=public_id)
    if application.status != Status.DRAFT:
        return redirect(application)
    schema = application.schema
    steps = steps_asked(schema, application.answers)
    index = next((i for i, s in enumerate(steps) if s["key"] == key), None)
    if index is None:
        raise Http404
    restored = _unstash(request) if request.method == "GET" else None
    data = request.POST if request.method == "POST" else restored
    uploaded, refused = upload_step_documents(request, application, steps[index]["fields"])
    if uploaded:
        data = data.copy()
        for name, document in uploaded.items():
            data[name] = str(document.public_id)  # the new upload is the question's answer
    prefill = application_prefill(applicant=application.applicant, schema=schema)  # the legal subject's data
    form = AnswersForm(
        data,
        schema=schema,
        names=steps[index]["fields"],
        answers=application.answers,
        # Back, Save for later and the answers kept over a sign-in only need to be right, not complete.
        require=data is None or not ({"back", "later"} & set(data) or restored is not None),
        notes={name: source for name, (value, source) in prefill.items() if application.answers.get(name) == value},
        **document_options(request, application, steps[index]["fields"]),
    )
    for name, errors in refused.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if data is not None and not form.group_action and form.is_valid():
        try:
            application = application_save_answers(application=application, changes=form.changes, by=request.user)
        except ValidationFailed as exc:
            for errors in exc.errors.values():
                for error in errors:
                    form.add_error(None, error)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(_after_step(request, application, key, data, restored is not None))
    context = {
        "application": application,
        "service": application.service,
        "form": form,
        "step": steps[index],
        "step_title": label_of(key, steps[index]),
        "number": index + 1,
        # Only a form whose steps are all always asked has a total that cannot change with the answers.
        "total": len(steps) if not any(step_may_be_skipped(schema, step) for step in form_steps(schema)) else None,
        "previous": steps[index - 1]["key"] if index else None,
        "to_check": request.GET.get("return") == "check",
    }
    return render(request, "applications/step.html", context)


def _after_step(request, application, key: str, data, restored: bool) -> str:
    """Return where a saved step leads: back, to My applications, to the next step, or to the check page."""
    kwargs = {"public_id": application.public_id}
    if restored:
        messages.success(request, _("The answers you sent before signing in again are saved."))
        return reverse("applications:step", kwargs={**kwargs, "key": key})
    if "later" in data:
        messages.success(
            request,
            _("Your answers are saved. Carry on from My applications before %(date)s.")
            % {"date": application.draft_expires_on.isoformat()},
        )
        return reverse("applications:mine")
    keys = [s["key"] for s in steps_asked(application.schema, application.answers)]
    position = keys.index(key) if key in keys else 0
    if "back" in data and position > 0:
        return reverse("applications:step", kwargs={**kwargs, "key": keys[position - 1]})
    if request.GET.get("return") == "check" or position + 1 >= len(keys):
        return reverse("applications:check", kwargs=kwargs)
    return reverse("applications:step", kwargs={**kwargs, "key": keys[position + 1]})


@login_required
def check(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    if application.status != Status.DRAFT:
        return redirect(application)
    problems, refused, step_up = [], None, None
    if request.method == "POST":
        try:
            application = application_submit(application=application, by=request.user)
        except AssuranceRequired as exc:
            step_up = str(exc)
        except ValidationFailed as exc:
            problems = _problems(application.schema, exc.errors)
        except NotEligible as exc:
            refused = exc.errors.get("eligibility", [str(exc)])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("applications:submitted", public_id=application.public_id)
    context = {
        "application": application,
        "service": application.service,
        "sections": answers_by_step(schema=application.schema, answers=application.answers),
        "eligibility": eligibility_check(
            service=application.service,
            profile=profile_for_user(user=request.user),
            answers=application.answers,
            schema=application.schema,
        ),
        "fee": application_fee_quote(application=application),
        # Listed before the resident presses Submit (a refused submission lists them among the problems).
        "missing": [] if problems else application_documents_missing(application=application),
        "problems": problems,
        "refused": refused,
        "step_up": step_up,
    }
    return render(request, "applications/check.html", context)


def _problems(schema: dict, errors: dict) -> list[dict]:
    """Return each answer that stops the submission, with its question and the step to change it on."""
    step_of = {name: step["key"] for step in form_steps(schema) for name in step["fields"]}
    problems = []
    for path, messages_ in errors.items():
        name = path.split(".")[0]
        prop = schema["properties"].get(name, {})
        for message in messages_:
            problems.append(
                {"step": step_of.get(name), "label": label_of(name, prop) if name else "", "message": message}
            )
    return problems


@login_required
def submitted(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    return render(request, "applications/submitted.html", {"application": application})


# My applications shows this many a page, newest first: a resident with years of applications (or an agency's
# account) gets a page as quick as anyone's, not every row at once.
MINE_PER_PAGE = 20


@login_required
def mine(request):
    page = page_of(application_list_for_resident(user=request.user), request.GET.get("page"), MINE_PER_PAGE)
    context = {
        "page": page,
        "acted_for": application_list_acted_for(user=request.user),
    }
    return render(request, "applications/mine.html", context)


@login_required
def detail(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    if application.status == Status.DRAFT:
        return redirect(_resume_url(application))
    if application.applicant_id != request.user.pk:
        audit_record_agent_look(request=request, application=application)
    context = {
        "application": application,
        "answers": answers_for_display(schema=application.schema, answers=application.answers),
        "timeline": application_timeline(application=application, for_resident=True),
    }
    return render(request, "applications/detail.html", context)


@login_required
@require_POST
def withdraw(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    try:
        application_withdraw(application=application, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect(application)


@login_required
def answer(request, public_id, request_id):
    information_request = information_request_get_for_resident(
        user=request.user, application_id=public_id, public_id=request_id
    )
    application = information_request.application
    if information_request_get_open(application=application) != information_request:
        return redirect(application)  # answered already, or the application no longer waits for it
    documents = attachable_document_list(user=request.user, application=application).select_related("document_type")
    form = AnswerForm(request.POST if request.method == "POST" else None, documents=documents)
    if form.is_valid():
        try:
            information_request_answer(
                information_request=information_request,
                by=request.user,
                answer=form.cleaned_data["answer"],
                documents=list(form.cleaned_data["documents"]),
            )
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect(application)
        else:
            messages.success(request, _("Your answer has been sent. The time limit for the decision runs again."))
            return redirect(application)
    context = {"application": application, "information_request": information_request, "form": form}
    return render(request, "applications/answer.html", context)


@login_required
def decision_letter(request, public_id):
    application = application_get_decided_for_resident(user=request.user, public_id=public_id)
    return HttpResponse(decision_letter_html(application=application))


@login_required
def access_log(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    page = page_of(audit_list_for_resident(application=application), request.GET.get("page"), 50)
    return render(request, "applications/access_log.html", {"application": application, "page": page})
