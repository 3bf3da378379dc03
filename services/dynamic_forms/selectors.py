from .fields import FIELD_TYPES, field_type_name, label_of, questions


def answers_for_display(*, schema: dict, answers: dict) -> list[tuple[str, str]]:
    """Return (label, answer) pairs in the form's order, with labels in the active language."""
    rows = []
    for name, prop in questions(schema):
        if name in answers:
            rows.append((label_of(name, prop), FIELD_TYPES[field_type_name(prop)].display(prop, answers[name])))
    return rows
