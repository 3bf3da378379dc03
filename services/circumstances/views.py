"""The resident's changes of circumstances: report one (for themselves, or for someone under a mandate) and see
where it stands at each department."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .actions import ChangeInvalid, change_form, change_report
from .forms import FORMS, facts_for_display
from .models import Kind
from .selectors import change_get_for_user, change_list_for_user, change_mandates_for_agent, change_subject_for


def _subject(request):
    """Whom the page reports for (``?for=<mandate id>``), and under which mandate; a bad id is a 404."""
    on_behalf_of = request.GET.get("for", "").strip()
    try:
        on_behalf_of = uuid.UUID(on_behalf_of) if on_behalf_of else None
    except ValueError:  # not an id at all: as unknown as any other
        raise Http404("No mandate") from None
    return change_subject_for(user=request.user, on_behalf_of=on_behalf_of)


@login_required
def change_list(request):
    changes = change_list_for_user(user=request.user)
    mandates = change_mandates_for_agent(agent=request.user)
    return render(request, "circumstances/list.html", {"changes": changes, "mandates": mandates})


@login_required
def change_choose(request):
    """Ask what changed: one link per kind (no JavaScript needed)."""
    subject, mandate = _subject(request)
    query = f"?for={mandate.public_id}" if mandate else ""
    kinds = [(label, reverse("circumstances:report", args=[value]) + query) for value, label in Kind.choices]
    return render(request, "circumstances/choose.html", {"kinds": kinds, "subject": subject, "mandate": mandate})


@login_required
def change_report_view(request, kind: str):
    if kind not in FORMS:
        raise Http404("No such kind of change")
    subject, mandate = _subject(request)
    form = change_form(kind=kind, subject=subject, reported_by=request.user)
    if request.method == "POST":
        try:
            change = change_report(
                subject=subject, reported_by=request.user, kind=kind, data=request.POST, mandate=mandate
            )
        except ChangeInvalid as exc:
            form = exc.form  # bound: what was typed is shown again, with the errors
        else:
            messages.success(request, _("Thank you: the change is recorded and sent to the departments below."))
            return redirect("circumstances:detail", public_id=change.public_id)
    context = {"form": form, "kind": Kind(kind), "subject": subject, "mandate": mandate}
    return render(request, "circumstances/report.html", context)


@login_required
def change_detail(request, public_id):
    change = change_get_for_user(user=request.user, public_id=public_id)
    facts = facts_for_display(kind=change.kind, facts=change.facts)
    return render(request, "circumstances/detail.html", {"change": change, "facts": facts})
