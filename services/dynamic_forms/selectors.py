from .fields import display_answer, label_of
from .structure import form_steps, is_asked, steps_asked


def answers_for_display(*, schema: dict, answers: dict) -> list[tuple[str, str]]:
    """Return (label, answer) pairs of the answered questions in the form's order, in the active language."""
    props = schema["properties"]
    return [
        (label_of(name, props[name]), display_answer(props[name], answers[name]))
        for step in form_steps(schema)
        for name in step["fields"]
        if name in answers
    ]


def answers_by_step(*, schema: dict, answers: dict) -> list[dict]:
    """Return each step asked, with its key, title and (label, answer) rows; an unanswered question's answer is ''."""
    props = schema["properties"]
    return [
        {
            "key": step["key"],
            "title": label_of(step["key"], step),
            "rows": [
                (label_of(name, props[name]), display_answer(props[name], answers[name]) if name in answers else "")
                for name in step["fields"]
                if is_asked(props[name], answers)
            ],
        }
        for step in steps_asked(schema, answers)
    ]
