from django import forms
from django.utils.translation import gettext_lazy as _

from services.accounts.models import District


class EligibilityFactsForm(forms.Form):
    """The facts about the resident the service's rules look at, asked on the service page (no account needed)."""

    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    district = forms.ChoiceField(
        label=_("District you live in"), required=False, choices=[("", "—"), *District.choices]
    )

    def __init__(self, *args, facts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in [name for name in self.fields if name not in facts]:
            del self.fields[name]
