"""Supervisors follow up bad ratings of their own department's applications in the admin; nobody else sees them."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.accounts.selectors import profile_for_user
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import DomainError

from .actions import follow_up_record_contact, follow_up_resolve
from .models import FollowUp, FollowUpStatus
from .selectors import follow_up_is_late, follow_up_list_for_staff


def _supervises(request) -> bool:
    return staff_scope(request).supervises_anywhere


class FollowUpForm(forms.ModelForm):
    contacted = forms.BooleanField(label=_("I have contacted the resident"), required=False)

    class Meta:
        model = FollowUp
        fields = ["outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.contacted_at:  # recorded already: say when, rather than offer it again
            when = date_format(localtime(self.instance.contacted_at), "Y-m-d H:i")
            field = self.fields["contacted"]
            field.initial, field.disabled = True, True
            field.help_text = gettext("Contacted on %(when)s.") % {"when": when}


class LateFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("all", _("All"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    form = FollowUpForm
    list_display = ["reference", "department", "scores", "status", "contact_due", "resolve_due", "late"]
    list_filter = ["status", LateFilter]
    list_select_related = ["rating__application", "department"]
    search_fields = ["rating__application__reference"]
    readonly_fields = [
        "application",
        "contact",
        "department",
        "step",
        "scores",
        "comment",
        "status",
        "contact_due",
        "resolve_due",
        "contacted_at",
        "resolved_at",
        "handled_by",
    ]
    fields = [*readonly_fields, "contacted", "outcome"]

    def get_queryset(self, request):
        return follow_up_list_for_staff(scope=staff_scope(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        follow_up = self.get_object(request, unquote(object_id))
        audit_record(action=AuditAction.VIEW, request=request, applications=[follow_up.rating.application],
                     detail="follow-up")  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        follow_up = super().get_object(request, object_id, from_field)
        if follow_up is None:
            raise Http404(gettext("No such follow-up in your department."))
        return follow_up

    def has_module_permission(self, request):
        return _supervises(request)

    def has_view_permission(self, request, obj=None):
        return _supervises(request)

    def has_change_permission(self, request, obj=None):
        return _supervises(request) and (obj is None or obj.status != FollowUpStatus.RESOLVED)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("application"), ordering="rating__application__reference")
    def reference(self, follow_up):
        return follow_up.rating.application.reference

    @admin.display(description=_("application"))
    def application(self, follow_up):
        application = follow_up.rating.application
        url = reverse("admin:applications_application_change", args=[application.pk])
        return format_html('<a href="{}">{}</a>', url, application.reference)

    @admin.display(description=_("the resident's contact"))
    def contact(self, follow_up):
        applicant = follow_up.rating.application.applicant
        profile = profile_for_user(user=applicant)
        return " · ".join(filter(None, [profile.legal_name, profile.phone, applicant.email]))

    @admin.display(description=_("step rated"))
    def step(self, follow_up):
        return follow_up.rating.get_step_display()

    @admin.display(description=_("speed / clarity / attitude"))
    def scores(self, follow_up):
        rating = follow_up.rating
        return f"{rating.speed} / {rating.clarity} / {rating.attitude}"

    @admin.display(description=_("comment"))
    def comment(self, follow_up):
        return follow_up.rating.comment

    @admin.display(description=_("late"), boolean=True)
    def late(self, follow_up):
        return follow_up_is_late(follow_up=follow_up)

    def save_model(self, request, obj, form, change):
        """Save through the actions: a contact is recorded, an outcome resolves the follow-up."""
        scope = staff_scope(request)
        try:
            if form.cleaned_data.get("outcome", "").strip():
                follow_up_resolve(follow_up=obj, by=request.user, outcome=form.cleaned_data["outcome"], scope=scope)
            elif form.cleaned_data.get("contacted"):
                follow_up_record_contact(follow_up=obj, by=request.user, scope=scope)
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
