import factory
from allauth.account.models import EmailAddress

from services.accounts.models import DepartmentMembership, ResidentProfile, User
from services.applications.models import Application, Status
from services.catalogue.models import Department, Service

SIMPLE_SCHEMA = {
    "type": "object",
    "required": ["full_name", "start_date", "urgent"],
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


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application; traits give each lifecycle state (``routed=True``, ``in_review=True``, ...)."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    service = factory.SubFactory(ServiceFactory)
    answers = VALID_ANSWERS
    reference = factory.Sequence(lambda n: f"TST-2026-{n:06d}")

    class Params:
        submitted = factory.Trait(status=Status.SUBMITTED, submitted_at=factory.Faker("date_time", tzinfo=None))
        routed = factory.Trait(status=Status.ROUTED, department=factory.SelfAttribute("service.department"))
        in_review = factory.Trait(status=Status.IN_REVIEW, department=factory.SelfAttribute("service.department"))
