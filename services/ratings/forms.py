from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import COMMENT_MAX_LENGTH
from .models import Score


class ScoreField(forms.TypedChoiceField):
    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(
            choices=Score.choices,
            coerce=int,
            error_messages={"required": _("Choose a score from 1 to 5.")},
            **kwargs,
        )


class RatingForm(forms.Form):
    speed = ScoreField(label=_("Speed: how quickly was your application handled?"))
    clarity = ScoreField(label=_("Clarity: how clear were the forms, letters and explanations?"))
    attitude = ScoreField(label=_("Attitude: how were you treated by the staff?"))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Tell us what went well or what should change. Do not include personal details."),
    )
