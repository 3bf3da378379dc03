from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ResidentProfile
from .validators import normalize_resident_id, resident_id_birth_date, validate_resident_id


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
            "notify_by_sms": _("To your mobile number above. Your inbox on this site always gets every message."),
        }

    def clean_id_number(self):
        id_number = normalize_resident_id(self.cleaned_data["id_number"])
        if id_number:
            # Checked here, not only by the model, so that clean() compares the date of birth with a real number.
            validate_resident_id(id_number)
        return id_number or None

    def clean_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit())
        if len(phone) == 13 and self.cleaned_data["phone"].lstrip().startswith("+86"):
            phone = phone[2:]
        if phone and (len(phone) != 11 or not phone.startswith("1")):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number starting with 1."))
        return phone

    def clean(self):
        data = super().clean()
        id_number, born = data.get("id_number"), data.get("date_of_birth")
        if id_number and born and resident_id_birth_date(id_number) != born:
            self.add_error("date_of_birth", _("The date of birth does not match your resident ID number."))
        if data.get("notify_by_sms") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("notify_by_sms", _("Add your mobile number to get text messages."))
        return data
