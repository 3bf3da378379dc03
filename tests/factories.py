import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from services.accounts.models import DepartmentMembership, ResidentProfile, User
from services.applications.models import Application, Status
from services.calendar.selectors import working_calendar
from services.catalogue.actions import form_version_publish
from services.catalogue.models import Department, Service

SIMPLE_SCHEMA = {
    "type": "object",
    "required": ["full_name", "start_date", "urgent"],
    "x-order": ["full_name", "start_date", "urgent", "children", "kind"],
    "properties": {
        "full_name": {"type": "string", "title": "Full name", "x-title-zh": "姓名", "maxLength": 50},
        "start_date": {"type": "string", "format": "date", "title": "Start date", "x-title-zh": "开始日期"},
        "urgent": {"type": "boolean", "title": "Urgent?", "x-title-zh": "是否紧急"},
        "children": {"type": "integer", "minimum": 0, "maximum": 20, "title": "Children", "x-title-zh": "子女数"},
        "kind": {
            "type": "string",
            "enum": ["a", "b"],
            "title": "Kind",
            "x-title-zh": "类别",
            "x-enum-labels": {"a": {"en": "Kind A", "zh": "甲类"}, "b": {"en": "Kind B", "zh": "乙类"}},
        },
    },
}
VALID_ANSWERS = {"full_name": "Li Lei", "start_date": "2026-12-01", "urgent": False}

# A multi-step form with every composite type: profile prefill, a conditional step and a repeating group.
STEPS_SCHEMA = {
    "type": "object",
    "x-steps": [
        {
            "key": "about",
            "title": "About you",
            "x-title-zh": "申请人信息",
            "fields": ["name", "id_number", "phone", "address"],
        },
        {
            "key": "job",
            "title": "Your last job",
            "x-title-zh": "原工作情况",
            "fields": ["reason", "severance", "benefits"],
        },
        {"key": "severance", "title": "Your severance pay", "x-title-zh": "经济补偿", "fields": ["severance_amount"]},
        {"key": "history", "title": "Your employers", "x-title-zh": "工作经历", "fields": ["employers", "proof"]},
    ],
    "required": [
        "name",
        "id_number",
        "phone",
        "address",
        "reason",
        "severance",
        "severance_amount",
        "employers",
        "proof",
    ],
    "properties": {
        "name": {
            "type": "string",
            "maxLength": 50,
            "title": "Full name",
            "x-title-zh": "姓名",
            "x-prefill": "legal_name",
        },
        "id_number": {
            "type": "string",
            "format": "cn-resident-id",
            "title": "ID number",
            "x-title-zh": "身份证号码",
            "x-prefill": "id_number",
        },
        "phone": {
            "type": "string",
            "format": "cn-mobile",
            "title": "Mobile",
            "x-title-zh": "手机号码",
            "x-prefill": "phone",
        },
        "address": {
            "type": "object",
            "x-widget": "address",
            "title": "Address",
            "x-title-zh": "地址",
            "x-prefill": "address",
        },
        "reason": {
            "type": "string",
            "enum": ["ended", "resigned"],
            "title": "Why did it end?",
            "x-title-zh": "离职原因",
            "x-enum-labels": {
                "ended": {"en": "Contract ended", "zh": "合同到期"},
                "resigned": {"en": "I resigned", "zh": "本人辞职"},
            },
        },
        "severance": {"type": "boolean", "title": "Severance paid?", "x-title-zh": "是否支付补偿金？"},
        "benefits": {
            "type": "array",
            "items": {"enum": ["housing", "meals"]},
            "title": "Benefits you had",
            "x-title-zh": "原有福利",
            "x-enum-labels": {"housing": {"en": "Housing", "zh": "住房"}, "meals": {"en": "Meals", "zh": "餐补"}},
        },
        "severance_amount": {
            "type": "number",
            "minimum": 0,
            "title": "Severance amount",
            "x-title-zh": "补偿金额",
            "x-show-if": {"field": "severance", "equals": True},
        },
        "employers": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "title": "Employers",
            "x-title-zh": "工作单位",
            "items": {
                "type": "object",
                "title": "Employer",
                "x-title-zh": "单位",
                "required": ["employer", "started_on"],
                "x-order": ["employer", "started_on"],
                "properties": {
                    "employer": {
                        "type": "string",
                        "maxLength": 100,
                        "title": "Employer name",
                        "x-title-zh": "单位名称",
                    },
                    "started_on": {"type": "string", "format": "date", "title": "Started", "x-title-zh": "入职日期"},
                },
            },
        },
        "proof": {
            "type": "object",
            "x-document-type": "employment-termination",
            "title": "Proof",
            "x-title-zh": "证明",
        },
    },
}
STEPS_ANSWERS = {
    "name": "李雷",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "address": {"district": "pudong", "street": "世纪大道100号"},
    "reason": "ended",
    "severance": True,
    "severance_amount": 12000,
    "employers": [{"employer": "上海某公司", "started_on": "2020-01-06"}],
    "proof": {"document_type": "employment-termination"},
}


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = "health"
    reference_prefix = factory.LazyAttribute(lambda d: d.code[:3].upper())
    name_zh = factory.LazyAttribute(lambda d: f"{d.code}部门")
    name_en = factory.LazyAttribute(lambda d: f"{d.code.title()} department")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    department = factory.SubFactory(DepartmentFactory)
    slug = factory.Sequence(lambda n: f"service-{n}")
    title_zh = factory.Sequence(lambda n: f"服务{n}")
    title_en = factory.Sequence(lambda n: f"Service {n}")
    form_schema = SIMPLE_SCHEMA
    processing_days = 10


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        user.save()
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory)
    legal_name = "李雷"
    id_number = "11010519491231002X"


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def department(user, create, extracted, role=DepartmentMembership.Role.CASEWORKER, **kwargs):
        if create and extracted:
            DepartmentMembership.objects.create(user=user, department=extracted, role=role)


def _legal_due_date(application) -> dt.date:
    """The due date routing gives: the service's working days from the day of submission."""
    submitted_at = application.submitted_at
    if isinstance(submitted_at, str):  # as a test may give it: "2026-11-02T09:00+08:00"
        submitted_at = parse_datetime(submitted_at)
    return working_calendar().add_working_days(timezone.localdate(submitted_at), application.service.processing_days)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application, a draft unless a trait gives its lifecycle state with the fields that state implies:
    ``submitted`` (submitted_at), ``routed`` (+ its service's department, the legal due date), ``in_review``
    (+ a caseworker of that department assigned), ``awaiting_information`` (+ the clock paused), ``approved`` and
    ``rejected`` (+ decided_at, a reason for a rejection), ``withdrawn`` (submitted, then withdrawn). Each field
    can still be given, e.g. ``ApplicationFactory(in_review=True, assignee=caseworker, due_date=today)``."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    service = factory.SubFactory(ServiceFactory)
    form_version = factory.LazyAttribute(lambda a: form_version_publish(service=a.service))
    answers = VALID_ANSWERS
    reference = factory.Sequence(lambda n: f"TST-2026-{n:06d}")

    class Params:
        # Each state enables the one before it in the lifecycle and adds what it implies; a later trait's values win.
        submitted = factory.Trait(status=Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        routed = factory.Trait(
            submitted=True,
            status=Status.ROUTED,
            department=factory.SelfAttribute("service.department"),
            due_date=factory.LazyAttribute(_legal_due_date),
        )
        in_review = factory.Trait(
            routed=True,
            status=Status.IN_REVIEW,
            assignee=factory.LazyAttribute(lambda a: StaffFactory(department=a.department)),
        )
        awaiting_information = factory.Trait(
            in_review=True, status=Status.AWAITING_INFORMATION, clock_paused_at=factory.LazyFunction(timezone.now)
        )
        approved = factory.Trait(in_review=True, status=Status.APPROVED, decided_at=factory.LazyFunction(timezone.now))
        rejected = factory.Trait(
            in_review=True,
            status=Status.REJECTED,
            decided_at=factory.LazyFunction(timezone.now),
            decision_reason="The documents do not show the applicant's residence.",
        )
        withdrawn = factory.Trait(submitted=True, status=Status.WITHDRAWN)

    @classmethod
    def in_status(cls, status: Status, **fields) -> Application:
        """Return an application in ``status`` through that status's trait (a draft has none)."""
        return cls(**fields) if status == Status.DRAFT else cls(**{Status(status).value: True}, **fields)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "routing.Team"
        django_get_or_create = ["department", "code"]

    department = factory.SubFactory(DepartmentFactory)
    code = "intake"
    name_zh = factory.LazyAttribute(lambda t: f"{t.code}组")
    name_en = factory.LazyAttribute(lambda t: f"{t.code.title()} team")


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    """A rule; ``conditions=[(kind, value), (kind, question, value), ...]`` adds its conditions."""

    class Meta:
        model = "routing.RoutingRule"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"rule {n}")
    position = factory.Sequence(lambda n: (n + 1) * 10)
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def conditions(rule, create, extracted, **kwargs):
        for condition in extracted or ():
            kind, *question, value = condition
            rule.conditions.create(kind=kind, question=question[0] if question else "", value=value)


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogue.DocumentType"
        django_get_or_create = ["code"]

    code = "resident-id-card"
    name_zh = "居民身份证"
    name_en = "Resident identity card"


class DocumentFactory(factory.django.DjangoModelFactory):
    """A wallet document whose bytes (``content``, a small PDF by default) are in the documents storage."""

    class Meta:
        model = "documents.Document"
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    document_type = factory.SubFactory(DocumentTypeFactory)
    stored_name = factory.Sequence(lambda n: f"factory-{n:06d}.pdf")
    original_name = "scan.pdf"
    content_type = "application/pdf"
    size = 100
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    scan_status = "clean"

    @factory.post_generation
    def content(document, create, extracted, **kwargs):
        if create:
            from django.core.files.base import ContentFile
            from django.core.files.storage import storages

            storages["documents"].save(document.stored_name, ContentFile(extracted or b"%PDF-1.4 factory"))
