"""A form answer as the API takes it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .validation import too_deep


def _has_nul(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    return isinstance(data, list) and any(map(_has_nul, data))


class AnswerField(serializers.JSONField):
    """One answer: JSON without NaN or infinity, text without NUL characters (as Django's form fields refuse
    them), and no deeper than a form's answers go, since PostgreSQL cannot store the first two and a depth bomb
    would exhaust the stack: each would be a 500 instead of a 400."""

    default_error_messages = {
        "null_characters_not_allowed": _("Null characters are not allowed."),
        "too_deep": _("This answer is nested too deeply."),
    }

    def to_internal_value(self, data):
        if too_deep(data):
            self.fail("too_deep")
        if _has_nul(data):
            self.fail("null_characters_not_allowed")
        return super().to_internal_value(data)
