"""The queue's filters: status (the open ones by default), assignment, deadline, routing failures, and the teams and
services of the user's departments."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.applications.models import Status
from services.applications.selectors import DUE_SOON_DAYS, application_list_by_deadline_flag
from services.catalogue.models import Service
from services.routing.models import Team

from ..selectors import queue_filter_choices


class WrittenOut:
    """A filter written as Django's admin/filter.html writes it, but in one step (caseworker_queue.queue_filter): its
    template costs a node per choice, its title and link, on every page of the queue."""

    template = "admin/applications/application/filter.html"


class QueueStatusFilter(WrittenOut, admin.SimpleListFilter):
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


class AssignmentFilter(WrittenOut, admin.SimpleListFilter):
    title = _("assigned caseworker")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Mine")), ("nobody", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return queryset.filter(assignee__isnull=True) if self.value() == "nobody" else queryset


class DeadlineFilter(WrittenOut, admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within %(days)d days") % {"days": DUE_SOON_DAYS}),
            ("paused", _("Awaiting information (clock paused)")),
        ]

    def queryset(self, request, queryset):
        return application_list_by_deadline_flag(applications=queryset, flag=self.value(), today=timezone.localdate())


class RoutingFailedFilter(WrittenOut, admin.SimpleListFilter):
    title = _("routing")
    parameter_name = "routing_failed"

    def lookups(self, request, model_admin):
        return [("1", _("Routing failed"))]

    def queryset(self, request, queryset):
        return queryset.filter(routing_failed_at__isnull=False) if self.value() == "1" else queryset


class InUserDepartmentsFilter(WrittenOut, admin.RelatedFieldListFilter):
    """Offers only the teams or services of the user's departments (read from their small tables, not by
    scanning the applications)."""

    def field_choices(self, field, request, model_admin):
        return kept_choices(request, field.related_model)


def kept_choices(request, model: type[Team] | type[Service]) -> list[tuple]:
    """Return the teams or services of the user's departments as (id, name) choices (queue_filter_choices), asked of
    the cache once per request: the filters offer them and the rows name theirs with them."""
    kept = request.__dict__.setdefault("_queue_choices", {})
    if model not in kept:
        departments = staff_scope(request).departments()
        kept[model] = queue_filter_choices(
            model=model, department_ids=None if departments is None else list(departments)
        )
    return kept[model]
