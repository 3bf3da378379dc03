from django import forms
from django.utils.translation import gettext_lazy as _

from .inspection import ACCEPTED_EXTENSIONS, KINDS
from .selectors import document_type_list

MAX_FILES = 10
# Phones offer the camera as well as files for image types; the server sniffs whatever arrives.
ACCEPT = ",".join([*ACCEPTED_EXTENSIONS, *(kind.content_type for kind in KINDS.values()), "image/heif"])


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by document_upload, which names the file it refuses."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Upload at most %(count)d files at a time.") % {"count": MAX_FILES})
        return files


class UploadForm(forms.Form):
    document_type = forms.ModelChoiceField(label=_("What is it?"), queryset=document_type_list())
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("For a document that expires, such as an identity card."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("PDF, JPEG, PNG or HEIC (iPhone photos), up to %(size)s each. Choose several, or take a photo."),
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, max_size: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {"size": max_size}
