"""The form's structure: the order of its questions, its steps and the conditions that ask a question or not.

Hints on a service's form schema (JSON Schema), all optional:

- ``x-order: [names]``: the questions' order (the rest follow in the schema's order).
- ``x-steps: [{"key", "title", "x-title-zh", "fields": [...]}]``: one topic per page; without it the
  form is one step in ``x-order``.
- ``x-show-if: {"field": name, "equals": value}`` (or ``"in": [values]``) on a question: asked, and
  required when listed in ``required``, only when an earlier step's answer says so; sent otherwise, it
  is an error. Enforced as JSON Schema ``if``/``then``/``else`` (validation.py).

What each question's type is and how it is asked, checked and shown: fields.py.
"""


def questions(schema: dict) -> list[tuple[str, dict]]:
    """Return the form's (name, property) pairs in display order: ``x-order`` first, then the rest."""
    props = schema.get("properties", {})
    order = [name for name in schema.get("x-order") or [] if name in props]
    order += [name for name in props if name not in order]
    return [(name, props[name]) for name in order]


def form_steps(schema: dict) -> list[dict]:
    """Return the form's steps (key, title, x-title-zh, fields); without ``x-steps`` one step holds every question."""
    if schema.get("x-steps"):
        return schema["x-steps"]
    return [
        {
            "key": "answers",
            "title": "Your answers",
            "x-title-zh": "填写信息",
            "fields": [name for name, _prop in questions(schema)],
        }
    ]


def is_asked(prop: dict, answers: dict | None) -> bool:
    """Return whether a question is asked given the answers so far (always, without ``x-show-if``).

    ``answers=None`` asks everything (a preview of the whole form).
    """
    condition = prop.get("x-show-if")
    if not condition or answers is None:
        return True
    value = answers.get(condition["field"])
    return value == condition["equals"] if "equals" in condition else value in condition["in"]


def step_may_be_skipped(schema: dict, step: dict) -> bool:
    """Return whether some answers skip the step: every question on it depends on an earlier answer."""
    return all("x-show-if" in schema["properties"][name] for name in step["fields"])


def steps_asked(schema: dict, answers: dict | None) -> list[dict]:
    """Return the steps with at least one question asked, given the answers so far."""
    props = schema["properties"]
    return [step for step in form_steps(schema) if any(is_asked(props[n], answers) for n in step["fields"])]


def subschema(schema: dict, names: list[str]) -> dict:
    """Return a form of only these questions, optional and unconditional (to ask them on their own)."""
    props = schema["properties"]
    return {
        "type": "object",
        "properties": {name: {k: v for k, v in props[name].items() if k != "x-show-if"} for name in names},
    }


def answers_merge(schema: dict, stored: dict, changes: dict) -> dict:
    """Return ``stored`` updated with ``changes`` (each question's answer replaced whole; None removes it),
    without the stored answers to questions that the change made no longer asked."""
    merged = {name: value for name, value in {**stored, **changes}.items() if value is not None}
    props = schema.get("properties", {})
    while True:  # a question may depend on one that the change has just made unasked
        kept = {
            name: value
            for name, value in merged.items()
            if name in changes or name not in props or is_asked(props[name], merged)
        }
        if kept == merged:
            return kept
        merged = kept
