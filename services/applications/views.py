from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.catalogue.selectors import service_get_active
from services.common.errors import DomainError, ValidationFailed
from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.selectors import answers_for_display

from .actions import application_create_draft, application_submit, application_withdraw
from .selectors import application_get_for_resident, application_list_for_resident, application_timeline


@login_required
def apply(request, slug):
    service = service_get_active(slug=slug)
    form = AnswersForm(request.POST if request.method == "POST" else None, schema=service.form_schema)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                application = application_create_draft(applicant=request.user, service=service, answers=form.answers)
                application = application_submit(application=application, by=request.user)
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("applications:submitted", public_id=application.public_id)
    return render(request, "applications/apply.html", {"service": service, "form": form})


@login_required
def submitted(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    return render(request, "applications/submitted.html", {"application": application})


@login_required
def mine(request):
    return render(request, "applications/mine.html", {"applications": application_list_for_resident(user=request.user)})


@login_required
def detail(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    context = {
        "application": application,
        "answers": answers_for_display(schema=application.service.form_schema, answers=application.answers),
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
