"""The caseworker's workspace: department-scoped application queues in the Django admin.

Nothing here changes an application directly: every button calls a workflow action.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from services.applications.actions import application_claim, application_decide
from services.applications.models import Application, Status
from services.applications.selectors import application_timeline
from services.applications.workflow import allowed_moves
from services.common.errors import DomainError
from services.dynamic_forms.selectors import answers_for_display
from services.routing.actions import application_routing_retry
from services.routing.selectors import event_note_for_display, intake_findings_for_display

# The buttons of the application page: name → (status it leads to, label, action).
CASE_ACTIONS = {
    "claim": (Status.IN_REVIEW, _("Claim"), lambda app, user, reason: application_claim(application=app, by=user)),
    "approve": (
        Status.APPROVED,
        _("Approve"),
        lambda app, user, reason: application_decide(application=app, by=user, approve=True, reason=reason),
    ),
    "reject": (
        Status.REJECTED,
        _("Reject"),
        lambda app, user, reason: application_decide(application=app, by=user, approve=False, reason=reason),
    ),
}


def _works_in_a_department(user) -> bool:
    return user.is_active and user.is_staff and (user.is_superuser or user.memberships.exists())


class OverdueFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", _("Overdue"))]

    def queryset(self, request, queryset):
        return queryset.overdue(timezone.localdate()) if self.value() == "1" else queryset


class RoutingFailedFilter(admin.SimpleListFilter):
    title = _("routing")
    parameter_name = "routing_failed"

    def lookups(self, request, model_admin):
        return [("1", _("Routing failed"))]

    def queryset(self, request, queryset):
        return queryset.filter(routing_failed_at__isnull=False) if self.value() == "1" else queryset


class AssignedToMeFilter(admin.SimpleListFilter):
    title = _("assigned caseworker")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("Mine"))]

    def queryset(self, request, queryset):
        return queryset.filter(assignee=request.user) if self.value() == "1" else queryset


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "service", "applicant", "status", "priority", "due_date", "team", "assignee"]
    # Only the services and teams in the user's own queues are offered, not every department's.
    list_filter = [
        "status",
        AssignedToMeFilter,
        OverdueFilter,
        ("team", admin.RelatedOnlyFieldListFilter),
        ("service", admin.RelatedOnlyFieldListFilter),
        RoutingFailedFilter,
    ]
    search_fields = ["reference"]
    ordering = ["-priority", "due_date", "submitted_at"]
    list_select_related = ["service", "applicant", "assignee", "team"]
    actions = ["retry_routing"]
    show_full_result_count = False
    view_on_site = False  # the public page is the applicant's own: a 404 for anyone else
    fields = [
        "reference",
        "service",
        "applicant",
        "status",
        "department",
        "team",
        "routing_rule",
        "assignee",
        "priority",
        "submitted_at",
        "due_date",
        "clock_paused_at",
        "routing_failed_at",
        "decided_at",
        "decision_reason",
        "intake",
        "answers_table",
        "timeline",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # No select_related here: the changelist only applies list_select_related to a queryset without one.
        return super().get_queryset(request).visible_to_staff(request.user)

    def get_object(self, request, object_id, from_field=None):
        application = super().get_object(request, object_id, from_field)
        if application is None:
            raise Http404(gettext("No such application in your queues."))
        return application

    def has_module_permission(self, request):
        return _works_in_a_department(request.user)

    def has_view_permission(self, request, obj=None):
        return _works_in_a_department(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
            "<p>{} · {} → {} · {}<br>{}</p>",
            (
                (
                    localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    e.get_from_status_display() or "—",
                    e.get_to_status_display() or "—",
                    e.actor or gettext("system"),
                    e.message or event_note_for_display(note=e.note),
                )
                for e in events
            ),
        )

    def has_retry_routing_permission(self, request):
        return request.user.is_superuser

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        moves = allowed_moves(application=application, by=request.user)
        extra_context = {
            **(extra_context or {}),
            "case_actions": [(name, label) for name, (to, label, _act) in CASE_ACTIONS.items() if to in moves],
            "case_action_url": reverse("admin:applications_application_act", args=[application.pk]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        act = self.admin_site.admin_view(require_POST(self.act_view))
        return [path("<path:object_id>/act/", act, name="applications_application_act"), *super().get_urls()]

    def act_view(self, request, object_id):
        application = self.get_object(request, unquote(object_id))
        name = request.POST.get("action")
        if name not in CASE_ACTIONS:
            raise Http404
        _to, label, act = CASE_ACTIONS[name]
        try:
            application = act(application, request.user, request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                gettext("%(reference)s: %(status)s.")
                % {"reference": application.reference, "status": application.get_status_display()},
            )
        return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))
