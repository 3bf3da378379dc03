"""Writes to accounts: the resident profile's rules (shared by the web form and the API) and push devices."""

import datetime as dt
import io
import json
import uuid
import zipfile

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.bulk import rows_delete
from services.common.errors import NotAllowed, TooMany, ValidationFailed
from services.common.storage import private_storage
from services.common.tasks import publish_on_commit

from .models import DataExport, Device, ResidentProfile, User
from .permissions import staff_scope_for
from .privacy import personal_data_erase, personal_data_export
from .selectors import STAFF_ENROLMENT_SALT
from .validators import normalize_resident_id, resident_id_birth_date, validate_resident_id


class ProfileInvalid(ValidationFailed):
    """The profile changes broke a rule; ``form`` holds the bound form with its errors, for the web to redraw."""

    def __init__(self, form):
        errors = {field: [error["message"] for error in items] for field, items in form.errors.get_json_data().items()}
        super().__init__(_("The profile has errors; see the list."), errors=errors)
        self.form = form


def profile_clean_id_number(value: str) -> str | None:
    """Return the resident ID number normalised (upper-case X, no spaces), None if blank; refuse an invalid one."""
    id_number = normalize_resident_id(value)
    if id_number:
        validate_resident_id(id_number)
    return id_number or None


def profile_clean_phone(value: str) -> str:
    """Return the mobile number as 11 digits (a +86 prefix dropped); refuse anything else but blank."""
    phone = "".join(ch for ch in value if ch.isdigit())
    if len(phone) == 13 and value.lstrip().startswith("+86"):
        phone = phone[2:]
    if phone and (len(phone) != 11 or not phone.startswith("1")):
        raise ValidationError(_("Enter an 11-digit mainland mobile number starting with 1."))
    return phone


def profile_cross_errors(*, data: dict, failed: set[str]) -> dict[str, str]:
    """Return the rules across fields that ``data`` breaks, by field: birth date vs ID number, SMS needs a phone."""
    errors = {}
    id_number, born = data.get("id_number"), data.get("date_of_birth")
    if id_number and born and resident_id_birth_date(id_number) != born:
        errors["date_of_birth"] = _("The date of birth does not match your resident ID number.")
    if data.get("notify_by_sms") and not data.get("phone") and "phone" not in failed:
        errors["notify_by_sms"] = _("Add your mobile number to get text messages.")
    return errors


# The facts a verified identity vouches for: locked in the profile once verified.
VERIFIED_FIELDS = ("legal_name", "id_number", "date_of_birth")


def profile_verified_errors(*, profile: ResidentProfile, data) -> dict[str, str]:
    """Return an error for each verified fact ``data`` tries to change (the same value again is fine)."""
    if not profile.is_identity_verified:
        return {}
    current = model_to_dict(profile, fields=VERIFIED_FIELDS)
    return {
        name: _("Confirmed by your verified identity: it cannot be changed here.")
        for name in VERIFIED_FIELDS
        if name in data and str(data[name] or "").strip().upper() != str(current[name] or "").upper()
    }


@transaction.atomic
def profile_update(*, profile: ResidentProfile, changes, partial: bool = False) -> ResidentProfile:
    """Save profile changes checked by the profile's rules; ``partial`` keeps the fields not given."""
    from .forms import ProfileForm  # the form holds the field rules; it calls the functions above

    data = changes
    if partial:
        data = {
            name: value
            for name, value in model_to_dict(profile, fields=ProfileForm._meta.fields).items()
            if value is not None
        }
        data.update(changes)
        if "id_number" in changes and "date_of_birth" not in changes:
            data.pop("date_of_birth", None)  # a new ID number brings its own birth date
    form = ProfileForm(data, instance=profile)
    if not form.is_valid():
        raise ProfileInvalid(form)
    return form.save()


def device_register(*, user, platform: str, token: str) -> tuple[Device, bool]:
    """Register (or move to ``user``) a phone's push token; return the device and whether it is new."""
    device, created = Device.objects.update_or_create(token=token, defaults={"user": user, "platform": platform})
    return device, created


def device_unregister(*, user, public_id) -> bool:
    """Forget one of the user's phones (at logout); return whether there was one."""
    return Device.objects.filter(user=user, public_id=public_id).delete()[0] > 0


@transaction.atomic
def account_delete(*, user, password: str) -> None:
    """Erase the resident's personal data and close the account, after checking their password.

    Each app erases what it holds (services.accounts.privacy): kept, as the law requires, are submitted
    applications with their reference, answers, decision and timeline, the documents attached to them, and the
    ratings, unsigned. Erased: the profile, email addresses, two-factor keys, sessions, devices, drafts,
    notifications and every wallet document no application uses.
    """
    if not user.check_password(password or ""):
        raise ValidationFailed(_("The password is not right."), {"password": [_("The password is not right.")]})
    personal_data_erase(user=user)
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "is_active", "password"])


def data_export_start(*, user) -> DataExport:
    """Start building the resident's data export in the background, or return the one still being built; at most
    DATA_EXPORTS_PER_DAY a day (each costs a worker a zip of every document)."""
    building = DataExport.objects.filter(
        user=user, status__in=(DataExport.Status.PENDING, DataExport.Status.RUNNING)
    ).first()
    if building is not None:
        return building
    today = DataExport.objects.filter(user=user, created_at__gte=timezone.now() - dt.timedelta(days=1)).count()
    if today >= settings.DATA_EXPORTS_PER_DAY:
        raise TooMany(_("You have asked for your data %(count)d times in the last day. Try again tomorrow.")
                      % {"count": today})  # fmt: skip
    export = DataExport.objects.create(
        user=user, expires_at=timezone.now() + dt.timedelta(days=getattr(settings, "DATA_EXPORT_DAYS", 7))
    )
    publish_on_commit("services.accounts.tasks.build_data_export", (export.pk,))
    return export


def data_export_build(*, export_id: int) -> DataExport | None:
    """Build the export's zip (data.json and each clean document) into private storage, recording progress.

    Idempotent: an export already finished is left alone, and so is one another worker is building (it touched the
    row within DATA_EXPORT_SWEEP_AFTER_SECONDS); a failure marks it failed (the resident can start again).
    """
    # updated_at shows the build is alive: update() does not set it by itself. A running build untouched for longer
    # than the sweep's age (beyond the task's time limit) died with its worker, and is built again.
    now = timezone.now()
    lost = now - dt.timedelta(seconds=settings.DATA_EXPORT_SWEEP_AFTER_SECONDS)
    claimable = Q(status=DataExport.Status.PENDING) | Q(status=DataExport.Status.RUNNING, updated_at__lt=lost)
    claimed = DataExport.objects.filter(claimable, pk=export_id).update(
        status=DataExport.Status.RUNNING, progress=5, updated_at=now
    )
    if not claimed:
        return None
    export = DataExport.objects.select_related("user").get(pk=export_id)
    try:
        content, files = personal_data_export(user=export.user)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            for number, file in enumerate(files, start=1):
                with file.open() as source:
                    archive.writestr(file.name, source.read())
                progress = 10 + 85 * number // len(files)
                DataExport.objects.filter(pk=export.pk).update(progress=progress, updated_at=timezone.now())
        stored_name = private_storage().save(f"exports/{export.public_id}.zip", ContentFile(buffer.getvalue()))
    except Exception:
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED, finished_at=timezone.now())
        raise
    finished = DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.READY,
        progress=100,
        stored_name=stored_name,
        size=len(buffer.getvalue()),
        finished_at=timezone.now(),
    )
    if not finished:  # the account was deleted, and the export with it, while this build ran: keep no zip
        private_storage().delete(stored_name)
        return None
    return DataExport.objects.get(pk=export.pk)


def data_export_delete(*, exports) -> int:
    """Delete these exports with their zips (a pending one's build then finds nothing to do); return how many."""
    storage = private_storage()
    exports = list(exports)
    for export in exports:
        if export.stored_name:
            storage.delete(export.stored_name)
        export.delete()
    return len(exports)


def data_export_purge_expired() -> int:
    """Delete expired exports and their zips; return how many."""
    return data_export_delete(exports=DataExport.objects.filter(expires_at__lte=timezone.now()))


def profile_set_elder_mode(*, user, on: bool) -> None:
    """Remember elder mode (larger text, higher contrast, simpler layout) in the resident's profile."""
    ResidentProfile.objects.update_or_create(user=user, defaults={"elder_mode": on})


def sessions_purge_expired() -> int:
    """Delete the sessions (web cookies and the app's tokens) past their expiry, batch by batch, then the
    "active sessions" rows whose session is gone (expired or signed out); return how many sessions went.

    What ``clearsessions`` does for the cached_db engine (the cached copies expire by themselves), counted. allauth
    drops a user's dead "active sessions" rows only when that user signs in again."""
    now = timezone.now()
    expired = rows_delete(queryset=Session.objects.filter(expire_date__lt=now))
    # A row is written just after its session in the same sign-in: a minute's grace keeps one being written.
    gone = ~Exists(Session.objects.filter(session_key=OuterRef("session_key")))
    rows_delete(queryset=UserSession.objects.filter(gone, created_at__lt=now - dt.timedelta(minutes=1)))
    return expired


def staff_enrolment_token(*, user: User, by: User | None) -> str:
    """Issue a one-time enrolment link's token for a staff member to set up their authenticator app: valid
    STAFF_ENROLMENT_HOURS and only until an authenticator is set up (selectors.staff_enrolment_user_id). ``by``: an
    administrator or a supervisor of one of the member's departments (None: the operator, from the command line)."""
    if not user.is_staff:
        raise NotAllowed(_("Enrolment links are for staff."))
    if by is not None:
        scope = staff_scope_for(user=by)
        departments = user.memberships.values_list("department_id", flat=True)
        if not (scope.is_admin or any(scope.supervises(department) for department in departments)):
            raise NotAllowed(_("Only an administrator or the member's supervisor can issue an enrolment link."))
    return signing.dumps(user.pk, salt=STAFF_ENROLMENT_SALT)
