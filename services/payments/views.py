import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from services.accounts.selectors import profile_for_user
from services.applications.selectors import application_get_for_resident
from services.common.errors import DomainError

from .actions import payment_notification_receive, payment_refresh, payment_start
from .providers import PROVIDERS
from .providers.base import BadNotification
from .selectors import payment_get_for_resident

logger = logging.getLogger(__name__)


@login_required
@require_POST
def start(request, application_id):
    application = application_get_for_resident(user=request.user, public_id=application_id)
    try:
        payment = payment_start(application=application, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(application)
    return redirect(payment)


@login_required
def detail(request, public_id):
    """The payment's page, also where the provider's checkout returns: the status is read from the provider."""
    payment = payment_refresh(payment=payment_get_for_resident(user=request.user, public_id=public_id))
    return render(request, "payments/detail.html", {"payment": payment, "application": payment.application})


@login_required
def receipt(request, public_id):
    """The receipt (电子票据) of a paid fee, to print or save, in the resident's preferred language."""
    payment = payment_get_for_resident(user=request.user, public_id=public_id)
    if payment.paid_at is None:
        return redirect(payment)
    with translation.override(profile_for_user(user=request.user).preferred_language):
        return render(request, "payments/receipt.html", {"payment": payment, "application": payment.application})


@csrf_exempt  # the provider posts here, signed with its own key (checked before anything is kept)
@require_POST
def notify(request, provider):
    if provider not in PROVIDERS:
        return JsonResponse({"code": "NOT_FOUND", "message": "unknown provider"}, status=404)
    try:
        outcome = payment_notification_receive(provider=provider, headers=request.headers, body=request.body)
    except BadNotification as exc:
        logger.warning("payment notification refused: %s", exc, extra={"provider": provider})
        return JsonResponse({"code": "FAIL", "message": "signature not verified"}, status=401)
    logger.info("payment notification", extra={"provider": provider, "outcome": outcome})
    return JsonResponse({"code": "SUCCESS", "message": ""})
