"""/metrics for Prometheus, readable with the bearer token METRICS_TOKEN only.

Request latency per view (a histogram, from every gunicorn worker of the pod when PROMETHEUS_MULTIPROC_DIR is set,
as the image sets it), and the figures operators alert on: Celery queue depths (every queue, each department's own
included), how long the oldest unrouted or unchecked application has waited (the outbox's lag), overdue
applications per department, failed notifications per channel and webhook dead letters per subscription. Those are
counted at most every METRICS_CACHE_SECONDS through the shared cache, so that scraping every pod does not count them
once per pod.
"""

import os
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from portal.health import portal_queues
from services.events.selectors import dead_letter_counts
from services.notifications.selectors import failed_notification_counts
from services.routing.selectors import broker_status, outbox_lag, overdue_by_department

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, per view, method and status class.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _view_name(request) -> str:
    """Return the URL pattern's name (a bounded label: never the path itself)."""
    match = request.resolver_match
    if match is None:  # answered before URL resolution (the cached catalogue pages)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "unresolved"
    return match.view_name or "unnamed"


class RequestMetricsMiddleware:
    """Observe how long each request took, labelled by view, method and status class."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        status = f"{response.status_code // 100}xx"
        REQUEST_SECONDS.labels(_view_name(request), method, status).observe(time.perf_counter() - started)
        return response


def operator_figures() -> dict:
    """Return the figures behind the gauges, counted now."""
    return {
        "broker": broker_status(queues=portal_queues()),
        "outbox_lag": outbox_lag(now=timezone.now()),
        "overdue": overdue_by_department(today=timezone.localdate()),
        "notifications_failed": failed_notification_counts(),
        "webhooks_dead": dead_letter_counts(),
    }


class OperatorFigures:
    """A Prometheus collector of the operators' gauges, from the cache or counted afresh."""

    def collect(self):
        figures = cache.get_or_set("portal:metrics:figures", operator_figures, settings.METRICS_CACHE_SECONDS)
        yield _gauge("portal_outbox_oldest_seconds", "Age of the oldest work not yet done.", "stage",
                     figures["outbox_lag"])  # fmt: skip
        yield _gauge("portal_overdue_applications", "Applications past their legal due date.", "department",
                     figures["overdue"])  # fmt: skip
        yield _gauge("portal_notifications_failed", "Messages whose delivery failed for good.", "channel",
                     figures["notifications_failed"])  # fmt: skip
        yield _gauge("portal_webhook_dead_letters", "Webhook deliveries given up on, to replay from the admin.",
                     "subscription", figures["webhooks_dead"])  # fmt: skip
        broker = figures["broker"]
        yield GaugeMetricFamily("portal_broker_up", "1 if the broker answered.", value=int("error" not in broker))
        yield _gauge("portal_queue_messages", "Messages waiting in a Celery queue.", "queue", broker.get("depths", {}))


def _gauge(name: str, documentation: str, label: str, values: dict) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        gauge.add_metric([key], value)
    return gauge


@never_cache
def metrics(request):
    """Answer Prometheus's scrape; without the right bearer token (or with none configured), a 404."""
    token = settings.METRICS_TOKEN
    if not token or not constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # every gunicorn worker's histograms, summed
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(OperatorFigures())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
