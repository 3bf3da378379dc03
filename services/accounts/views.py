from allauth.mfa.totp import views as totp_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common.errors import TooMany, ValidationFailed
from services.common.storage import private_storage

from .actions import ProfileInvalid, account_delete, data_export_start, profile_set_elder_mode, profile_update
from .forms import AccountDeleteForm, ProfileForm
from .middleware import set_elder_mode_cookie, set_language_cookie
from .selectors import (
    data_export_get_for_owner,
    data_export_list_for_owner,
    profile_for_user,
    staff_enrolment_user_id,
    totp_enabled,
)

ENROLMENT_SESSION_KEY = "staff_enrolment"  # the staff member whose enrolment link this browser opened


@login_required
def profile_edit(request):
    profile = profile_for_user(user=request.user)
    form = ProfileForm(instance=profile)
    if request.method == "POST":
        try:
            profile = profile_update(profile=profile, changes=request.POST)
        except ProfileInvalid as exc:
            return render(request, "accounts/profile.html", {"form": exc.form})
        translation.activate(profile.preferred_language)  # the confirmation is in the language just chosen
        messages.success(request, _("Your profile has been saved."))
        next_url = request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None, require_https=False):
            response = redirect(next_url)
        else:
            response = redirect("accounts:profile")
        set_language_cookie(response, profile.preferred_language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def security(request):
    """Sign-in and security: links to allauth's password change, two-factor set-up and active sessions."""
    return render(request, "accounts/security.html")


@login_required
def account_delete_view(request):
    """Delete the account after the password is entered again; what is kept by law is explained on the page."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationFailed as exc:
            for message in exc.errors.get("password", [str(exc)]):
                form.add_error("password", message)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted and your personal data erased."))
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
def data_export(request):
    """Start an export (POST) or list the resident's exports still downloadable."""
    if request.method == "POST":
        try:
            export = data_export_start(user=request.user)
        except TooMany as exc:
            messages.error(request, str(exc))
            return redirect("accounts:export")
        return redirect("accounts:export-status", public_id=export.public_id)
    return render(request, "accounts/export.html", {"exports": data_export_list_for_owner(user=request.user)})


@login_required
def data_export_status(request, public_id):
    """Show an export's progress; the page refreshes itself (a meta refresh, no JavaScript) until it is done."""
    export = data_export_get_for_owner(user=request.user, public_id=public_id)
    return render(request, "accounts/export_status.html", {"export": export})


@login_required
def data_export_download(request, public_id):
    """Send the export's zip to its owner (a 404 for anyone else, and once it has expired)."""
    export = data_export_get_for_owner(user=request.user, public_id=public_id)
    return data_export_file_response(export=export)


def data_export_file_response(*, export) -> FileResponse:
    if export.status != export.Status.READY:
        raise Http404
    try:
        stored = private_storage().open(export.stored_name, "rb")
    except FileNotFoundError:  # the storage lost it (a restore, a purge): gone, as after expiry; never a 500
        raise Http404 from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=f"my-data-{export.created_at:%Y%m%d}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def elder_mode(request):
    """Switch elder mode (长者版) on or off: a cookie for this browser, and the profile when signed in."""
    on = request.POST.get("elder_mode") == "1"
    if request.user.is_authenticated:
        profile_set_elder_mode(user=request.user, on=on)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = "/"
    response = redirect(next_url)
    set_elder_mode_cookie(response, on)
    return response


@login_required
def staff_enrol(request, token):
    """Open a staff member's one-time enrolment link: signed in as that member, it leads to setting up the
    authenticator app; anyone else's, an expired or a used one is refused, saying whom to ask."""
    if staff_enrolment_user_id(token=token) != request.user.pk:
        return render(request, "accounts/staff_enrolment.html", status=403)
    request.session[ENROLMENT_SESSION_KEY] = request.user.pk
    return redirect("mfa_activate_totp")


@login_required
def totp_activate(request):
    """allauth's set-up of an authenticator app, which staff reach only through their enrolment link (so that no
    one holding a staff password enrols an authenticator of their own first)."""
    staff = request.user.is_staff and settings.STAFF_REQUIRE_MFA
    if staff and request.session.get(ENROLMENT_SESSION_KEY) != request.user.pk:
        return render(request, "accounts/staff_enrolment.html", status=403)
    response = totp_views.activate_totp(request)
    if staff and totp_enabled(user_id=request.user.pk):
        request.session.pop(ENROLMENT_SESSION_KEY, None)  # set up: the link has served
    return response
