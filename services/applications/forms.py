from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_TEXT


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.document_type.name} · {obj.original_name}"


class AnswerForm(forms.Form):
    """The resident's answer to an information request: words, documents from their wallet, or both."""

    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Answer every point in one go; you can also send documents below."),
    )
    documents = DocumentChoiceField(
        label=_("Documents to send from your wallet"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = documents


class AttachForm(forms.Form):
    document = forms.UUIDField()
