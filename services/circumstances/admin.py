"""A department's changes of circumstances in the admin: its staff (two factors, its departments only) see each
change beside the person's cases and answer it; every look and answer is in the audit log."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.accounts.selectors import profile_for_user
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.admin import CappedCountPaginator
from services.common.errors import NotReady
from services.documents.selectors import document_check_clean
from services.documents.views import document_file_response

from .actions import ANSWERS, acknowledgement_answer
from .forms import facts_for_display
from .models import Acknowledgement, AckStatus


class EscalatedFilter(admin.SimpleListFilter):
    title = _("escalated")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [("yes", _("Escalated")), ("no", _("Not escalated"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(escalated_at__isnull=self.value() == "no")
        return queryset


def _answer_action(status: str, description):
    @admin.action(description=description, permissions=["acknowledge"])
    def act(modeladmin, request, queryset):
        for acknowledgement in queryset.select_related("change"):
            modeladmin.answer(request, acknowledgement, status=status, note=acknowledgement.note)
        messages.success(request, gettext("%(count)d changes answered.") % {"count": len(queryset)})

    act.__name__ = f"mark_{status}"
    return act


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["change_kind", "person", "effective_date", "department", "status", "escalated", "created_at"]
    list_filter = ["status", EscalatedFilter]
    list_select_related = ["change__user__profile", "department"]
    ordering = ["-created_at", "-id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = [
        _answer_action(AckStatus.APPLIED, _("Mark the selected changes applied")),
        _answer_action(AckStatus.NEEDS_ACTION, _("Mark the selected changes as needing action")),
        _answer_action(AckStatus.NOT_RELEVANT, _("Mark the selected changes not relevant")),
    ]
    fields = ["change_kind", "person", "effective_date", "facts", "evidence", "reasons_shown", "department",
              "escalated", "status", "note", "acknowledged_by", "acknowledged_at"]  # fmt: skip
    readonly_fields = ["change_kind", "person", "effective_date", "facts", "evidence", "reasons_shown", "department",
                       "escalated", "acknowledged_by", "acknowledged_at"]  # fmt: skip

    def get_queryset(self, request):
        departments = staff_scope(request).departments()
        queryset = super().get_queryset(request)
        return queryset if departments is None else queryset.filter(department_id__in=list(departments))

    def has_module_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).works_anywhere

    def has_change_permission(self, request, obj=None):
        scope = staff_scope(request)
        return scope.works_anywhere if obj is None else scope.works_in(obj.department_id)

    def has_acknowledge_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [(value, label) for value, label in AckStatus.choices if value in ANSWERS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("what changed"), ordering="change__kind")
    def change_kind(self, acknowledgement):
        return acknowledgement.change.get_kind_display()

    @admin.display(description=_("person"))
    def person(self, acknowledgement):
        user = acknowledgement.change.user
        return profile_for_user(user=user).legal_name or user.email

    @admin.display(description=_("effective date"), ordering="change__effective_date")
    def effective_date(self, acknowledgement):
        return acknowledgement.change.effective_date

    @admin.display(description=_("escalated"), ordering="escalated_at")
    def escalated(self, acknowledgement):
        at = acknowledgement.escalated_at
        return localtime(at).strftime("%Y-%m-%d %H:%M") if at else "—"

    @admin.display(description=_("facts"))
    def facts(self, acknowledgement):
        change = acknowledgement.change
        rows = facts_for_display(kind=change.kind, facts=change.facts)
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>", rows) or "—"

    @admin.display(description=_("evidence"))
    def evidence(self, acknowledgement):
        document = acknowledgement.change.evidence
        if document is None:
            return "—"
        url = reverse("admin:circumstances_acknowledgement_evidence", args=[acknowledgement.pk])
        return format_html('<a href="{}">{} · {}</a>', url, document.document_type.name, document.original_name)

    @admin.display(description=_("why your department was told"))
    def reasons_shown(self, acknowledgement):
        words = {"application": gettext("an open application"), "credential": gettext("a valid credential")}
        return ", ".join(words.get(reason, reason) for reason in acknowledgement.reasons)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        acknowledgement = self.get_object(request, object_id)
        if request.method == "GET":
            audit_record(action=AuditAction.VIEW_CHANGE, request=request, department_id=acknowledgement.department_id,
                         detail=str(acknowledgement.change.public_id))  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        self.answer(request, obj, status=form.cleaned_data["status"], note=form.cleaned_data["note"])

    def answer(self, request, acknowledgement, *, status: str, note: str) -> None:
        acknowledgement_answer(acknowledgement=acknowledgement, status=status, by=request.user, note=note)
        audit_record(action=AuditAction.ACKNOWLEDGE_CHANGE, request=request,
                     department_id=acknowledgement.department_id,
                     detail=f"{acknowledgement.change.public_id} {status}")  # fmt: skip

    def get_urls(self):
        evidence = self.admin_site.admin_view(self.evidence_view)
        return [
            path("<path:object_id>/evidence/", evidence, name="circumstances_acknowledgement_evidence"),
            *super().get_urls(),
        ]

    def evidence_view(self, request, object_id):
        """Show the change's evidence in the browser to the department's staff (the opening is audited)."""
        acknowledgement = self.get_object(request, object_id)
        document = acknowledgement.change.evidence
        if document is None:
            raise Http404(gettext("This change has no evidence."))
        try:
            document_check_clean(document=document)
        except NotReady as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(
                reverse("admin:circumstances_acknowledgement_change", args=[acknowledgement.pk])
            )
        return document_file_response(document=document, request=request, inline=True)

    def get_object(self, request, object_id, from_field=None):
        queryset = self.get_queryset(request).select_related(
            "change__user__profile", "change__evidence__document_type", "department", "acknowledged_by"
        )
        acknowledgement = queryset.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if acknowledgement is None:  # another department's is not found, as everywhere in the admin
            raise Http404(gettext("No such change in your departments."))
        return acknowledgement
