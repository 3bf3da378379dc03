"""Subscriptions of the departments' systems, and the deliveries with each attempt, for administrators."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from services.common.admin import ReadOnlyAdmin

from .actions import delivery_replay, subscription_end_rotation, subscription_resume, subscription_rotate_secret
from .models import EVENT_TYPES, Delivery, DeliveryAttempt, Event, Subscription


class AdministratorsOnly:
    """Endpoints, secrets and what was sent: portal administrators (superusers) only."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("endpoint URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=list(EVENT_TYPES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all."),
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_types", "departments", "is_active"]


@admin.register(Subscription)
class SubscriptionAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "is_active", "updated_at"]
    list_filter = ["is_active"]
    filter_horizontal = ["departments"]
    readonly_fields = ["secret", "previous_secret"]
    actions = ["rotate_secret", "end_rotation", "pause", "resume"]

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.action(description=_("Rotate the signing secret (the old one stays valid until the rotation ends)"))
    def rotate_secret(self, request, queryset):
        for subscription in queryset:
            subscription_rotate_secret(subscription=subscription)
        self.message_user(request, _("New secrets made: give each to its receiver, then end the rotation."))

    @admin.action(description=_("End the rotation (sign with the new secret only)"))
    def end_rotation(self, request, queryset):
        for subscription in queryset:
            subscription_end_rotation(subscription=subscription)

    @admin.action(description=_("Pause (deliveries wait, in order)"))
    def pause(self, request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Resume (waiting deliveries are sent)"))
    def resume(self, request, queryset):
        subscription_resume(subscriptions=queryset)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = readonly_fields = ["at", "status_code", "latency_ms", "response_excerpt", "error"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(AdministratorsOnly, ReadOnlyAdmin):
    list_display = ["event", "subscription", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "subscription"]
    list_select_related = ["event", "subscription"]
    search_fields = ["event__subject", "ordering_key"]
    show_full_result_count = False
    fields = ["event", "subscription", "status", "attempts", "next_attempt_at", "leased_until", "delivered_at"]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(description=_("Replay the selected deliveries"), permissions=["view"])
    def replay(self, request, queryset):
        count = delivery_replay(deliveries=queryset)
        self.message_user(
            request, ngettext("%d delivery is sent again.", "%d deliveries are sent again.", count) % count,
            messages.SUCCESS,
        )  # fmt: skip


@admin.register(Event)
class EventAdmin(AdministratorsOnly, ReadOnlyAdmin):
    list_display = ["time", "type", "subject", "department"]
    list_filter = ["type"]
    search_fields = ["subject", "=event_id"]
    show_full_result_count = False
    fields = readonly_fields = ["event_id", "type", "source", "subject", "ordering_key", "department", "time", "data"]
