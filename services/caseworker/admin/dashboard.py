"""The routing dashboard, registered on routing's Backlog proxy: each department's backlog, the broker's queues,
routing per hour, failures and the periodic jobs' last runs, and the supervisors' panels."""

import datetime as dt

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.applications.models import OPEN_STATUSES, Status
from services.catalogue.models import Department
from services.common.admin import ReadOnlyAdmin
from services.routing.models import Backlog
from services.routing.selectors import backlog_by_department, broker_status, routing_health

from ..dashboard import supervisor_panels


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
        scope = staff_scope(request)
        departments = self._departments(request)
        queues = [department.celery_queue for department in departments]
        if scope.is_admin:
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
            # Shown to administrators only (show_routing): a supervisor's page does not count it.
            "health": routing_health(since=timezone.now() - dt.timedelta(hours=24)) if scope.is_admin else None,
            "show_routing": scope.is_admin,
            "failed_url": reverse("admin:applications_application_changelist") + "?routing_failed=1",
            **supervisor_panels(
                scope=scope, department_ids=[d.pk for d in departments], today=timezone.localdate()
            ),  # fmt: skip
        }
        return TemplateResponse(request, "admin/routing/dashboard.html", context)
