from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .actions import (
    VERIFIED_FIELDS,
    profile_clean_id_number,
    profile_clean_phone,
    profile_cross_errors,
    profile_verified_errors,
)
from .models import ResidentProfile
from .validators import resident_id_birth_date

TYPED_ID_MAX_LENGTH = 30


class ProfileForm(forms.ModelForm):
    class Meta:
        model = ResidentProfile
        fields = [
            "legal_name",
            "id_number",
            "date_of_birth",
            "phone",
            "district",
            "street_address",
            "preferred_language",
            "notify_by_email",
            "notify_by_sms",
        ]
        widgets = {
            # <input type="date"> only takes ISO dates; the zh-hans locale would otherwise render 1990/03/07.
            "date_of_birth": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
            "street_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "legal_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "id_number": _("18 characters, as printed on your resident identity card."),
            "phone": _("A mainland mobile number, 11 digits starting with 1."),
            "date_of_birth": _("Not needed if you give your ID number: we read it from there."),
            "notify_by_sms": _("To your mobile number above. Your inbox on this site always gets every message."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_identity_verified:
            # Filled by the identity provider: shown, not editable (a disabled field keeps the saved value).
            for name in VERIFIED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Confirmed by your verified identity.")
        # Typed with spaces or dashes, the number is longer than the 18 characters kept: clean_id_number removes them.
        field = self.fields["id_number"]
        field.max_length, field.widget.attrs["maxlength"] = TYPED_ID_MAX_LENGTH, str(TYPED_ID_MAX_LENGTH)
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        # The ID number holds the date of birth: once it is known, the page does not ask for the date again (a verified
        # identity's is shown, locked, with the other verified facts).
        if self.instance.id_number and "date_of_birth" not in self.data and not self.instance.is_identity_verified:
            del self.fields["date_of_birth"]

    # The rules themselves live in actions.py, shared with the API.
    def clean_id_number(self):
        return profile_clean_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return profile_clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("id_number") and not data.get("date_of_birth"):
            data["date_of_birth"] = self.instance.date_of_birth = resident_id_birth_date(data["id_number"])
        for field, message in profile_cross_errors(data=data, failed=set(self.errors)).items():
            self.add_error(field, message)
        for field, message in profile_verified_errors(profile=self.instance, data=self.data).items():
            self.add_error(field, message)
        return data


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you, enter the password you sign in with."),
    )
