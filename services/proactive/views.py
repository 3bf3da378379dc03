"""The resident's page of benefits offered or granted without applying: confirm with one tap, decline, see what
each rests on and how to object, turn such offers off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.applications.models import Status
from services.common.errors import DomainError

from .actions import entitlement_confirm, entitlement_decline, proactive_offers_set
from .models import EntitlementStatus
from .selectors import entitlement_get_for_resident, entitlement_list_for_resident, offers_on


@login_required
def entitlement_list(request):
    entitlements = entitlement_list_for_resident(user=request.user)
    return render(
        request,
        "proactive/list.html",
        {"entitlements": entitlements, "offers_on": offers_on(user=request.user), "OFFERED": EntitlementStatus.OFFERED},
    )


@login_required
@require_POST
def entitlement_confirm_view(request, public_id):
    """Take up an offer: the application is made and submitted; a form that still needs answers opens as a draft."""
    entitlement = entitlement_get_for_resident(user=request.user, public_id=public_id, act=True)
    try:
        entitlement = entitlement_confirm(entitlement=entitlement, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("proactive:list")
    application = entitlement.application
    if application.status == Status.DRAFT:
        messages.info(request, _("Your application is made and filled in: answer what is still missing to send it."))
    else:
        messages.success(request, _("Your application %(reference)s is sent.") % {"reference": application.reference})
    return redirect("applications:detail", public_id=application.public_id)


@login_required
@require_POST
def entitlement_decline_view(request, public_id):
    entitlement = entitlement_get_for_resident(user=request.user, public_id=public_id, act=True)
    try:
        entitlement_decline(entitlement=entitlement, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The offer is declined: nothing was applied for."))
    return redirect("proactive:list")


@login_required
@require_POST
def preferences_view(request):
    on = proactive_offers_set(user=request.user, on=request.POST.get("offers") == "on")
    messages.success(request, _("Offers without applying are on.") if on else _("Offers without applying are off."))
    return redirect("proactive:list")
