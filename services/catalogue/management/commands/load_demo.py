"""Load demo departments, services and logins for the embedded mode (idempotent; refuses outside DEBUG)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from services.accounts.models import DepartmentMembership, ResidentProfile, User
from services.catalogue.models import Department, Service

DEMO_PASSWORD = "demo-portal-2026"

DEPARTMENTS = [
    ("health", "HLT", "市卫生健康委员会", "Municipal Health Commission"),
    ("education", "EDU", "市教育委员会", "Municipal Education Commission"),
    ("employment", "EMP", "市人力资源和社会保障局", "Municipal Human Resources and Social Security Bureau"),
]


def _q(title, zh, **schema):
    return {"title": title, "x-title-zh": zh, **schema}


SERVICES = [
    {
        "department": "health",
        "slug": "family-doctor-registration",
        "title_zh": "家庭医生签约",
        "title_en": "Family doctor registration",
        "summary_zh": "与社区卫生服务中心的家庭医生签约，获得连续的健康管理。",
        "summary_en": "Sign up with a family doctor at your community health centre for continuous care.",
        "processing_days": 5,
        "form_schema": {
            "type": "object",
            "required": ["health_centre", "chronic_condition"],
            "properties": {
                "health_centre": _q("Community health centre", "社区卫生服务中心", type="string", maxLength=100),
                "chronic_condition": _q("Do you have a long-term condition?", "是否患有慢性病？", type="boolean"),
                "notes": _q(
                    "Anything the doctor should know",
                    "需要医生了解的情况",
                    type="string",
                    maxLength=1000,
                    **{"x-widget": "textarea"},
                ),
            },
        },
    },
    {
        "department": "health",
        "slug": "child-vaccination-booking",
        "title_zh": "儿童预防接种预约",
        "title_en": "Child vaccination booking",
        "summary_zh": "为孩子预约免疫规划疫苗接种。",
        "summary_en": "Book your child's routine vaccinations.",
        "processing_days": 3,
        "form_schema": {
            "type": "object",
            "required": ["child_name", "child_birth_date", "vaccine"],
            "properties": {
                "child_name": _q("Child's name", "儿童姓名", type="string", maxLength=50),
                "child_birth_date": _q("Child's date of birth", "儿童出生日期", type="string", format="date"),
                "vaccine": _q(
                    "Vaccine",
                    "疫苗",
                    type="string",
                    enum=["hepb", "mmr", "dtap"],
                    **{
                        "x-enum-labels": {
                            "hepb": {"en": "Hepatitis B", "zh": "乙肝疫苗"},
                            "mmr": {"en": "Measles, mumps, rubella", "zh": "麻腮风疫苗"},
                            "dtap": {"en": "DTaP", "zh": "百白破疫苗"},
                        }
                    },
                ),
            },
        },
    },
    {
        "department": "education",
        "slug": "primary-school-enrolment",
        "title_zh": "小学入学登记",
        "title_en": "Primary school enrolment",
        "summary_zh": "为适龄儿童办理义务教育阶段小学入学登记。",
        "summary_en": "Register a school-age child for a primary school place.",
        "processing_days": 20,
        "form_schema": {
            "type": "object",
            "required": ["child_name", "child_birth_date", "child_id_number"],
            "properties": {
                "child_name": _q("Child's name", "儿童姓名", type="string", maxLength=50),
                "child_birth_date": _q("Child's date of birth", "儿童出生日期", type="string", format="date"),
                "child_id_number": _q(
                    "Child's resident ID number", "儿童身份证号码", type="string", minLength=18, maxLength=18
                ),
                "preferred_school": _q("Preferred school", "意向学校", type="string", maxLength=100),
            },
        },
    },
    {
        "department": "education",
        "slug": "student-financial-aid",
        "title_zh": "学生资助申请",
        "title_en": "Student financial aid",
        "summary_zh": "家庭经济困难学生申请助学金。",
        "summary_en": "Grants for students from families on low incomes.",
        "processing_days": 15,
        "form_schema": {
            "type": "object",
            "required": ["school", "household_size", "monthly_income"],
            "properties": {
                "school": _q("School", "就读学校", type="string", maxLength=100),
                "household_size": _q("People in the household", "家庭人口数", type="integer", minimum=1, maximum=20),
                "monthly_income": _q(
                    "Household monthly income (yuan)", "家庭月收入（元）", type="number", minimum=0, maximum=1000000
                ),
            },
        },
    },
    {
        "department": "employment",
        "slug": "unemployment-insurance-benefit",
        "title_zh": "失业保险金申领",
        "title_en": "Unemployment insurance benefit",
        "summary_zh": "参保失业人员申领失业保险金。",
        "summary_en": "Claim unemployment insurance benefit after losing your job.",
        "processing_days": 10,
        "form_schema": {
            "type": "object",
            "required": ["last_employer", "last_day_of_work", "reason"],
            "properties": {
                "last_employer": _q("Last employer", "原工作单位", type="string", maxLength=200),
                "last_day_of_work": _q("Last day of work", "最后工作日", type="string", format="date"),
                "reason": _q(
                    "Why did the job end?",
                    "离职原因",
                    type="string",
                    enum=["contract_end", "dismissed", "other"],
                    **{
                        "x-enum-labels": {
                            "contract_end": {"en": "The contract ended", "zh": "劳动合同到期"},
                            "dismissed": {"en": "The employer ended it", "zh": "用人单位解除"},
                            "other": {"en": "Another reason", "zh": "其他原因"},
                        }
                    },
                ),
            },
        },
    },
    {
        "department": "employment",
        "slug": "job-seeker-registration",
        "title_zh": "求职登记",
        "title_en": "Job-seeker registration",
        "summary_zh": "登记求职意向，获得就业服务和岗位推荐。",
        "summary_en": "Register as looking for work to get job matching and employment services.",
        "processing_days": 5,
        "form_schema": {
            "type": "object",
            "required": ["desired_occupation"],
            "properties": {
                "desired_occupation": _q("Work you are looking for", "求职意向", type="string", maxLength=100),
                "available_from": _q("Available from", "可到岗日期", type="string", format="date"),
            },
        },
    },
]

DEMO_PROFILE = {
    "legal_name": "张三",
    "id_number": "310115199003071239",
    "date_of_birth": dt.date(1990, 3, 7),
    "phone": "13800138000",
    "district": "pudong",
    "street_address": "世纪大道100号",
}

USERS = [
    # email, role description, is_staff, is_superuser, memberships
    ("resident@demo.portal", "resident", False, False, []),
    ("health.caseworker@demo.portal", "caseworker, health", True, False, [("health", "caseworker")]),
    ("education.caseworker@demo.portal", "caseworker, education", True, False, [("education", "caseworker")]),
    ("employment.caseworker@demo.portal", "caseworker, employment", True, False, [("employment", "caseworker")]),
    ("health.supervisor@demo.portal", "supervisor, health", True, False, [("health", "supervisor")]),
    ("admin@demo.portal", "superuser", True, True, []),
]


class Command(BaseCommand):
    help = "Load demo departments, services and logins (embedded/development mode only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo logins have a published password: load_demo runs only with DJANGO_DEBUG=true.")
        with transaction.atomic():
            departments = {}
            for code, prefix, name_zh, name_en in DEPARTMENTS:
                departments[code], _ = Department.objects.update_or_create(
                    code=code, defaults={"reference_prefix": prefix, "name_zh": name_zh, "name_en": name_en}
                )
            for spec in SERVICES:
                spec = dict(spec)
                department = departments[spec.pop("department")]
                Service.objects.update_or_create(slug=spec.pop("slug"), defaults={"department": department, **spec})
            for email, _role, is_staff, is_superuser, memberships in USERS:
                user = _demo_user(email, is_staff=is_staff, is_superuser=is_superuser)
                if not is_staff:
                    ResidentProfile.objects.update_or_create(user=user, defaults=DEMO_PROFILE)
                for code, role in memberships:
                    DepartmentMembership.objects.update_or_create(
                        user=user, department=departments[code], defaults={"role": role}
                    )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded: {len(DEPARTMENTS)} departments, {len(SERVICES)} services.")
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for email, role, *_ in USERS:
            where = "/admin/" if role != "resident" else "/accounts/login/"
            self.stdout.write(f"  {email:40} {role:25} sign in at http://127.0.0.1:8000{where}")


def _demo_user(email: str, *, is_staff: bool, is_superuser: bool) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email=email).first() or User(email=email)
    user.is_staff, user.is_superuser = is_staff, is_superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user
