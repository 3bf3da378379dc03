from django import forms

from .fields import FIELD_TYPES, field_type_name, help_of, label_of, questions
from .validation import validate_answers


class AnswersForm(forms.Form):
    """A web form built from a service's JSON Schema; ``answers`` holds the JSON answers once valid."""

    def __init__(self, *args, schema: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        required = set(schema.get("required", []))
        for name, prop in questions(schema):
            field = FIELD_TYPES[field_type_name(prop)].form_field(prop, name in required)
            field.label, field.help_text = label_of(name, prop), help_of(prop)
            self.fields[name] = field
        self.answers: dict = {}

    def clean(self):
        data = super().clean()
        answers = {}
        for name, prop in questions(self.schema):
            value = data.get(name)
            if value not in (None, ""):
                answers[name] = FIELD_TYPES[field_type_name(prop)].to_json(prop, value)
        for field, messages in validate_answers(schema=self.schema, answers=answers).items():
            if field in self.errors:
                continue  # the field's own check already explained what is wrong
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        self.answers = answers
        return data

    @classmethod
    def initial_from_answers(cls, answers: dict) -> dict:
        """Return form initial values from stored JSON answers (yes/no as the radio values)."""
        return {k: ("true" if v is True else "false" if v is False else v) for k, v in (answers or {}).items()}
