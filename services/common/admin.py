from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000  # a queue or log counts at most this many rows: beyond, it says "more than"


class CappedCountPaginator(Paginator):
    """Counts no further than COUNT_CAP: a queue of a million applications never costs a full count."""

    @cached_property
    def count(self):
        # Unordered: the planner may then count on any index, with no sort of the rows counted.
        rows = self.object_list.order_by() if hasattr(self.object_list, "order_by") else self.object_list
        return rows[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system's actions write: nobody adds, changes or deletes them in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(ReadOnlyAdmin):
    """A record the system keeps (an upload's check, a message, the audit log), for administrators to read."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)
