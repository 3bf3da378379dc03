"""The applications in the admin: the department-scoped queue, the application page with its buttons and documents,
and the bulk actions and exports (their own modules), tied together."""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from services.accounts.permissions import staff_scope
from services.accounts.selectors import profile_for_user
from services.applications.models import QUEUE_ORDER, Application, Status
from services.applications.selectors import (
    application_document_list,
    application_timeline,
    credential_evidence,
    information_request_list,
)
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.circumstances.forms import facts_for_display
from services.circumstances.selectors import acknowledgements_for_department
from services.common.admin import CappedCountPaginator, ReadOnlyAdmin
from services.common.errors import NotReady
from services.documents.selectors import document_get_for_download
from services.documents.views import document_file_response
from services.dynamic_forms.selectors import answers_for_display
from services.mandates.models import Mandate
from services.routing.intake import intake_findings_for_display

from .bulk_actions import QueueActionForm, assign_selected, bulk_job_view, retry_routing
from .case_actions import act_view, case_actions_context
from .exports import export_selected, export_view
from .filters import (
    AssignmentFilter,
    DeadlineFilter,
    InUserDepartmentsFilter,
    QueueStatusFilter,
    RoutingFailedFilter,
)
from .queue import QueueChangeList, deadline_cell, deadline_words, queue_rows, submitted_cell


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
    actions = [assign_selected, export_selected, retry_routing]
    action_form = QueueActionForm
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
        "made_by_agent",
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
        "evidence",
        "answers_table",
        "changes_reported",
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
        return staff_scope(request).works_anywhere

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).works_anywhere

    def has_assign_permission(self, request):
        return staff_scope(request).supervises_anywhere

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

    @admin.display(description=_("made by an agent"))
    def made_by_agent(self, application):
        """Who made it for the applicant and on what basis, as the mandate was then (its snapshot)."""
        snapshot = application.mandate_snapshot
        if not snapshot:
            return "—"
        basis = Mandate.Basis(snapshot["basis"]).label
        until = snapshot["valid_until"] or _("no end date")
        approved = _(", approved by staff") if snapshot.get("approved_by_staff") else ""
        return _("%(agent)s, as %(basis)s (valid until %(until)s%(approved)s)") % {
            "agent": snapshot["grantee_name"],
            "basis": basis,
            "until": until,
            "approved": approved,
        }

    @admin.display(description=_("contact"))
    def applicant_contact(self, application):
        phone = profile_for_user(user=application.applicant).phone
        return " · ".join(filter(None, [phone, application.applicant.email]))

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, application):
        return submitted_cell(application, zone=timezone.get_current_timezone())

    @admin.display(description=_("due date"), ordering="due_date")
    def due(self, application):
        return deadline_cell(application, today=timezone.localdate(), words=deadline_words())

    @admin.display(description=_("Answers"))
    def answers_table(self, application):
        rows = answers_for_display(schema=application.schema, answers=application.answers)
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>", rows) or "—"

    @admin.display(description=_("Intake checks"))
    def intake(self, application):
        return format_html_join(
            "", "<p>{}</p>", ((line,) for line in intake_findings_for_display(application=application))
        )

    @admin.display(description=_("Credentials given as evidence"))
    def evidence(self, application):
        rows = []
        for question, credential in credential_evidence(application=application):
            if credential is None:
                rows.append((question, gettext("not a credential of the applicant's: ask for the document")))
                continue
            valid_until = credential.valid_until.date().isoformat() if credential.valid_until else "—"
            verdict = gettext("%(state)s now, until %(date)s") % {
                "state": credential.state().label,
                "date": valid_until,
            }
            rows.append((question, f"{credential.type.name} · {credential.department.name} · {verdict}"))
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>", rows) or "—"

    @admin.display(description=_("Changes of circumstances reported"))
    def changes_reported(self, application):
        """The applicant's changes told to this department, beside the answers (which they never rewrite)."""
        rows = []
        for ack in acknowledgements_for_department(user=application.applicant, department_id=application.department_id):
            change = ack.change
            facts = "; ".join(
                f"{label}: {value}" for label, value in facts_for_display(kind=change.kind, facts=change.facts)
            )
            link = reverse("admin:circumstances_acknowledgement_change", args=[ack.pk])
            rows.append(
                (link, change.get_kind_display(), change.effective_date.isoformat(), facts, ack.get_status_display())
            )
        return format_html_join("", '<p><a href="{}">{}</a> · {} · {}<br>{}</p>', rows) or "—"

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

    def queue_rows(self, cl) -> list[str] | None:
        """Return the queue's table rows, each its cells as one string (for the caseworker_queue template tag; see
        queue.queue_rows)."""
        return queue_rows(self, cl)

    # --- Pages ---

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and staff_scope(request).works_anywhere:
            audit_record(action=AuditAction.LIST, request=request, detail=request.GET.urlencode())
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:applications_application_export") + "?" + request.GET.urlencode(),
            "next_case_url": reverse("admin:applications_application_next"),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        audit_record(action=AuditAction.VIEW, request=request, applications=[application])
        extra_context = {
            **(extra_context or {}),
            **case_actions_context(request, application),
            "information_requests": information_request_list(application=application),
            "next_case_url": reverse("admin:applications_application_next") + f"?after={application.pk}",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        application = self.get_object(request, unquote(object_id))
        audit_record(action=AuditAction.VIEW, request=request, applications=[application], detail="history")
        return super().history_view(request, object_id, extra_context)

    def get_urls(self):
        def view(function, post_only=False):
            return self.admin_site.admin_view(require_POST(function) if post_only else function)

        return [
            path("export/", view(partial(export_view, self)), name="applications_application_export"),
            path(
                "<path:object_id>/act/",
                view(partial(act_view, self), post_only=True),
                name="applications_application_act",
            ),
            path("next/", view(self.next_case_view), name="applications_application_next"),
            path(
                "bulk/<uuid:public_id>/",
                view(partial(bulk_job_view, self)),
                name="applications_application_bulk_job",
            ),
            path(
                "<path:object_id>/documents/<uuid:document_id>/",
                view(self.document_view),
                name="applications_application_document",
            ),
            *super().get_urls(),
        ]

    def next_case_view(self, request):
        """Open the next application waiting to be claimed in the user's queues (in the queue's order, skipping the
        one the caseworker comes from), or go back to the queue when none is waiting."""
        waiting = self.get_queryset(request).filter(status=Status.ROUTED, assignee__isnull=True)
        after = request.GET.get("after", "")
        if after.isdigit():
            waiting = waiting.exclude(pk=after)
        next_id = waiting.order_by(*QUEUE_ORDER).values_list("pk", flat=True).first()
        if next_id is None:
            messages.info(request, gettext("No application is waiting to be claimed in your queues."))
            return HttpResponseRedirect(reverse("admin:applications_application_changelist"))
        return HttpResponseRedirect(reverse("admin:applications_application_change", args=[next_id]))

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
