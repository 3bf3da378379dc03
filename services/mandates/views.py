"""The resident's mandates: those they gave and those they hold; grant, accept through the link, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common.errors import DomainError

from .actions import mandate_accept, mandate_grant, mandate_revoke
from .forms import MandateGrantForm
from .models import Mandate
from .selectors import mandate_get_for_party, mandate_list_for_user


@login_required
def mandate_list(request):
    given, held = mandate_list_for_user(user=request.user)
    return render(request, "mandates/list.html", {"given": given, "held": held})


@login_required
def mandate_grant_view(request):
    """Give someone the right to act for you: the page then shows the one-time link to send them."""
    form = MandateGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate, token = mandate_grant(grantor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("valid_until", str(exc))
        else:
            link = request.build_absolute_uri(reverse("mandates:accept", args=[token]))
            return render(request, "mandates/granted.html", {"mandate": mandate, "link": link})
    return render(request, "mandates/grant.html", {"form": form})


@login_required
def mandate_accept_view(request, token: str):
    """Show what accepting means; accept on POST."""
    if request.method == "POST":
        try:
            mandate_accept(token=token, grantee=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You can now act for this person within the mandate's scope."))
        return redirect("mandates:list")
    return render(request, "mandates/accept.html")


@login_required
@require_POST
def mandate_revoke_view(request, public_id):
    try:
        mandate = mandate_get_for_party(user=request.user, public_id=public_id)
    except Mandate.DoesNotExist:
        raise Http404("No mandate") from None
    mandate_revoke(mandate=mandate, by=request.user)
    messages.success(request, _("The mandate has ended: the agent can no longer see or act on the applications."))
    return redirect("mandates:list")
