from django import forms
from django.utils.translation import gettext_lazy as _

from services.catalogue.models import Service

from .models import Mandate


class MandateGrantForm(forms.Form):
    access = forms.ChoiceField(
        label=_("What may they do?"),
        choices=Mandate.Access.choices,
        initial=Mandate.Access.APPLY,
        widget=forms.RadioSelect,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("For which services?"),
        queryset=Service.objects.active().order_by("slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every service."),
    )
    valid_until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Without a date it lasts until you end it."),
    )
