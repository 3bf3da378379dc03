"""The caseworker's workspace: department-scoped application queues in the Django admin.

Nothing here changes an application directly: every button calls a workflow action, and every look at an
application, a document or an export, and every action, is written to the audit log.
"""

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from services.accounts.permissions import staff_scope
from services.accounts.selectors import profile_for_user, staff_list_for_departments
from services.applications.actions import (
    application_assign,
    application_claim,
    application_decide,
    application_note_add,
    application_release,
    application_request_information,
)
from services.applications.models import (
    CLOCK_RUNNING,
    OPEN_STATUSES,
    QUEUE_ORDER,
    Application,
    Priority,
    RejectionReason,
    Status,
)
from services.applications.selectors import (
    application_document_list,
    application_timeline,
    information_request_list,
    missing_document_types,
    rejection_reason_list,
)
from services.applications.workflow import Actor, actor_roles, allowed_moves
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.catalogue.models import Department, Service
from services.common.admin import CappedCountPaginator, ReadOnlyAdmin
from services.common.errors import DomainError, NotReady, ValidationFailed
from services.documents.selectors import document_get_for_download
from services.documents.views import document_file_response
from services.dynamic_forms.selectors import answers_for_display
from services.routing.actions import application_routing_retry
from services.routing.intake import intake_findings_for_display
from services.routing.models import Backlog, Team
from services.routing.selectors import backlog_by_department, broker_status, routing_health

from .dashboard import supervisor_panels
from .selectors import application_export_table, queue_filter_choices

DUE_SOON_DAYS = 3  # calendar days before the due date when the queue marks an application "due soon"
EXPORT_MAX_ROWS = 10_000


def _department_ids(request) -> list[int]:
    """The departments whose queues the user works in."""
    return list(staff_scope(request).department_ids)


def _supervised_ids(request) -> frozenset[int] | None:
    """The departments the user supervises; None for an administrator (all)."""
    return staff_scope(request).supervised()


def _audit(request, action: AuditAction, **kwargs) -> None:
    """Write the audit entry of what the user looks at or does on this request."""
    audit_record(action=action, request=request, **kwargs)


def _works_in_a_department(request) -> bool:
    return staff_scope(request).works_anywhere


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
            .prefetch_related(
                Prefetch("service", queryset=services),
                Prefetch("team", queryset=Team.objects.select_related("department")),
            )
        )


# --- Filters -----------------------------------------------------------------------------------


class QueueStatusFilter(admin.SimpleListFilter):
    """The open applications of the queue unless another status (or all) is chosen."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        return queryset.filter(status=value) if value in Status.values else queryset.open()


class AssignmentFilter(admin.SimpleListFilter):
    title = _("assigned caseworker")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Mine")), ("nobody", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return queryset.filter(assignee__isnull=True) if self.value() == "nobody" else queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within %(days)d days") % {"days": DUE_SOON_DAYS}),
            ("paused", _("Awaiting information (clock paused)")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            soon = today + dt.timedelta(days=DUE_SOON_DAYS)
            return queryset.filter(status__in=CLOCK_RUNNING, due_date__gte=today, due_date__lte=soon)
        if self.value() == "paused":
            return queryset.filter(status=Status.AWAITING_INFORMATION)
        return queryset


class RoutingFailedFilter(admin.SimpleListFilter):
    title = _("routing")
    parameter_name = "routing_failed"

    def lookups(self, request, model_admin):
        return [("1", _("Routing failed"))]

    def queryset(self, request, queryset):
        return queryset.filter(routing_failed_at__isnull=False) if self.value() == "1" else queryset


class InUserDepartmentsFilter(admin.RelatedFieldListFilter):
    """Offers only the teams or services of the user's departments (read from their small tables, not by
    scanning the applications)."""

    def field_choices(self, field, request, model_admin):
        departments = staff_scope(request).departments()
        return queue_filter_choices(
            model=field.related_model, department_ids=None if departments is None else list(departments)
        )


def _deadline_words() -> dict[str, str]:
    return {"paused": gettext("paused"), "overdue": gettext("overdue"), "soon": gettext("due soon")}


def _deadline(application: Application, *, today: dt.date, words: dict[str, str]) -> str:
    """The due date with its flag: paused (waiting for the resident), overdue, or due soon."""
    if application.due_date is None:
        return "—"
    due_date = application.due_date
    if application.status == Status.AWAITING_INFORMATION:
        flag, css = words["paused"], "due-paused"
    elif application.status not in CLOCK_RUNNING:
        flag, css = "", ""
    elif due_date < today:
        flag, css = words["overdue"], "due-overdue"
    elif due_date <= today + dt.timedelta(days=DUE_SOON_DAYS):
        flag, css = words["soon"], "due-soon"
    else:
        flag, css = "", ""
    if not flag:
        return due_date.isoformat()
    return format_html('{} <strong class="{}">{}</strong>', due_date.isoformat(), css, flag)


# --- The buttons of the application page ---------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    label: str
    audit: AuditAction
    offered: Callable[[Application, set, set], bool]  # (application, moves, roles) → show the button?
    run: Callable  # (application, request, version)


def _assignee(application, request):
    assignee = staff_list_for_departments(department_ids=[application.department_id]).filter(
        pk=request.POST.get("assignee") or None
    )
    if not assignee:
        raise ValidationFailed(gettext("Choose a caseworker."), errors={"assignee": [gettext("Required.")]})
    return assignee.get()


def _decide(application, request, version, *, approve: bool):
    chosen = None if approve else request.POST.get("rejection_reason") or None
    return application_decide(
        application=application,
        by=request.user,
        approve=approve,
        reason=request.POST.get("reason", ""),
        rejection_reason=rejection_reason_list(application=application).filter(pk=chosen).first(),
        version=version,
    )


CASE_ACTIONS = {
    "claim": CaseAction(
        _("Claim"),
        AuditAction.CLAIM,
        lambda app, moves, roles: app.status == Status.ROUTED and Status.IN_REVIEW in moves,
        lambda app, request, version: application_claim(application=app, by=request.user, version=version),
    ),
    "release": CaseAction(
        _("Release to the queue"),
        AuditAction.RELEASE,
        lambda app, moves, roles: Status.ROUTED in moves,
        lambda app, request, version: application_release(application=app, by=request.user, version=version),
    ),
    "assign": CaseAction(
        _("Assign"),
        AuditAction.ASSIGN,
        lambda app, moves, roles: Actor.SUPERVISOR in roles and app.status in OPEN_STATUSES,
        lambda app, request, version: application_assign(
            application=app, assignee=_assignee(app, request), by=request.user, version=version
        ),
    ),
    "request_information": CaseAction(
        _("Ask the resident"),
        AuditAction.REQUEST_INFORMATION,
        lambda app, moves, roles: app.status == Status.IN_REVIEW and Status.AWAITING_INFORMATION in moves,
        lambda app, request, version: application_request_information(
            application=app,
            by=request.user,
            message=request.POST.get("message", ""),
            items=request.POST.get("items", "").splitlines(),
            version=version,
        ),
    ),
    "approve": CaseAction(
        _("Approve"),
        AuditAction.APPROVE,
        lambda app, moves, roles: Status.APPROVED in moves,
        lambda app, request, version: _decide(app, request, version, approve=True),
    ),
    "reject": CaseAction(
        _("Reject"),
        AuditAction.REJECT,
        lambda app, moves, roles: Status.REJECTED in moves,
        lambda app, request, version: _decide(app, request, version, approve=False),
    ),
    "note": CaseAction(
        _("Add the note"),
        AuditAction.NOTE,
        lambda app, moves, roles: Actor.STAFF in roles,
        lambda app, request, version: application_note_add(
            application=app, by=request.user, text=request.POST.get("note", "")
        ),
    ),
}


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "service",
        "applicant_name",
        "status",
        "priority",
        "submitted",
        "due",
        "team",
        "assignee",
    ]
    list_display_links = ["reference"]
    list_filter = [
        QueueStatusFilter,
        AssignmentFilter,
        DeadlineFilter,
        ("team", InUserDepartmentsFilter),
        ("service", InUserDepartmentsFilter),
    ]
    search_fields = ["reference"]  # the search itself is ApplicationQuerySet.search (see get_search_results)
    search_help_text = _("A reference, a resident ID number, or the beginning of the applicant's legal name.")
    ordering = QUEUE_ORDER  # the order of the queue's indexes: a page is read off an index, with no sort
    list_select_related = ["applicant__profile", "assignee"]  # and the service and team (QueueChangeList)
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["assign_selected", "export_selected", "retry_routing"]
    view_on_site = False  # the public page is the applicant's own: a 404 for anyone else
    fields = [
        "reference",
        "service",
        "form_version",
        "status",
        "priority",
        "applicant_name",
        "applicant_id_number",
        "applicant_contact",
        "department",
        "team",
        "routing_rule",
        "assignee",
        "submitted_at",
        "due",
        "clock_paused_at",
        "decided_at",
        "decision_reason",
        "intake",
        "answers_table",
        "timeline",
    ]
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_queryset(self, request):
        # No select_related here: the changelist only applies list_select_related to a queryset without one.
        return super().get_queryset(request).visible_to_staff(staff_scope(request))

    def get_object(self, request, object_id, from_field=None):
        # Read once per request: the page's own checks and Django's change view both ask for it.
        cached = getattr(request, "_caseworker_application", None)
        if cached is not None and str(cached.pk) == str(object_id):
            return cached
        queryset = self.get_queryset(request).select_related(
            "service", "form_version", "applicant__profile", "department", "team", "routing_rule", "assignee"
        )
        application = queryset.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if application is None:
            raise Http404(gettext("No such application in your queues."))
        request._caseworker_application = application
        return application

    def get_search_results(self, request, queryset, search_term):
        return (queryset.search(search_term) if search_term.strip() else queryset), False

    def get_list_filter(self, request):
        return [*self.list_filter, RoutingFailedFilter] if staff_scope(request).is_admin else self.list_filter

    def has_module_permission(self, request):
        return _works_in_a_department(request)

    def has_view_permission(self, request, obj=None):
        return _works_in_a_department(request)

    def has_assign_permission(self, request):
        supervised = _supervised_ids(request)
        return supervised is None or bool(supervised)

    def has_retry_routing_permission(self, request):
        return staff_scope(request).is_admin

    # --- Columns and fields ---

    def action_checkbox(self, application):
        """The row's checkbox for the bulk actions, as Django's but written out: its form widget costs a template
        render per row."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            application.pk,
            # Django's own words (its catalogue translates them), as its widget says them.
            gettext("Select this object for an action - {}").format(application),
        )

    @admin.display(description=_("applicant"))
    def applicant_name(self, application):
        return profile_for_user(user=application.applicant).legal_name or application.applicant.email

    @admin.display(description=_("resident ID number"))
    def applicant_id_number(self, application):
        return profile_for_user(user=application.applicant).id_number or "—"

    @admin.display(description=_("contact"))
    def applicant_contact(self, application):
        phone = profile_for_user(user=application.applicant).phone
        return " · ".join(filter(None, [phone, application.applicant.email]))

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, application):
        return localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M") if application.submitted_at else "—"

    @admin.display(description=_("due date"), ordering="due_date")
    def due(self, application):
        return _deadline(application, today=timezone.localdate(), words=_deadline_words())

    @admin.display(description=_("Answers"))
    def answers_table(self, application):
        rows = answers_for_display(schema=application.schema, answers=application.answers)
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>", rows) or "—"

    @admin.display(description=_("Intake checks"))
    def intake(self, application):
        return format_html_join(
            "", "<p>{}</p>", ((line,) for line in intake_findings_for_display(application=application))
        )

    @admin.display(description=_("Timeline"))
    def timeline(self, application):
        events = application_timeline(application=application, for_resident=False)
        return format_html_join(
            "",
            "<p>{} · {} · {}{}<br>{}</p>",
            (
                (
                    localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    f"{e.get_from_status_display()} → {e.get_to_status_display()}"
                    if e.to_status
                    else gettext("Internal note"),
                    e.actor or gettext("system"),
                    "" if e.visible_to_resident else " · " + gettext("staff only"),
                    linebreaksbr(" ".join(filter(None, [e.get_note_display() if e.note else "", e.message]))),
                )
                for e in events
            ),
        )

    def queue_rows(self, cl) -> list[list[str]] | None:
        """Return the queue's table cells row by row, as Django's change list writes them (for the
        caseworker_queue template tag); None when a column is not one of these. What every row shares (today, the
        labels, the link's pattern) is worked out once per page."""
        empty = self.get_empty_value_display()
        today, words = timezone.localdate(), _deadline_words()
        statuses, priorities = dict(Status.choices), dict(Priority.choices)
        cells = {
            "service": lambda a: a.service,
            "applicant_name": self.applicant_name,
            "status": lambda a: statuses.get(a.status, a.status),
            "priority": lambda a: priorities.get(a.priority, a.priority),
            "submitted": self.submitted,
            "due": lambda a: _deadline(a, today=today, words=words),
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
        nowrap = ("service", "team", "assignee")  # foreign keys: Django keeps them on one line
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
            rows.append([mark_safe(cell) for cell in html])  # noqa: S308
        return rows

    # --- Pages ---

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and _works_in_a_department(request):
            _audit(request, AuditAction.LIST, detail=request.GET.urlencode())
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:applications_application_export") + "?" + request.GET.urlencode(),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        _audit(request, AuditAction.VIEW, applications=[application])
        roles = actor_roles(application=application, by=request.user, scope=staff_scope(request))
        moves = allowed_moves(application=application, by=request.user, roles=roles)
        offered = {name for name, action in CASE_ACTIONS.items() if action.offered(application, moves, roles)}
        extra_context = {
            **(extra_context or {}),
            "case_actions": [(name, action.label) for name, action in CASE_ACTIONS.items() if name in offered],
            "case_action_url": reverse("admin:applications_application_act", args=[application.pk]),
            "application_version": application.version,
            "rejection_reasons": rejection_reason_list(application=application) if "reject" in offered else [],
            "assignable": staff_list_for_departments(department_ids=[application.department_id]).exclude(
                pk=application.applicant_id
            )
            if "assign" in offered
            else [],
            "missing_documents": "\n".join(t.name for t in missing_document_types(application=application))
            if "request_information" in offered
            else "",
            "information_requests": information_request_list(application=application),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        application = self.get_object(request, unquote(object_id))
        _audit(request, AuditAction.VIEW, applications=[application], detail="history")
        return super().history_view(request, object_id, extra_context)

    def get_urls(self):
        def view(function, post_only=False):
            return self.admin_site.admin_view(require_POST(function) if post_only else function)

        return [
            path("export/", view(self.export_view), name="applications_application_export"),
            path("<path:object_id>/act/", view(self.act_view, post_only=True), name="applications_application_act"),
            path(
                "<path:object_id>/documents/<uuid:document_id>/",
                view(self.document_view),
                name="applications_application_document",
            ),
            *super().get_urls(),
        ]

    def act_view(self, request, object_id):
        application = self.get_object(request, unquote(object_id))
        action = CASE_ACTIONS.get(request.POST.get("action"))
        if action is None:
            raise Http404
        version = request.POST.get("version", "")
        try:
            if not version.isdigit():
                raise ValidationFailed(gettext("This page is out of date: reload it and try again."))
            action.run(application, request, int(version))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            _audit(request, action.audit, applications=[application])
            application.refresh_from_db(fields=["status"])
            messages.success(
                request,
                gettext("%(reference)s: %(status)s.")
                % {"reference": application.reference, "status": application.get_status_display()},
            )
        return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))

    def document_view(self, request, object_id, document_id):
        """Show a document attached to the application in the browser (after the same checks as a download)."""
        application = self.get_object(request, unquote(object_id))
        try:
            document = document_get_for_download(user=request.user, public_id=document_id, scope=staff_scope(request))
        except NotReady as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))
        if not application_document_list(application=application).filter(pk=document.pk).exists():
            raise Http404
        return document_file_response(document=document, request=request, inline=True)

    # --- Bulk actions ---

    @admin.action(permissions=["assign"], description=_("Assign the selected applications"))
    def assign_selected(self, request, queryset):
        supervised = _supervised_ids(request)
        staff = staff_list_for_departments(
            department_ids=_department_ids(request) if supervised is None else supervised
        )
        form = AssignForm(request.POST if "apply" in request.POST else None, staff=staff)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Assign the selected applications"),
                "opts": self.model._meta,
                "form": form,
                "applications": queryset.select_related("service", "assignee"),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/applications/application/assign.html", context)
        assigned = []
        for application in queryset:
            try:
                application_assign(application=application, assignee=form.cleaned_data["assignee"], by=request.user)
            except DomainError as exc:
                messages.error(request, f"{application.reference}: {exc}")
            else:
                assigned.append(application)
        _audit(request, AuditAction.ASSIGN, applications=assigned)
        messages.success(
            request,
            gettext("%(count)d applications assigned to %(person)s.")
            % {"count": len(assigned), "person": form.cleaned_data["assignee"]},
        )
        return None

    @admin.action(description=_("Export the selected applications (CSV)"))
    def export_selected(self, request, queryset):
        return self._export(request, queryset)

    def export_view(self, request):
        """Export every application the queue's current filters and search select (CSV)."""
        if not self.has_view_permission(request):
            raise Http404
        return self._export(request, self.get_changelist_instance(request).get_queryset(request))

    def _export(self, request, queryset):
        if queryset[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS:  # counted on the index, before any row is read
            messages.error(
                request,
                gettext("More than %(count)d applications: narrow the filters to export them.")
                % {"count": EXPORT_MAX_ROWS},
            )
            return HttpResponseRedirect(reverse("admin:applications_application_changelist"))
        applications = list(queryset.select_related("service", "department", "team", "assignee", "applicant__profile"))
        _audit(request, AuditAction.EXPORT, applications=applications)
        header, rows = application_export_table(
            applications=applications, personal_department_ids=_supervised_ids(request)
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="applications-{timezone.localtime():%Y%m%d-%H%M}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")  # a byte-order mark, so that spreadsheet programs read the Chinese as UTF-8
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows([[_spreadsheet_safe(value) for value in row] for row in rows])
        return response

    @admin.action(permissions=["retry_routing"], description=_("Retry routing of the selected applications"))
    def retry_routing(self, request, queryset):
        retried = 0
        for application in queryset.filter(routing_failed_at__isnull=False):
            try:
                application_routing_retry(application=application, by=request.user)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                retried += 1
        messages.success(request, gettext("Routing retried for %(count)d applications.") % {"count": retried})


def _spreadsheet_safe(value: str) -> str:
    """Keep a cell from being run as a formula when the export is opened in a spreadsheet (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    """The reasons a service's applications may be rejected for: administrators, and supervisors for their own
    departments' services."""

    list_display = ["title_zh", "title_en", "service", "position", "is_active"]
    list_filter = ["is_active", "service__department"]
    list_select_related = ["service"]
    search_fields = ["title_zh", "title_en", "service__title_zh", "service__title_en"]
    ordering = ["service__slug", "position"]

    def get_queryset(self, request):
        reasons = super().get_queryset(request)
        supervised = _supervised_ids(request)
        return reasons if supervised is None else reasons.filter(service__department_id__in=supervised)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        supervised = _supervised_ids(request)
        if db_field.name == "service" and supervised is not None:
            kwargs["queryset"] = Service.objects.filter(department_id__in=supervised)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        supervised = _supervised_ids(request)
        return request.user.is_active and request.user.is_staff and (supervised is None or bool(supervised))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Backlog)
class DashboardAdmin(ReadOnlyAdmin):
    """The routing dashboard: each department's backlog, the broker's queues, routing per hour, failures and
    the periodic jobs' last runs, and the supervisors' panels (services.caseworker.dashboard). Supervisors see
    their departments; administrators see everything."""

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).supervises_anywhere

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def _departments(self, request):
        supervised = staff_scope(request).supervised()
        departments = Department.objects.all()
        return departments if supervised is None else departments.filter(pk__in=supervised)

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.changelist_view), name="routing_backlog_changelist")]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        departments = self._departments(request)
        queues = [department.celery_queue for department in departments]
        if staff_scope(request).is_admin:
            queues = ["routing", "default", *queues]
        broker = broker_status(queues=queues)
        backlog = backlog_by_department(departments=departments, today=timezone.localdate())
        for row in backlog:
            row["depth"] = broker.get("depths", {}).get(row["queue"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Routing dashboard"),
            "opts": self.model._meta,
            "statuses": [Status(status).label for status in OPEN_STATUSES[1:]],
            "backlog": backlog,
            "broker": broker,
            "health": routing_health(since=timezone.now() - dt.timedelta(hours=24)),
            "show_routing": staff_scope(request).is_admin,
            "failed_url": reverse("admin:applications_application_changelist") + "?routing_failed=1",
            **supervisor_panels(
                scope=staff_scope(request), department_ids=[d.pk for d in departments], today=timezone.localdate()
            ),  # fmt: skip
        }
        return TemplateResponse(request, "admin/routing/dashboard.html", context)
