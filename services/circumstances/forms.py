"""The facts each kind of change asks for, and their rules: one form per kind, used by the web page and (through
``change_report``) by the API alike."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.actions import profile_clean_phone
from services.accounts.models import District
from services.documents.models import Document

from .models import Kind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Relationship(forms.TypedChoiceField):
    CHOICES = [
        ("spouse", _("Spouse")),
        ("parent", _("Parent")),
        ("child", _("Child")),
        ("other", _("Other family member")),
    ]

    def __init__(self, **kwargs):
        super().__init__(choices=[("", "—"), *self.CHOICES], **kwargs)


class ChangeForm(forms.Form):
    """What every change has: the day it took effect and, where the kind needs it, evidence from the wallet of the
    person reporting it. ``born``: the date of birth of the person it is about (no change can come before it)."""

    kind: Kind
    facts: tuple[str, ...] = ()
    needs_evidence = False
    date_label = _("Date of the change")

    effective_date = forms.DateField(
        widget=DATE_WIDGET, error_messages={"invalid": _("Enter a real date, like 2026-03-07.")}
    )
    evidence = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        to_field_name="public_id",
        label=_("Evidence from your documents"),
        help_text=_("Upload it to your documents first, then choose it here."),
        empty_label="—",
        error_messages={"required": _("Choose the document that shows this change.")},
    )

    def __init__(self, *args, born: dt.date | None = None, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.born = born
        self.fields["effective_date"].label = self.date_label
        if self.needs_evidence:
            self.fields["evidence"].queryset = documents if documents is not None else Document.objects.none()
        else:
            del self.fields["evidence"]

    def clean_effective_date(self):
        date = self.cleaned_data["effective_date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future: report a change once it has happened."))
        if self.born and date < self.born:
            raise forms.ValidationError(_("The date cannot be before the date of birth of the person it is about."))
        return date

    def fact_values(self) -> dict:
        """The change's facts as stored: codes, text and ISO dates."""
        values = {name: self.cleaned_data[name] for name in self.facts}
        return {name: value.isoformat() if isinstance(value, dt.date) else value for name, value in values.items()}


class AddressForm(ChangeForm):
    kind = Kind.ADDRESS
    facts = ("district", "street_address")
    date_label = _("Date you moved")
    district = forms.ChoiceField(label=_("New district"), choices=[("", "—"), *District.choices])
    street_address = forms.CharField(
        label=_("New street address"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )


class PhoneForm(ChangeForm):
    kind = Kind.PHONE
    facts = ("phone",)
    date_label = _("Date the number changed")
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        help_text=_("A mainland mobile number, 11 digits starting with 1."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        return profile_clean_phone(self.cleaned_data["phone"])


class BirthForm(ChangeForm):
    kind = Kind.BIRTH
    facts = ("child_name",)
    needs_evidence = True
    date_label = _("The child's date of birth")
    child_name = forms.CharField(label=_("The child's name"), max_length=100)

    def fact_values(self) -> dict:
        return {**super().fact_values(), "child_birth_date": self.cleaned_data["effective_date"].isoformat()}


class JobForm(ChangeForm):
    kind = Kind.JOB
    facts = ("employer",)
    date_label = _("Date you started")
    employer = forms.CharField(label=_("Employer"), max_length=200)


class DeathForm(ChangeForm):
    kind = Kind.DEATH
    facts = ("relative_name", "relationship")
    needs_evidence = True
    date_label = _("Date of death")
    relative_name = forms.CharField(label=_("Their name"), max_length=100)
    relationship = Relationship(label=_("They were your"))


FORMS: dict[str, type[ChangeForm]] = {
    form.kind: form for form in (AddressForm, PhoneForm, BirthForm, JobForm, DeathForm)
}


def facts_for_display(*, kind: str, facts: dict) -> list[tuple[str, str]]:
    """Return a change's facts as (label, value) in the reader's language: the labels its form asks them with, the
    codes (a district, a relationship) worded by their choices."""
    form = FORMS[kind]
    rows = []
    for name in form.facts:
        field = form.base_fields[name]
        choices = dict(getattr(field, "choices", ()) or ())
        value = facts.get(name, "")
        rows.append((str(field.label), str(choices.get(value, value))))
    return rows
