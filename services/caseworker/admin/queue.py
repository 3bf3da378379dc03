"""The queue's change list: its rows read with only what the list shows, and written directly (Django's generic row
builder looks every cell up through the admin's field machinery, which at 50 rows cost more than the rest of the
page)."""

import datetime as dt

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from services.applications.models import Application, Priority, Status
from services.applications.selectors import application_deadline_flag
from services.catalogue.models import Service
from services.integrations.selectors import departments_handled_elsewhere
from services.routing.models import Team


class QueueChangeList(ChangeList):
    """The queue's rows with only what the list shows. The applicant and the caseworker are joined; the few services
    and teams are read by id in two small queries (joining them as well cost the planner ten times as long as the
    query took); the answers, the intake findings and the service's form and texts, the widest fields and JSON to
    decode, are not read."""

    def get_queryset(self, request, exclude_parameters=None):
        services = Service.objects.defer(
            "form_schema", "eligibility_rules", "summary_zh", "summary_en", "keywords_zh", "keywords_en"
        )
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("answers", "intake_flags")
            # A department handled in its own system gets its applications there, not in this queue.
            .exclude(department_id__in=departments_handled_elsewhere())
            .prefetch_related(
                Prefetch("service", queryset=services),
                Prefetch("team", queryset=Team.objects.select_related("department")),
            )
        )


def deadline_words() -> dict[str, str]:
    """The deadline flags in words (worked out once per page, not per row)."""
    return {"paused": gettext("paused"), "overdue": gettext("overdue"), "soon": gettext("due soon")}


def deadline_cell(application: Application, *, today: dt.date, words: dict[str, str]) -> str:
    """The due date with its flag, said in words and styled as due-<flag>."""
    if application.due_date is None:
        return "—"
    flag = application_deadline_flag(application=application, today=today)
    if flag is None:
        return unbroken_date(application.due_date.isoformat())
    return format_html('{} <strong class="due-{}">{}</strong>', unbroken_date(application.due_date.isoformat()), flag,
                       words[flag])  # fmt: skip


def unbroken_date(text: str) -> str:
    """The date that begins ``text`` kept on one line (never broken at its hyphens); what follows may wrap."""
    date, space, rest = text.partition(" ")
    return format_html('<span class="nowrap">{}</span>{}{}', date, space, rest)


def queue_rows(model_admin, cl) -> list[list[str]] | None:
    """Return the queue's table cells row by row, as Django's change list writes them (for the caseworker_queue
    template tag); None when a column is not one of these. What every row shares (today, the labels, the link's
    pattern) is worked out once per page."""
    empty = model_admin.get_empty_value_display()
    today, words = timezone.localdate(), deadline_words()
    statuses, priorities = dict(Status.choices), dict(Priority.choices)
    cells = {
        "service": lambda a: a.service,
        "applicant_name": model_admin.applicant_name,
        "status": lambda a: statuses.get(a.status, a.status),
        "priority": lambda a: priorities.get(a.priority, a.priority),
        "submitted": model_admin.submitted,
        "due": lambda a: deadline_cell(a, today=today, words=words),
        "team": lambda a: a.team or empty,
        "assignee": lambda a: a.assignee or empty,
    }
    columns = [name for name in cl.list_display if name not in ("action_checkbox", "reference")]
    if cl.is_popup or cl.formset or list(cl.list_display_links or ()) != ["reference"] or set(columns) - set(cells):
        return None
    # One link for the first row, the others by its pattern: the same URL and preserved filters but the id.
    first_url = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.url_for_result(Application(pk=0))
    )
    before, after = (escape(part) for part in first_url.split("/0/", 1))
    nowrap = ("service", "team", "assignee")  # foreign keys: Django marks them nowrap (caseworker.css lets them wrap)
    td = {name: f'<td class="field-{name}{" nowrap" if name in nowrap else ""}">' for name in columns}
    checkbox = "action_checkbox" in cl.list_display
    label = gettext("Select this object for an action - {}")  # Django's words, as its widget says them
    rows = []
    for application in cl.result_list:
        # Every value below is escaped (conditional_escape keeps the deadline's markup, itself escaped).
        html = [
            '<td class="action-checkbox"><input type="checkbox" name="%s" value="%s" class="action-select" '
            'aria-label="%s"></td>' % (ACTION_CHECKBOX_NAME, application.pk, escape(label.format(application)))
        ] if checkbox else []  # fmt: skip
        html.append(
            f'<th class="field-reference"><a href="{before}/{application.pk}/{after}">'
            f"{conditional_escape(application.reference or empty)}</a></th>"
        )
        html += [f"{td[name]}{conditional_escape(cells[name](application))}</td>" for name in columns]
        rows.append([mark_safe(cell) for cell in html])  # noqa: S308  # nosec B308, B703  # each cell escaped above
    return rows
