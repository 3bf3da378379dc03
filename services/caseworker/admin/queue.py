"""The queue's change list: its rows read with only what the list shows, and written directly (Django's generic row
builder looks every cell up through the admin's field machinery, which at 50 rows cost more than the rest of the
page)."""

import datetime as dt
from html import escape as html_escape

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.db.models import CharField, F, Prefetch, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from services.applications.models import Application, Priority, Status
from services.applications.selectors import application_deadline_flag
from services.catalogue.models import Service
from services.integrations.selectors import departments_handled_elsewhere
from services.routing.models import Team

from ..selectors import queue_names
from .filters import kept_choices


class QueueChangeList(ChangeList):
    """The queue's rows with only what the list shows. The applicant and the caseworker are joined; the few services
    and teams are named from the filters' kept choices on the queue's own rows, and read by id in two small queries
    otherwise (joining them as well cost the planner ten times as long as the query took); the answers, the intake
    findings and the service's form and texts, the widest fields and JSON to decode, are not read."""

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

    def get_results(self, request):
        # The page's rows with only the columns the list shows, the applicant's name and the caseworker's address
        # read as values of the row, not as two users and a profile built for each (an action still gets whole rows:
        # get_queryset). Only the page's query reads them: the count joins nothing.
        self.queryset = self.queryset.select_related(None).only(*QUEUE_COLUMNS)
        if writes_own_rows(self):  # the services' and teams' names from the filters' kept choices (queue_rows)
            self.queryset = self.queryset.prefetch_related(None)
            self.kept_choices = {Service: kept_choices(request, Service), Team: kept_choices(request, Team)}
        super().get_results(request)
        self.result_list = self.result_list.annotate(**QUEUE_VALUES)


def writes_own_rows(cl) -> bool:
    """Whether queue_rows writes the change list's rows: not in a popup or with forms in the rows, and only with the
    columns it knows, linked by their reference."""
    if cl.is_popup or cl.list_editable or list(cl.list_display_links or ()) != ["reference"]:
        return False
    return not set(_columns(cl)) - set(QUEUE_CELLS)


def _columns(cl) -> list[str]:
    """The change list's columns after the checkbox and the reference: those a row's cells write."""
    return [name for name in cl.list_display if name not in ("action_checkbox", "reference")]


# What a row of the queue shows: its reference (or id), service, applicant, status, priority, dates and deadline flag,
# team and caseworker.
QUEUE_COLUMNS = (
    "public_id", "reference", "service", "status", "priority", "submitted_at", "due_date", "team", "assignee",
)  # fmt: skip
QUEUE_CELLS = ("service", "applicant_name", "status", "priority", "submitted", "due", "team", "assignee")
QUEUE_VALUES = {
    # As ApplicationAdmin.applicant_name says it: the legal name, or the address of an applicant without one.
    "queue_applicant": Coalesce(
        NullIf("applicant__profile__legal_name", Value("")), "applicant__email", output_field=CharField()
    ),
    "queue_assignee": F("assignee__email"),  # the caseworker as a User reads (its __str__)
}


def deadline_words() -> dict[str, str]:
    """The deadline flags in words (worked out once per page, not per row)."""
    return {"paused": gettext("paused"), "overdue": gettext("overdue"), "soon": gettext("due soon")}


def deadline_cell(application: Application, *, today: dt.date, words: dict[str, str]) -> str:
    """The due date with its flag, said in words and styled as due-<flag>."""
    if application.due_date is None:
        return "—"
    date = unbroken_date(application.due_date.isoformat())
    flag = application_deadline_flag(application=application, today=today)
    if flag is None:
        return date
    return SafeString(f'{date} <strong class="due-{flag}">{html_escape(words[flag])}</strong>')  # nosec B703


def submitted_cell(application: Application, *, zone: dt.tzinfo) -> str:
    """When the application was submitted, in the time zone ``zone`` (the page's, looked up once per page)."""
    if not application.submitted_at:
        return "—"
    return unbroken_date(application.submitted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))


def unbroken_date(text: str) -> str:
    """The date that begins ``text`` kept on one line (never broken at its hyphens); what follows may wrap."""
    # Written with the standard library's escape and marked safe directly: Django's escape, format_html and mark_safe
    # check their arguments for laziness, some calls more each, on every row of the queue.
    date, space, rest = text.partition(" ")
    return SafeString(f'<span class="nowrap">{html_escape(date)}</span>{space}{html_escape(rest)}')  # nosec B703


def queue_rows(model_admin, cl) -> list[str] | None:
    """Return the queue's table rows, each the cells of a row as Django's change list writes them (for the
    caseworker_queue template tag); None when a column is not one of these. What every row shares (today, the labels,
    the link's pattern, the few services, teams and caseworkers of a page, each written once) is worked out once per
    page, and a row is one string: the template writes 50 rows, not 500 cells."""
    if not writes_own_rows(cl):  # a popup, forms in the rows (list_editable), a column it does not know
        return None
    empty = model_admin.get_empty_value_display()
    cells = _cells(cl, empty)
    columns = _columns(cl)
    # One link for the first row, the others by its pattern: the same URL and preserved filters but the id.
    first_url = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.url_for_result(Application(pk=0))
    )
    before, after = (escape(part) for part in first_url.split("/0/", 1))
    nowrap = ("service", "team", "assignee")  # foreign keys: Django marks them nowrap (caseworker.css lets them wrap)
    td = [(f'<td class="field-{name}{" nowrap" if name in nowrap else ""}">', cells[name]) for name in columns]
    checkbox = "action_checkbox" in cl.list_display
    label = gettext("Select this object for an action - {}")  # Django's words, as its widget says them
    rows = []
    for application in cl.result_list:
        # Every value is escaped (the cells' own markup, of the dates and the deadline, escapes what it holds).
        reference = html_escape(application.reference) if application.reference else escape(empty)
        html = (
            '<td class="action-checkbox"><input type="checkbox" name="%s" value="%s" class="action-select" '
            'aria-label="%s"></td>' % (ACTION_CHECKBOX_NAME, application.pk, html_escape(label.format(application)))
        ) if checkbox else ""  # fmt: skip
        html += f'<th class="field-reference"><a href="{before}/{application.pk}/{after}">{reference}</a></th>'
        html += "".join([f"{start}{cell(application)}</td>" for start, cell in td])
        rows.append(SafeString(html))  # nosec B703  # each value escaped above
    return rows


def _cells(cl, empty: str) -> dict:
    """The queue's cells by column: each a function of a row returning its escaped text or markup."""
    today, words, zone = timezone.localdate(), deadline_words(), timezone.get_current_timezone()
    statuses = {value: conditional_escape(label) for value, label in Status.choices}
    priorities = {value: conditional_escape(label) for value, label in Priority.choices}
    services, teams = (
        queue_names(model=model, choices=cl.kept_choices[model],
                    ids={getattr(a, attname) for a in cl.result_list} - {None})
        for model, attname in ((Service, "service_id"), (Team, "team_id"))
    )  # fmt: skip

    def once(key, value):
        """The escaped text of a related row (a service, team or caseworker), written once per page."""
        attname, written = f"{key}_id", {}

        def cell(application):
            related_id = getattr(application, attname)
            if related_id is None:
                return conditional_escape(empty)
            if related_id not in written:
                written[related_id] = conditional_escape(value(application))
            return written[related_id]

        return cell

    return {
        "service": once("service", lambda a: services[a.service_id]),
        "applicant_name": lambda a: html_escape(a.queue_applicant),
        "status": lambda a: statuses.get(a.status) or conditional_escape(a.status),
        "priority": lambda a: priorities.get(a.priority) or conditional_escape(a.priority),
        "submitted": lambda a: submitted_cell(a, zone=zone),  # markup, or a dash
        "due": lambda a: deadline_cell(a, today=today, words=words),  # markup, or a dash
        "team": once("team", lambda a: teams[a.team_id]),
        "assignee": once("assignee", lambda a: a.queue_assignee),
    }
