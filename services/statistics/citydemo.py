"""A year and a half of applications from every district for the embedded demo's city view (``make run``): demand
that rises and falls with the seasons, most decided in time, some asked for more information, a few withdrawn.
Demo only: never loaded outside DEBUG."""

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone

from services.accounts.models import DepartmentMembership, District, ResidentProfile, User
from services.accounts.validators import resident_id_check_character
from services.applications.models import Application, InformationRequest, Status
from services.calendar.selectors import working_calendar
from services.catalogue.actions import form_version_publish
from services.catalogue.models import Service

from .forecast import add_months

CITY_DOMAIN = "city.demo.portal"  # the city view's own demo residents, two per district
MONTHS = 18  # of history before this month
DISTRICT_WEIGHTS = {"pudong": 6, "minhang": 3, "baoshan": 2, "songjiang": 2, "jiading": 2, "chongming": 0.3}


def _residents() -> list[User]:
    residents = []
    for number, district in enumerate(d for d in District for _ in range(2)):
        user = User(email=f"resident{number + 1}@{CITY_DOMAIN}")
        user.set_unusable_password()  # they only stand behind the figures: nobody signs in as them
        user.save()
        first17 = f"310104{dt.date(1970, 1, 1) + dt.timedelta(days=number * 300):%Y%m%d}{600 + number:03d}"
        ResidentProfile.objects.create(
            user=user, legal_name=f"市民{number + 1}", id_number=first17 + resident_id_check_character(first17),
            district=district,
        )  # fmt: skip
        residents.append(user)
    return residents


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _application(service, version, *, rng, residents, weights, submitted_on: dt.date, today, calendar):
    due = calendar.add_working_days(submitted_on, service.processing_days)
    decided_on = calendar.add_working_days(submitted_on, rng.randint(1, service.processing_days + 3))
    withdrawn = rng.random() < 0.03
    stale = (today - submitted_on).days > 60  # a few recent ones wait longer; none is left open for months
    decided = not withdrawn and decided_on < today and (stale or rng.random() < 0.9)
    status = rng.choice([Status.APPROVED] * 5 + [Status.REJECTED]) if decided else Status.ROUTED
    return Application(
        applicant=rng.choices(residents, weights=weights)[0], service=service, form_version=version,
        status=Status.WITHDRAWN if withdrawn else status, department=service.department,
        submitted_at=_at(submitted_on, rng.randint(8, 20)), routed_at=_at(submitted_on, 21), due_date=due,
        decided_at=_at(decided_on, 15) if decided else None,
    )  # fmt: skip


@transaction.atomic
def city_demo_load(*, seed: int = 18) -> int:
    """Create, for every active service, applications of the last ``MONTHS`` months and this one from residents
    of every district, with a seasonal rhythm; a second run adds nothing. Return how many were created."""
    if User.objects.filter(email__endswith=f"@{CITY_DOMAIN}").exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # demo data, repeatable, no secret
    calendar, today = working_calendar(), timezone.localdate()
    residents = _residents()
    weights = [DISTRICT_WEIGHTS.get(user.profile.district, 1) for user in residents]
    made, asked = [], []
    for service in Service.objects.active().select_related("department"):
        version, level, returned = form_version_publish(service=service), rng.randint(8, 30), rng.uniform(0.05, 0.3)
        for k in range(MONTHS, -1, -1):
            month = add_months(today.replace(day=1), -k)
            days = (today - month).days + 1 if k == 0 else (add_months(month, 1) - month).days
            season = 1 + 0.35 * math.sin(2 * math.pi * (month.month - 4) / 12)  # busiest in July, quietest in January
            for _ in range(round(level * season * rng.uniform(0.85, 1.15) * days / 30)):
                submitted_on = month + dt.timedelta(days=rng.randrange(days))
                made.append(
                    _application(service, version, rng=rng, residents=residents, weights=weights,
                                 submitted_on=submitted_on, today=today, calendar=calendar)
                )  # fmt: skip
                asked.append(rng.random() < returned)
    Application.objects.bulk_create(made, batch_size=500)
    for application in made:
        application.reference = (
            f"{application.department.reference_prefix}-{application.submitted_at.year}-C{application.pk:06d}"
        )
    Application.objects.bulk_update(made, ["reference"], batch_size=500)
    caseworkers = dict(
        DepartmentMembership.objects.filter(role=DepartmentMembership.Role.CASEWORKER).values_list(
            "department_id", "user_id"
        )
    )
    InformationRequest.objects.bulk_create(
        [
            InformationRequest(application=application, asked_by_id=caseworkers[application.department_id],
                               message="请补充近三个月的居住证明。")
            for application, ask in zip(made, asked, strict=True)
            if ask and application.department_id in caseworkers
        ],
        batch_size=500,
    )  # fmt: skip
    return len(made)
