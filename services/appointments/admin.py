"""Appointments in the admin: the day's appointments per location for the counter staff, who mark them attended
or not; locations with their opening hours and counters for the department's supervisors."""

import datetime as dt

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.common.errors import DomainError

from .actions import appointment_mark, seats_generate
from .models import Appointment, AppointmentStatus, Location, OpeningHours
from .selectors import appointment_list_for_staff
from .sweeps import location_set_counters


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 1


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "district", "department", "counters", "slot_minutes", "is_active"]
    list_filter = ["district", "department", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["services"]
    inlines = [OpeningHoursInline]

    def get_queryset(self, request):
        departments = staff_scope(request).supervised()
        locations = super().get_queryset(request).select_related("department")
        return locations if departments is None else locations.filter(department_id__in=list(departments))

    def has_module_permission(self, request):
        return staff_scope(request).supervises_anywhere

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).supervises_anywhere

    def has_change_permission(self, request, obj=None):
        return staff_scope(request).supervises(obj.department_id) if obj else staff_scope(request).supervises_anywhere

    def has_add_permission(self, request):
        return staff_scope(request).is_admin

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Save; a change of counters goes through location_set_counters (bookings moved or cancelled)."""
        counters = obj.counters
        if change and "counters" in form.changed_data:
            obj.counters = form.initial["counters"]
            super().save_model(request, obj, form, change)
            result = location_set_counters(location=obj, counters=counters)
            message = gettext("Counters changed: %(moved)d bookings moved, %(cancelled)d cancelled (residents told).")
            self.message_user(request, message % result, messages.WARNING if any(result.values()) else messages.INFO)
            obj.counters = counters
        else:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        seats_generate(location=form.instance)  # the opening hours are saved now


class DayFilter(admin.SimpleListFilter):
    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("tomorrow", _("Tomorrow")), ("all", _("Every day"))]

    def value(self):
        return super().value() or "today"  # the counter's list opens on today

    def choices(self, changelist):
        yield from list(super().choices(changelist))[1:]  # no reset to "all": today is the default

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        day = timezone.localdate() + dt.timedelta(days=1 if self.value() == "tomorrow" else 0)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return queryset.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "location", "application", "status"]
    list_filter = [DayFilter, "location", "status"]
    search_fields = ["application__reference"]
    ordering = ["location", "starts_at"]
    actions = ["mark_attended", "mark_no_show"]
    fields = ["application", "location", "starts_at", "status", "cancel_reason", "marked_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        shown = [AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW]
        return appointment_list_for_staff(scope=staff_scope(request)).filter(status__in=shown)

    def has_module_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_view_permission(self, request, obj=None):
        return staff_scope(request).works_anywhere

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_mark_permission(self, request):
        return staff_scope(request).works_anywhere

    def _mark(self, request, queryset, attended: bool) -> None:
        done, scope = 0, staff_scope(request)
        for appointment in queryset.select_related("location"):
            try:
                appointment_mark(appointment=appointment, by=request.user, attended=attended, scope=scope)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{appointment}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, gettext("%(count)d appointments marked.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Mark the selected appointments attended"), permissions=["mark"])
    def mark_attended(self, request, queryset):
        self._mark(request, queryset, attended=True)

    @admin.action(description=_("Mark the selected appointments as did not come"), permissions=["mark"])
    def mark_no_show(self, request, queryset):
        self._mark(request, queryset, attended=False)
