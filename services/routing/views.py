from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from services.applications.prefill import application_prefill
from services.common.errors import DomainError, ValidationFailed
from services.dynamic_forms.forms import AnswersForm

from .actions import bundle_submit
from .selectors import (
    bundle_form_schema,
    bundle_get_active,
    bundle_list_active,
    bundle_services,
    bundle_submission_get_for_resident,
    bundle_submission_progress,
)


def bundle_list(request):
    return render(request, "routing/bundle_list.html", {"bundles": bundle_list_active()})


@login_required
def bundle_apply(request, slug):
    bundle = bundle_get_active(slug=slug)
    services = bundle_services(bundle=bundle)
    schema = bundle_form_schema(services=services)
    prefill = application_prefill(applicant=request.user, schema=schema)
    answers = {name: value for name, (value, _source) in prefill.items()}
    data = request.POST if request.method == "POST" else None
    if data is not None:
        # One page for the whole form: the answers posted decide which conditional questions are asked.
        posted = AnswersForm(data, schema=schema, answers=answers, require=False)
        answers = posted.answers if posted.is_valid() else answers
    form = AnswersForm(data, schema=schema, answers=answers)
    if data is not None and not form.group_action and form.is_valid():
        try:
            submission = bundle_submit(bundle=bundle, applicant=request.user, answers=form.answers)
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("bundles:submission", public_id=submission.public_id)
    return render(request, "routing/bundle_apply.html", {"bundle": bundle, "services": services, "form": form})


@login_required
def bundle_submission(request, public_id):
    submission = bundle_submission_get_for_resident(user=request.user, public_id=public_id)
    context = {"submission": submission, "progress": bundle_submission_progress(submission=submission)}
    return render(request, "routing/bundle_submission.html", context)
