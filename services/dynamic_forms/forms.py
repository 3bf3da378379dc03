from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

from .fields import DEFAULT_MAX_ITEMS, FIELD_TYPES, field_type_name, help_of, label_of
from .structure import answers_merge, is_asked, questions
from .validation import validate_answers


class AnswersForm(forms.Form):
    """A web form for some of a form's questions (one step, or all of them), built from the schema's field types.

    ``answers`` are the answers stored so far: they fill the fields and decide which conditional questions are
    asked (None asks every question, for a preview). ``require`` checks required questions (Continue) or only
    that each answer is right (Back, Save for later). ``notes`` adds a note per question ("From your profile").
    A repeating group is asked as rows of its sub-questions, named ``<group>-<row>-<question>``; the buttons
    ``group-action=add:<group>`` and ``remove:<group>:<row>`` add and remove rows without JavaScript.

    Once valid, ``changes`` holds the JSON answer of each question on the form (None for one left blank) and
    ``answers`` the stored answers with those changes made.

    A document question offers ``documents[<document type>]`` (the page's (value, label) choices: the resident's
    wallet documents of that type) and a file input; ``upload`` says what it accepts (``accept``, ``hint``).
    """

    def __init__(self, data=None, *args, schema: dict, names=None, answers=None, require=True, notes=None,
                 documents=None, upload=None, **kwargs):  # fmt: skip
        if data is not None and not isinstance(data, QueryDict):
            plain = QueryDict(mutable=True)
            for key, value in data.items():
                plain.setlist(key, value if isinstance(value, list) else [value])
            data = plain
        elif data is not None:
            data = data.copy()  # mutable: adding or removing a row renumbers the posted rows
        super().__init__(data, *args, **kwargs)
        self.schema, self.stored, self.require = schema, answers or {}, require
        props, required, notes = schema["properties"], set(schema.get("required", [])), notes or {}
        names = [name for name, _prop in questions(schema)] if names is None else names
        self.questions = [(name, props[name]) for name in names if is_asked(props[name], answers)]
        self.rows: dict[str, list[int]] = {}  # group → the posted row numbers that hold an answer
        self._layout: list[tuple[str, str, dict]] = []
        for name, prop in self.questions:
            field_type = FIELD_TYPES[field_type_name(prop)]
            if field_type.form_field is None:
                self._add_group(name, prop, notes.get(name, ""))
                continue
            field = field_type.form_field(prop, require and name in required)
            field.label = label_of(name, prop)
            field.help_text = " ".join(filter(None, (str(notes.get(name, "")), help_of(prop))))
            if "x-document-type" in prop:
                self._offer_documents(field, (documents or {}).get(prop["x-document-type"], []), upload or {})
            if name in self.stored:
                self.initial[name] = field_type.to_initial(prop, self.stored[name])
            self.fields[name] = field
            self._layout.append(("field", name, prop))
        self.changes: dict = {}
        self.answers: dict = {}

    @staticmethod
    def _offer_documents(field: forms.ChoiceField, choices: list, upload: dict) -> None:
        field.choices = choices
        field.widget.upload_accept, field.widget.upload_hint = upload.get("accept", ""), upload.get("hint", "")

    def _add_group(self, name: str, prop: dict, note: str) -> None:
        items, max_rows = prop["items"], prop.get("maxItems", DEFAULT_MAX_ITEMS)
        subs = questions(items)
        if self.is_bound:
            count = self.data.get(f"{name}-rows", "1")
            count = min(max(int(count) if count.isdigit() else 1, 1), max_rows)
            rows = [{sub: self.data.getlist(f"{name}-{i}-{sub}") for sub, _p in subs} for i in range(count)]
            action = self.data.get("group-action", "")
            if action == f"add:{name}" and count < max_rows:
                rows.append({})
            elif action.startswith(f"remove:{name}:") and action.rsplit(":", 1)[1].isdigit():
                index = int(action.rsplit(":", 1)[1])
                rows = [row for i, row in enumerate(rows) if i != index] or [{}]
            for key in [key for key in self.data if key.startswith(f"{name}-")]:
                del self.data[key]
            for i, row in enumerate(rows):
                for sub, values in row.items():
                    self.data.setlist(f"{name}-{i}-{sub}", values)
            self.data[f"{name}-rows"] = str(len(rows))
        else:
            stored = self.stored.get(name) or []
            rows = [
                {sub: FIELD_TYPES[field_type_name(p)].to_initial(p, row[sub]) for sub, p in subs if sub in row}
                for row in stored
            ]
            rows += [{}] * (max(prop.get("minItems", 1), 1) - len(rows))
        self.fields[f"{name}-rows"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.initial[f"{name}-rows"] = len(rows)
        row_label = label_of(_("Row"), items)
        for i, row in enumerate(rows):
            for sub, sub_prop in subs:
                field = FIELD_TYPES[field_type_name(sub_prop)].form_field(sub_prop, False)
                field.label, field.help_text = label_of(sub, sub_prop), help_of(sub_prop)
                field.summary_label = f"{row_label} {i + 1}: {field.label}"
                # Checked when the row holds an answer (a blank row is left out), so not marked optional.
                field.row_required = sub in items.get("required", [])
                self.fields[f"{name}-{i}-{sub}"] = field
                if not self.is_bound and sub in row:
                    self.initial[f"{name}-{i}-{sub}"] = row[sub]
        self._layout.append(("group", name, {**prop, "row_count": len(rows), "note": note}))

    @property
    def layout(self) -> list[dict]:
        """Return what the template shows, question by question: a field, or a group's rows of fields."""
        items = []
        for kind, name, prop in self._layout:
            if kind == "field":
                items.append({"field": self[name]})
                continue
            subs = questions(prop["items"])
            row_label = label_of(_("Row"), prop["items"])
            items.append(
                {
                    "group": name,
                    "label": label_of(name, prop),
                    "help": " ".join(filter(None, (str(prop["note"]), help_of(prop)))),
                    "rows": [
                        {
                            "label": f"{row_label} {i + 1}",
                            "number": i,
                            "fields": [self[f"{name}-{i}-{s}"] for s, _p in subs],
                        }
                        for i in range(prop["row_count"])
                    ],
                    "can_add": prop["row_count"] < prop.get("maxItems", DEFAULT_MAX_ITEMS),
                }
            )
        return items

    @property
    def group_action(self) -> bool:
        """Return whether the resident pressed a group's add or remove button (to show the rows, not save)."""
        return self.is_bound and bool(self.data.get("group-action"))

    def clean(self):
        data = super().clean()
        changes = {}
        for name, prop in self.questions:
            field_type = FIELD_TYPES[field_type_name(prop)]
            if field_type.form_field is None:
                changes[name] = self._group_answer(name, prop, data) or None
            else:
                value = data.get(name)
                changes[name] = None if value in (None, "", [], {}) else field_type.to_json(prop, value)
        merged = answers_merge(self.schema, self.stored, changes)
        asked = dict(self.questions)
        for path, messages in validate_answers(schema=self.schema, answers=merged, partial=not self.require).items():
            question = path.split(".")[0]
            if question not in asked:
                continue  # another step's question: not this page's business
            field = self._field_for(path)
            if field in self.errors:
                continue  # the field's own check already explained what is wrong
            for message in messages:
                # A group's own error (too few rows) has no field: the summary names the group.
                self.add_error(field, message if field else f"{label_of(question, asked[question])}: {message}")
        self.changes, self.answers = changes, merged
        return data

    def _group_answer(self, name: str, prop: dict, data: dict) -> list[dict]:
        """Return the group's rows that hold an answer, as JSON; blank rows are left out."""
        rows, self.rows[name] = [], []
        for i in range(int(self.data.get(f"{name}-rows") or 0) if self.is_bound else 0):
            row = {}
            for sub, sub_prop in questions(prop["items"]):
                value = data.get(f"{name}-{i}-{sub}")
                if value not in (None, "", []):
                    row[sub] = FIELD_TYPES[field_type_name(sub_prop)].to_json(sub_prop, value)
            if row:
                rows.append(row)
                self.rows[name].append(i)
        return rows

    def _field_for(self, path: str) -> str | None:
        """Return the form field an error at ``path`` belongs to ('children.0.name' → 'children-<row>-name')."""
        parts = path.split(".")
        if (
            parts[0] in self.rows
            and len(parts) >= 3
            and parts[1].isdigit()
            and int(parts[1]) < len(self.rows[parts[0]])
        ):
            name = f"{parts[0]}-{self.rows[parts[0]][int(parts[1])]}-{parts[2]}"
            return name if name in self.fields else None
        return parts[0] if parts[0] in self.fields else None
