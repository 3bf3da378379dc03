"""Another resident's object is a 404 on every route and every method, generated from the URL configuration.

Every route under /api/v1/ and every resident web page that takes an object id is found by walking the URL
resolver; each object kwarg is filled with an object of resident A (``OBJECT_KWARGS``), and resident B must get a
404 for every method the view allows, the same answer as for an id that does not exist. A's own request is the
control: it must not be a 404, so the ids really name A's objects. A new route with an object kwarg that has no
entry here fails ``test_every_object_kwarg_has_a_factory`` instead of being skipped.
"""

import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from services.accounts.models import DataExport, Device
from services.applications.actions import application_decide
from services.applications.models import InformationRequest
from services.appointments.models import Appointment, AppointmentStatus, Location
from services.appointments.notifications import cancel_token
from services.circumstances.models import Change
from services.mandates.models import Mandate
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.payments.models import Payment, PaymentStatus
from services.proactive.models import Entitlement, EntitlementStatus, ProactiveRule
from services.routing.models import Bundle, BundleSubmission
from tests.factories import ApplicationFactory, DocumentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

# Resident web pages that take an object id (the API is taken whole); the admin and allauth's key links are not
# a resident's objects.
WEB_PREFIXES = (
    "applications/", "documents/", "notifications/", "bundles/", "ratings/", "profile/", "payments/", "appointments/",
    "mandates/", "changes/", "entitlements/",
)  # fmt: skip
METHODS = ("get", "head", "post", "put", "patch", "delete")


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _kwargs_of(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def object_routes() -> list[tuple[str, URLPattern]]:
    """Return every API route and resident web route whose URL names an object."""
    return [
        (route, pattern)
        for route, pattern in _routes()
        if _kwargs_of(pattern) and (route.startswith("api/v1/") or route.startswith(WEB_PREFIXES))
    ]


def _area(route: str) -> str:
    """Return what a route's objects are: its first segment after api/v1/ (``me/export`` for the exports)."""
    parts = route.removeprefix("api/v1/").split("/")
    return "/".join(parts[:2]) if parts[0] in ("me", "profile") else parts[0]


# (area, kwarg) → the name of the object of resident A (built by ``world``) whose id fills it. Public kwargs
# (a service's slug, a form step's key) name the same thing for everyone and are filled the same way.
OBJECT_KWARGS = {
    ("services", "slug"): "service_slug",
    ("applications", "slug"): "service_slug",
    ("bundles", "slug"): "bundle_slug",
    ("applications", "public_id"): "application",
    ("applications", "request_id"): "information_request",
    ("applications", "key"): "step_key",
    ("documents", "public_id"): "document",
    ("documents", "application_id"): "application",
    ("notifications", "public_id"): "notification",
    ("devices", "public_id"): "device",
    ("me/export", "public_id"): "export",
    ("profile/export", "public_id"): "export",
    ("bundles", "public_id"): "bundle_submission",
    ("ratings", "public_id"): "application",
    ("payments", "application_id"): "application",
    ("payments", "public_id"): "payment",
    ("payments", "provider"): "provider_code",
    ("appointments", "application_id"): "application",
    ("appointments", "public_id"): "appointment",
    ("appointments", "token"): "cancel_token",  # the signed link is the proof, whoever holds it
    ("mandates", "public_id"): "mandate",
    ("mandates", "token"): "invitation_token",
    ("changes", "public_id"): "change",
    ("changes", "kind"): "change_kind",
    ("entitlements", "public_id"): "entitlement",
}
PUBLIC = {
    "service_slug", "bundle_slug", "step_key", "provider_code", "cancel_token", "invitation_token", "change_kind"
}  # fmt: skip


def _methods(pattern: URLPattern, route: str) -> list[str]:
    """Return the methods the view answers: a class view's handlers, or GET and POST for a function view."""
    view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    if view_class is None:
        return ["get", "post"]  # function views: a 405 from require_POST/GET is checked the same for both residents
    allowed = [m for m in METHODS if m in view_class.http_method_names and hasattr(view_class, m)]
    if "get" in allowed and "head" not in allowed:
        allowed.insert(1, "head")  # Django answers HEAD with the GET handler
    return allowed


CASES = [
    pytest.param(route, method, id=f"{method.upper()} /{route}")
    for route, pattern in object_routes()
    if any(OBJECT_KWARGS.get((_area(route), kwarg)) not in PUBLIC for kwarg in _kwargs_of(pattern))
    for method in _methods(pattern, route)
]


def test_every_object_kwarg_has_a_factory():
    """Each kwarg of each object route is known: a new route cannot silently go untested."""
    unknown = [
        (route, kwarg)
        for route, pattern in object_routes()
        for kwarg in _kwargs_of(pattern)
        if (_area(route), kwarg) not in OBJECT_KWARGS
    ]

    assert not unknown, f"add these to OBJECT_KWARGS (and build the object in world()): {unknown}"
    assert len(CASES) >= 40  # the walk found the routes (a broken walk would test nothing)


@pytest.fixture
def world(service):
    """Resident A's objects of every kind, each in a state where A's own request reaches it."""
    owner = UserFactory()
    caseworker = StaffFactory(department=service.department)
    application = ApplicationFactory(
        service=service, applicant=owner, in_review=True, assignee=caseworker, submitted_at=timezone.now()
    )
    application = application_decide(application=application, by=caseworker, approve=True, reason="")
    information_request = InformationRequest.objects.create(
        application=application, asked_by=caseworker, message="Send your proof of address.", items=["Proof"]
    )
    bundle = Bundle.objects.create(slug="new-baby", title_zh="新生儿", title_en="New baby")
    bundle.services.add(service)
    submission = BundleSubmission.objects.create(bundle=bundle, applicant=owner)
    ApplicationFactory(service=service, applicant=owner, bundle_submission=submission, submitted=True,
                       submitted_at=timezone.now())  # fmt: skip
    export = DataExport.objects.create(
        user=owner,
        status=DataExport.Status.READY,
        progress=100,
        stored_name=storages["documents"].save("exports/cross-account.zip", ContentFile(b"PK\x05\x06" + bytes(18))),
        finished_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    notification = Notification.objects.create(
        recipient=owner,
        event=Event.SUBMITTED,
        event_key="cross-account",
        channel=Channel.IN_APP,
        status=DeliveryStatus.SENT,
    )
    paid = Payment.objects.create(
        application=application, payer=owner, amount_fen=100, provider="fake", status=PaymentStatus.PAID,
        paid_at=timezone.now(), expires_at=timezone.now(),
    )  # fmt: skip
    location = Location.objects.create(
        code="clinic", name_zh="诊所", name_en="Clinic", address_zh="-", address_en="-", district="pudong",
        department=service.department,
    )  # fmt: skip
    appointment = Appointment.objects.create(
        application=application, resident=owner, location=location, starts_at=timezone.now() + dt.timedelta(days=3),
        status=AppointmentStatus.BOOKED,
    )  # fmt: skip
    rule = ProactiveRule.objects.create(service=service, name="Offered after approval")
    entitlement = Entitlement.objects.create(
        rule=rule, service=service, person=owner, status=EntitlementStatus.OFFERED,
        facts={"rules": [], "today": "2026-12-01", "date_of_birth": None, "district": "", "answers": {}},
    )  # fmt: skip
    objects = {
        "entitlement": entitlement.public_id,
        "payment": paid.public_id,
        "appointment": appointment.public_id,
        "provider_code": "fake",
        "cancel_token": cancel_token(appointment=appointment),
        "application": application.public_id,
        "information_request": information_request.public_id,
        "document": DocumentFactory(owner=owner).public_id,
        "notification": notification.public_id,
        "export": export.public_id,
        "device": Device.objects.create(user=owner, platform="ios", token="apns-cross-account").public_id,
        "bundle_submission": submission.public_id,
        "mandate": Mandate.objects.create(grantor=owner, grantee=UserFactory(), basis="guardian").public_id,
        "invitation_token": "not-a-secret",
        "service_slug": service.slug,
        "bundle_slug": bundle.slug,
        "step_key": "answers",
        "change": Change.objects.create(user=owner, kind="job", effective_date="2026-01-05", facts={}).public_id,
        "change_kind": "job",
    }
    return owner, objects


def _url(route: str, values: dict) -> str:
    pattern = dict(object_routes())[route]
    path = "/" + route
    for kwarg in _kwargs_of(pattern):
        value = str(values[kwarg])
        converter = pattern.pattern.converters.get(kwarg)
        placeholder = f"<{_converter_name(converter)}:{kwarg}>" if converter else f"<{kwarg}>"
        path = path.replace(placeholder, value)
    return path


def _converter_name(converter) -> str:
    return {"UUIDConverter": "uuid", "SlugConverter": "slug", "StringConverter": "str", "IntConverter": "int",
            "PathConverter": "path"}[type(converter).__name__]  # fmt: skip


def _client(route: str, user):
    if route.startswith("api/"):
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client


def _call(client, method: str, url: str):
    if method in ("post", "put", "patch"):
        return getattr(client, method)(url, {}, content_type="application/json")
    return getattr(client, method)(url)


def _signature(response) -> tuple:
    """What B may learn from an answer: its status and, for a problem body, its code."""
    code = None
    if response.content and response.get("Content-Type", "").startswith("application/problem+json"):
        code = response.json().get("code")
    return response.status_code, code


@pytest.mark.parametrize(("route", "method"), CASES)
def test_another_residents_object_is_404(route, method, world):
    """Resident B gets the answer of an unknown id, a 404, for A's object; A's own request is not a 404."""
    owner, objects = world
    pattern = dict(object_routes())[route]
    kwargs = {kwarg: objects[OBJECT_KWARGS[(_area(route), kwarg)]] for kwarg in _kwargs_of(pattern)}
    unknown = {k: (v if OBJECT_KWARGS[(_area(route), k)] in PUBLIC else uuid.uuid4()) for k, v in kwargs.items()}
    other = UserFactory()

    as_other = _call(_client(route, other), method, _url(route, kwargs))
    as_nobody = _call(_client(route, other), method, _url(route, unknown))
    as_owner = _call(_client(route, owner), method, _url(route, kwargs))

    if as_other.status_code == 405:  # a function view refusing the method, whoever asks
        assert as_owner.status_code == 405
        return
    assert as_other.status_code == 404, as_other.content[:500]
    assert _signature(as_other) == _signature(as_nobody)
    assert as_owner.status_code != 404, (as_owner.status_code, as_owner.content[:500])
