"""A resident's and a department's world that grows from 1 to 50 rows of every kind, for the query-count tests of
the resident web pages, the API and the admin (tests/*/test_query_counts.py): a page must cost the same number of
queries with 1 row as with 50 (no query per row)."""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from services.accounts.models import DataExport, DepartmentMembership, ResidentProfile, User
from services.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    InformationRequest,
    Priority,
    RejectionReason,
    Status,
)
from services.appointments.actions import seats_generate
from services.appointments.models import Appointment, AppointmentStatus, Location, OpeningHours, Seat
from services.audit.models import AuditAction, AuditEntry, AuditRole
from services.catalogue.actions import form_version_publish
from services.catalogue.models import Department, Service
from services.circumstances.models import Acknowledgement, Change
from services.credentials.actions import credential_token, signing_key_rotate
from services.credentials.models import Credential, CredentialType
from services.credentials.selectors import credential_verify
from services.documents.models import Document
from services.mandates.models import Mandate
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.payments.models import Payment, PaymentStatus
from services.proactive.models import Entitlement, EntitlementStatus, ProactiveRule
from services.ratings.models import FollowUp, Rating
from services.routing.models import Bundle, BundleService, BundleSubmission, Team
from tests.factories import (
    VALID_ANSWERS,
    ApplicationFactory,
    DepartmentFactory,
    DocumentFactory,
    DocumentTypeFactory,
    ResidentProfileFactory,
    ServiceFactory,
    StaffFactory,
    TeamFactory,
)

FEW, MANY = 1, 50
PAYLOAD = {
    "reference": "HLT-2026-000001",
    "service": {"zh": "家庭医生签约", "en": "Family doctor"},
    "department": {"zh": "卫生健康委", "en": "Health"},
    "due_date": "2026-12-31",
    "path": "/applications/",
    "approved": True,
    "message": "",
}
_serial = itertools.count()


@dataclass
class World:
    """Everything a page may list, for one resident and one department; ``grow`` adds rows of every kind."""

    department: Department
    service: Service
    resident: User
    caseworker: User
    supervisor: User
    team: Team
    bundle: Bundle
    submission: BundleSubmission
    draft: Application
    decided: Application  # approved: its events, documents, answered requests, ratings, audit entries grow
    in_review: Application  # assigned to the caseworker: the admin page with every button; the same rows grow
    awaiting: Application  # waits for the resident's answer to ``open_request``
    open_request: InformationRequest
    document: Document  # in the wallet, attached to every case, with its file stored
    export: DataExport
    notification: Notification
    follow_up: FollowUp
    location: Location  # where the service's appointments take place, open every day
    fresh: dict = field(default_factory=dict)  # the newest row of a kind, for pages that act on one (and use it up)


def _next() -> int:
    return next(_serial)


def build_world() -> World:
    """Return a world with one row of every kind."""
    department = DepartmentFactory(code="health", reference_prefix="HLT")
    document_type = DocumentTypeFactory()
    service = ServiceFactory(department=department, slug="family-doctor")
    service.document_types.add(document_type)
    form_version_publish(service=service)
    resident = ResidentProfileFactory(
        legal_name="王小明", id_number="11010519491231002X", phone="13800138000", district="pudong"
    ).user
    caseworker = StaffFactory(department=department)
    supervisor = StaffFactory(department=department, department__role=DepartmentMembership.Role.SUPERVISOR)
    team = TeamFactory(department=department, code="pudong")
    team.members.add(caseworker)
    bundle = Bundle.objects.create(slug="new-baby", title_zh="新生儿", title_en="A new baby")
    BundleService.objects.create(bundle=bundle, service=service)
    submission = BundleSubmission.objects.create(bundle=bundle, applicant=resident)
    now = timezone.now()
    draft = _application(service, resident, Status.DRAFT)
    decided = _application(service, resident, Status.APPROVED, decided_at=now)
    in_review = _application(service, resident, Status.IN_REVIEW, assignee=caseworker, team=team)
    awaiting = _application(service, resident, Status.AWAITING_INFORMATION, assignee=caseworker)
    open_request = InformationRequest.objects.create(
        application=awaiting, asked_by=caseworker, message="请补充", items=["户口簿"]
    )
    document = DocumentFactory(owner=resident, document_type=document_type, original_name="户口簿.pdf")
    ApplicationDocument.objects.bulk_create(
        ApplicationDocument(application=case, document=document) for case in (decided, in_review, awaiting)
    )
    rating = Rating.objects.create(
        application=decided, rater=resident, step=Status.APPROVED, speed=1, clarity=2, attitude=2
    )
    follow_up = FollowUp.objects.create(
        rating=rating, department=department, contact_due=now.date(), resolve_due=now.date() + dt.timedelta(days=5)
    )
    world = World(
        department=department,
        service=service,
        resident=resident,
        caseworker=caseworker,
        supervisor=supervisor,
        team=team,
        bundle=bundle,
        submission=submission,
        draft=draft,
        decided=decided,
        in_review=in_review,
        awaiting=awaiting,
        open_request=open_request,
        document=document,
        export=DataExport.objects.create(
            user=resident,
            status=DataExport.Status.READY,
            stored_name="export-0.zip",
            expires_at=now + dt.timedelta(days=7),
        ),
        notification=_notifications(resident, 1)[0],
        follow_up=follow_up,
        location=_location(department, service),
    )
    grow(world, FEW)
    return world


def _application(service, applicant, status, *, due_date=None, **fields) -> Application:
    """An application in ``status`` (its factory trait), submitted 3 days ago and, once routed, due in 10 days."""
    n = _next()
    common = {
        "applicant": applicant,
        "service": service,
        "form_version": service.form_versions.order_by("-number").first(),
        "answers": VALID_ANSWERS,
        "priority": Priority.HIGH if n % 3 == 0 else Priority.NORMAL,
    }
    if status == Status.DRAFT:
        return ApplicationFactory(**common, reference=None, **fields)
    if status != Status.SUBMITTED:
        fields.setdefault("due_date", due_date or timezone.localdate() + dt.timedelta(days=10))
    return ApplicationFactory.in_status(
        status, **common, reference=f"HLT-2026-{n:06d}", submitted_at=timezone.now() - dt.timedelta(days=3), **fields
    )


def _location(department, service) -> Location:
    location = Location.objects.create(
        code="qc-clinic",
        name_zh="社区卫生服务中心",
        name_en="Health centre",
        address_zh="花木路 800 号",
        address_en="800 Huamu Road",
        district="pudong",
        department=department,
        counters=2,
    )
    location.services.add(service)
    OpeningHours.objects.bulk_create(
        OpeningHours(location=location, weekday=day, opens=dt.time(8), closes=dt.time(18)) for day in range(7)
    )
    seats_generate(location=location)
    return location


def _paid(application, payer) -> Payment:
    now = timezone.now()
    return Payment.objects.create(
        application=application, payer=payer, amount_fen=2000, provider="fake", status=PaymentStatus.PAID,
        paid_at=now, expires_at=now,
    )  # fmt: skip


def _booked(application, location, seat: Seat) -> Appointment:
    appointment = Appointment.objects.create(
        application=application,
        resident=application.applicant,
        location=location,
        starts_at=seat.starts_at,
        status=AppointmentStatus.BOOKED,
    )
    Seat.objects.filter(pk=seat.pk).update(appointment=appointment)
    return appointment


def _notifications(user, count: int) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event=Event.DECIDED,
            event_key=f"qc-{_next()}",
            channel=Channel.IN_APP,
            payload=PAYLOAD,
            status=DeliveryStatus.SENT,
        )
        for _ in range(count)
    )


def grow(world: World, count: int) -> None:
    """Add ``count`` rows of every kind the pages list: the resident's applications (each status), documents,
    notifications, exports; the cases' events, documents, information requests, ratings and audit entries; the
    department's services, staff, rejection reasons and follow-ups; the bundle's services and applications."""
    resident, service, now = world.resident, world.service, timezone.now()
    staff = [StaffFactory(department=world.department) for _ in range(count)]
    profiles_of = User.objects.bulk_create(User(email=f"qc-applicant-{_next()}@example.test") for _ in range(count))
    ResidentProfile.objects.bulk_create(ResidentProfile(user=u, legal_name=f"居民{u.pk}") for u in profiles_of)
    services = [ServiceFactory(department=world.department) for _ in range(count)]
    for new in services:
        form_version_publish(service=new)
    BundleService.objects.bulk_create(BundleService(bundle=world.bundle, service=new) for new in services)

    statuses = itertools.cycle(
        [Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW, Status.AWAITING_INFORMATION, Status.APPROVED, Status.DRAFT]
    )
    mine = [
        _application(services[n % len(services)], resident, next(statuses), bundle_submission=world.submission)
        for n in range(count)
    ]
    # Other residents' open applications in the department's queue, two each: one overdue, in the team and
    # assigned; one due soon, in no team and unassigned (so that every filter of the queue has rows at 1 too).
    today = timezone.localdate()
    for n, applicant in enumerate(profiles_of):
        _application(service, applicant, Status.IN_REVIEW, team=world.team, assignee=staff[n],
                     due_date=today - dt.timedelta(days=1 + n % 9))  # fmt: skip
        _application(service, applicant, Status.ROUTED, due_date=today + dt.timedelta(days=n % 3))

    cases = (world.decided, world.in_review)
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=case,
            actor=staff[n % len(staff)] if n % 3 else None,
            from_status=Status.ROUTED,
            to_status=Status.IN_REVIEW if n % 2 else "",
            message=f"事件{n}",
            visible_to_resident=bool(n % 2),
        )
        for case in cases
        for n in range(count)
    )
    documents = [
        Document.objects.create(
            owner=resident,
            document_type=world.document.document_type,
            stored_name=f"qc-{_next():06d}.pdf",
            original_name="证明.pdf",
            content_type="application/pdf",
            size=100,
            sha256=f"c0de{_next():060x}",  # apart from DocumentFactory's sequence of hashes
            scan_status="clean",
        )
        for _ in range(count)
    ]
    ApplicationDocument.objects.bulk_create(
        ApplicationDocument(application=case, document=document) for case in cases for document in documents
    )
    for case in cases:
        for n, document in enumerate(documents):
            answered = InformationRequest.objects.create(
                application=case,
                asked_by=staff[n % len(staff)],
                message="请补充材料",
                items=["户口簿", "出生证明"],
                answered_at=now,
                answer="已上传",
            )
            answered.documents.add(document)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=staff[n % len(staff)],
            role=AuditRole.CASEWORKER,
            department=world.department,
            action=AuditAction.VIEW,
            application=case,
            reference=case.reference,
            ip_address="127.0.0.1",
        )
        for case in cases
        for n in range(count)
    )
    decided_mine = [a for a in mine if a.status == Status.APPROVED] or mine
    for application in decided_mine:
        rating = Rating.objects.create(
            application=application, rater=resident, step=application.status, speed=1, clarity=1, attitude=1
        )
        FollowUp.objects.create(
            rating=rating, department=world.department, contact_due=now.date(), resolve_due=now.date()
        )
    RejectionReason.objects.bulk_create(
        RejectionReason(service=service, position=n, title_zh=f"理由{n}", title_en=f"Reason {n}", text_zh="-",
                        text_en="-")
        for n in range(count)
    )  # fmt: skip
    DataExport.objects.bulk_create(
        DataExport(user=resident, status=DataExport.Status.READY, expires_at=now + dt.timedelta(days=7))
        for _ in range(count)
    )
    notifications = _notifications(resident, count)
    # People who act for the resident (the mandates page lists them) and people the resident acts for.
    Mandate.objects.bulk_create(
        Mandate(grantor=resident, grantee=user, basis=Mandate.Basis.GUARDIAN, status=Mandate.Status.ACTIVE)
        for user in profiles_of
    )

    # Payments of the decided application's fee, and appointments of the resident's open applications.
    world.decided.fee_status, world.decided.fee_fen = "paid", 2000
    world.decided.save(update_fields=["fee_status", "fee_fen"])
    for _ in range(count):
        _paid(world.decided, resident)
    free = list(Seat.objects.filter(location=world.location, appointment__isnull=True, starts_at__gt=now)[: count + 1])
    for application, seat in zip([a for a in mine if a.status != Status.DRAFT] or mine, free, strict=False):
        _booked(application, world.location, seat)
    credentials = _credentials(world, count)
    changes = _changes(world, count)
    _entitlements(world, count)

    # The newest of each kind, for the pages that act on one row (each measurement uses up its own).
    awaiting = _application(service, resident, Status.AWAITING_INFORMATION, assignee=world.caseworker)
    world.fresh = {
        "draft": _application(service, resident, Status.DRAFT),
        "open": _application(service, resident, Status.ROUTED),
        "decided": _application(service, resident, Status.APPROVED, decided_at=now),
        "awaiting": awaiting,
        "request": InformationRequest.objects.create(application=awaiting, asked_by=world.caseworker, items=["户口簿"]),
        "notification": notifications[-1],
        "payment": _paid(world.decided, resident),
        "mandate": Mandate.objects.create(grantor=resident, grantee=profiles_of[-1], basis=Mandate.Basis.GUARDIAN),
        "credential": credentials[-1],
        "change": changes[-1],
        "entitlement": _entitlements(world, 1)[0],
    }
    seat = Seat.objects.filter(location=world.location, appointment__isnull=True, starts_at__gt=now).first()
    world.fresh["appointment"] = _booked(world.fresh["open"], world.location, seat)


def url_names(prefix: str) -> set[str]:
    """Return the names of the URL patterns under ``prefix`` (e.g. "api/v1/"), namespaced as in reverse()."""
    names = set()

    def walk(patterns, path, namespace):
        for pattern in patterns:
            here = path + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, here, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and here.startswith(prefix):
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def _entitlements(world: World, count: int) -> list[Entitlement]:
    """Benefits offered to the resident (the offers page and API list them), each on the facts a rule kept."""
    # A service of a department of its own: the application a confirmation makes is numbered apart from the world's.
    department = DepartmentFactory(code="civil", reference_prefix="CIV")
    service = Service.objects.filter(slug="qc-offered").first() or ServiceFactory(department=department,
                                                                                  slug="qc-offered")  # fmt: skip
    form_version_publish(service=service)
    rule, _created = ProactiveRule.objects.get_or_create(service=service, name="Offered in Pudong")
    facts = {"rules": [{"kind": "district", "in": ["pudong"]}], "today": timezone.localdate().isoformat(),
             "date_of_birth": None, "district": "pudong", "answers": {}, "credentials": None}  # fmt: skip
    return Entitlement.objects.bulk_create(
        Entitlement(rule=rule, service=service, person=world.resident, period=f"qc-{_next()}", facts=facts,
                    status=EntitlementStatus.OFFERED)
        for _ in range(count)
    )  # fmt: skip


def _credentials(world: World, count: int) -> list[Credential]:
    """Give the resident ``count`` more credentials (of one type, signed by the department's one key), and have this
    process know the key already, as a running one would (verification reads the keys once)."""
    credential_type, created = CredentialType.objects.get_or_create(
        code="qc-credential", defaults={"name_zh": "凭证", "name_en": "Credential", "department": world.department},
    )  # fmt: skip
    if created:
        signing_key_rotate(department=world.department)
    credentials = Credential.objects.bulk_create(
        Credential(type=credential_type, holder=world.resident, department=world.department,
                   claims={"holder_name": "居民", "reference": world.decided.reference}, token="")
        for _ in range(count)
    )  # fmt: skip
    credential_verify(token=credential_token(credential=credentials[-1], claims={}))
    return credentials


def _changes(world: World, count: int) -> list[Change]:
    """Give the resident ``count`` more changes of circumstances, each told to the department."""
    changes = Change.objects.bulk_create(
        Change(user=world.resident, reported_by=world.resident, kind="address", effective_date=timezone.localdate(),
               facts={"district": "xuhui", "street_address": f"漕溪北路{_next()}号"})
        for _ in range(count)
    )  # fmt: skip
    Acknowledgement.objects.bulk_create(
        Acknowledgement(change=change, department=world.department, reasons=["application"]) for change in changes
    )
    return changes


def count_queries(request) -> int:
    """Return the queries ``request()`` runs, with no cached page or counter left from an earlier request."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries)
