"""The resident's credentials (beside the document wallet), each printable with its QR code, the public
verification page (no account), and the published keys (JWKS)."""

import io

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .actions import credential_token
from .selectors import credential_get_for_holder, credential_list_for_holder, credential_verify, jwks

MAX_TOKEN = 4000


@login_required
def credential_list(request):
    credentials = list(credential_list_for_holder(user=request.user))
    return render(request, "credentials/list.html", {"credentials": [(c, c.state()) for c in credentials]})


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def credential_detail(request, public_id):
    """The printable credential: the claims its holder chose to show are signed into the QR code."""
    credential = credential_get_for_holder(user=request.user, public_id=public_id)
    shown = [name for name in request.GET.getlist("show") if name in credential.claims]
    token = credential_token(credential=credential, claims={name: credential.claims[name] for name in shown})
    url = request.build_absolute_uri(reverse("credentials:verify")) + "?" + urlencode({"token": token})
    context = {
        "credential": credential,
        "state": credential.state(),
        "claims": [(name, value, name in shown) for name, value in credential.claims.items()],
        "qr": mark_safe(_qr_svg(url)),  # noqa: S308  # nosec B308 B703  # an SVG drawn by qrcode from our own URL
        "token": token,
    }
    return render(request, "credentials/detail.html", context)


@require_GET
def verify(request):
    """Anyone may check a scanned credential here, without an account."""
    token = request.GET.get("token", "")[:MAX_TOKEN]
    verification = credential_verify(token=token) if token.strip() else None
    return render(request, "credentials/verify.html", {"token": token, "verification": verification})


@require_GET
def published_keys(request):
    response = JsonResponse(jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
