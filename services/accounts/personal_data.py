"""The accounts app's own part of a resident's personal data: the account and the profile."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from .actions import data_export_delete
from .models import DataExport, Device, ResidentProfile
from .privacy import register

PROFILE_FIELDS = ["legal_name", "id_number", "date_of_birth", "phone", "district", "street_address",
                  "preferred_language", "notify_by_email", "notify_by_sms", "elder_mode",
                  "identity_verified_at"]  # fmt: skip


def export_account(user):
    """Return the account's email address and when it was opened."""
    return {"email": user.email, "date_joined": user.date_joined}, []


def erase_account(user) -> None:
    """Forget the account's email addresses, two-factor keys and push devices, and sign out every browser and app
    (the user row itself is anonymised last, by account_delete)."""
    Device.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()


def export_profile(user):
    """Return the resident profile's fields (empty if there is none)."""
    profile = ResidentProfile.objects.filter(user=user).first()
    return ({name: getattr(profile, name) for name in PROFILE_FIELDS} if profile else {}), []


def erase_profile(user) -> None:
    """Delete the resident profile."""
    ResidentProfile.objects.filter(user=user).delete()


register(app_label="accounts", section="account", export_for=export_account, erase_for=erase_account)
register(app_label="accounts", section="profile", export_for=export_profile, erase_for=erase_profile)


def export_data_exports(user):
    """Return when the resident asked for their data, and how each export stands."""
    exports = DataExport.objects.filter(user=user).order_by("created_at")
    return [{"requested_at": export.created_at, "status": export.status} for export in exports], []


def erase_data_exports(user) -> None:
    """Delete every data export at once, its zip included; one still waiting or being built is not finished."""
    data_export_delete(exports=DataExport.objects.filter(user=user))


register(app_label="accounts", section="data_exports", export_for=export_data_exports, erase_for=erase_data_exports)
