from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ResidentProfile
from .validators import normalize_resident_id, resident_id_birth_date


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
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "legal_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "id_number": _("18 characters, as printed on your resident identity card."),
            "phone": _("A mainland mobile number, 11 digits starting with 1."),
        }

    def clean_id_number(self):
        return normalize_resident_id(self.cleaned_data["id_number"]) or None

    def clean_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit())
        if phone and (len(phone) != 11 or not phone.startswith("1")):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number starting with 1."))
        return phone

    def clean(self):
        data = super().clean()
        id_number, born = data.get("id_number"), data.get("date_of_birth")
        if id_number and born and resident_id_birth_date(id_number) != born:
            self.add_error("date_of_birth", _("The date of birth does not match your resident ID number."))
        return data
