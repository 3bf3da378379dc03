"""Payments in the admin: staff see their departments' payments and ask for refunds with a reason; a supervisor of
the department approves or rejects them; administrators see the raw notifications and the reconciliation's
mismatches."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.catalogue.fees import yuan
from services.common.errors import DomainError

from .models import MONEY_TAKEN, Mismatch, Payment, PaymentEvent, ReconciliationRun, Refund, RefundStatus
from .refunds import refund_approve, refund_check, refund_reject, refund_request
from .selectors import payment_list_for_staff, refund_list_for_staff


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the portal writes: looked at, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffAdmin(ReadOnlyAdmin):
    def has_module_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).works_anywhere


class AdministratorsAdmin(ReadOnlyAdmin):
    def has_module_permission(self, request):
        return staff_scope(request).is_admin

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).is_admin


@admin.register(Payment)
class PaymentAdmin(StaffAdmin):
    list_display = ["application", "amount", "status", "provider", "created_at", "paid_at", "refunded"]
    list_filter = ["status", "provider"]
    search_fields = ["application__reference", "trade_number", "provider_reference"]
    date_hierarchy = "created_at"
    fields = [
        "application",
        "amount",
        "status",
        "provider",
        "trade_number",
        "provider_reference",
        "created_at",
        "expires_at",
        "paid_at",
        "refunded",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return payment_list_for_staff(scope=staff_scope(request))

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount(self, payment):
        return payment.amount_yuan

    @admin.display(description=_("refunded"), ordering="refunded_fen")
    def refunded(self, payment):
        return payment.refunded_yuan


class RefundRequestForm(forms.ModelForm):
    amount_fen = forms.IntegerField(label=_("amount (fen)"), min_value=1, help_text=_("¥12.50 is 1250."))

    class Meta:
        model = Refund
        fields = ["payment", "amount_fen", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("payment") and data.get("amount_fen") is not None:
            try:
                refund_check(
                    payment=data["payment"], amount_fen=data["amount_fen"], reason=data.get("reason"), scope=self.scope
                )
            except DomainError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    form = RefundRequestForm
    list_display = ["payment", "amount", "status", "reason", "requested_by", "approved_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["payment__application__reference"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return refund_list_for_staff(scope=staff_scope(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.scope = staff_scope(request)
        payments = payment_list_for_staff(scope=form.scope).filter(status__in=MONEY_TAKEN)
        form.base_fields["payment"].queryset = payments
        return form

    def has_module_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).works_anywhere

    def has_add_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_change_permission(self, request, obj=None):
        return False  # asked for once; then only approved or rejected

    def has_approve_permission(self, request):
        return staff_scope(request).supervises_anywhere

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount(self, refund):
        return yuan(refund.amount_fen)

    def save_model(self, request, obj, form, change):
        """Ask for the refund through the action (it checks again under a lock)."""
        data = form.cleaned_data
        created = refund_request(
            payment=data["payment"],
            amount_fen=data["amount_fen"],
            reason=data["reason"],
            by=request.user,
            scope=staff_scope(request),
        )
        obj.pk, obj.public_id = created.pk, created.public_id

    def _decide(self, request, queryset, decide) -> None:
        done = 0
        for refund in queryset.filter(status=RefundStatus.REQUESTED).select_related("payment__application"):
            try:
                decide(refund=refund, by=request.user, scope=staff_scope(request))
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{refund}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, gettext("%(count)d refunds decided.") % {"count": done}, messages.SUCCESS)

    @admin.action(
        description=_("Approve the selected refunds (they are sent to the payment service)"),
        permissions=["approve"],
    )
    def approve(self, request, queryset):
        self._decide(request, queryset, refund_approve)

    @admin.action(description=_("Reject the selected refunds"), permissions=["approve"])
    def reject(self, request, queryset):
        self._decide(request, queryset, refund_reject)


@admin.register(PaymentEvent)
class PaymentEventAdmin(AdministratorsAdmin):
    list_display = ["received_at", "provider", "event_id", "payment", "outcome"]
    list_filter = ["provider"]
    search_fields = ["event_id", "payment__trade_number"]
    readonly_fields = ["provider", "event_id", "payment", "received_at", "outcome", "headers", "body", "resource"]


class MismatchInline(admin.TabularInline):
    model = Mismatch
    fields = ["kind", "trade_number", "payment", "portal", "provider"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(AdministratorsAdmin):
    list_display = ["day", "provider", "payments", "mismatches", "ran_at"]
    list_filter = ["provider"]
    readonly_fields = ["day", "provider", "payments", "mismatches", "ran_at"]
    inlines = [MismatchInline]


@admin.register(Mismatch)
class MismatchAdmin(AdministratorsAdmin):
    list_display = ["run", "kind", "trade_number", "payment", "portal", "provider"]
    list_filter = ["kind", "run__day"]
    search_fields = ["trade_number"]
