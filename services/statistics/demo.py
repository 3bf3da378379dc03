"""A few months of decided applications for the embedded demo (``make run``), with ratings and follow-ups, so that
the public statistics and the supervisors' dashboard show real charts. Demo only: never loaded outside DEBUG."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from services.accounts.models import DepartmentMembership, ResidentProfile, User
from services.accounts.validators import resident_id_check_character
from services.applications.models import Application, Status
from services.calendar.selectors import working_calendar
from services.catalogue.actions import form_version_publish
from services.catalogue.models import Service
from services.ratings.models import FollowUp, FollowUpStatus, Rating

HISTORY_DOMAIN = "history.demo.portal"  # the demo history's own residents, apart from resident@demo.portal
RESIDENTS = 24
DECIDED_PER_SERVICE = 12  # decided over the last DAYS days
OPEN_PER_SERVICE = 3  # in the department's queue now
DAYS = 120
NAMES = (
    "李娜 王伟 张敏 刘洋 陈静 杨帆 赵磊 黄丽 周杰 吴婷 徐明 孙悦 "
    "马超 朱琳 胡军 郭燕 何平 高峰 林芳 罗斌 梁雪 宋涛 郑洁 谢宇"
)


def _residents() -> list[User]:
    residents = []
    for number, name in enumerate(NAMES.split()[:RESIDENTS]):
        user = User(email=f"resident{number + 1}@{HISTORY_DOMAIN}")
        user.set_unusable_password()  # they only stand behind the figures: nobody signs in as them
        user.save()
        first17 = f"310115{dt.date(1960, 1, 1) + dt.timedelta(days=number * 400):%Y%m%d}{500 + number:03d}"
        ResidentProfile.objects.create(
            user=user, legal_name=name, id_number=first17 + resident_id_check_character(first17), district="pudong"
        )
        residents.append(user)
    return residents


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def demo_history_load(*, seed: int = 15) -> int:
    """Create, for every active service, decided applications of the last months and a few open ones, from demo
    residents of their own, with ratings (a few bad, most of those followed up); a second run adds nothing.
    Return how many applications were created."""
    if User.objects.filter(email__endswith=f"@{HISTORY_DOMAIN}").exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # demo data, repeatable, no secret
    calendar, today = working_calendar(), timezone.localdate()
    residents, created = _residents(), 0
    for service in Service.objects.active().select_related("department"):
        version = form_version_publish(service=service)
        caseworker = User.objects.filter(
            memberships__department=service.department, memberships__role=DepartmentMembership.Role.CASEWORKER
        ).first()
        for number in range(DECIDED_PER_SERVICE + OPEN_PER_SERVICE):
            days_ago = rng.randint(8, DAYS) if number < DECIDED_PER_SERVICE else number - DECIDED_PER_SERVICE
            submitted_on = today - dt.timedelta(days=days_ago)  # the open ones in the last days
            due = calendar.add_working_days(submitted_on, service.processing_days)
            decided_on = calendar.add_working_days(submitted_on, rng.randint(1, service.processing_days + 2))
            decided = number < DECIDED_PER_SERVICE and decided_on < today
            status = rng.choice([Status.APPROVED] * 4 + [Status.REJECTED]) if decided else Status.ROUTED
            application = Application.objects.create(
                applicant=rng.choice(residents),
                service=service,
                form_version=version,
                status=status,
                department=service.department,
                assignee=caseworker if decided else None,
                submitted_at=_at(submitted_on, rng.randint(8, 20)),
                routed_at=_at(submitted_on, 21),
                due_date=due,
                decided_at=_at(decided_on, 15) if decided else None,
                decision_reason="材料不齐全，请补齐后重新申请。" if status == Status.REJECTED else "",
            )
            application.reference = f"{service.department.reference_prefix}-{submitted_on.year}-{application.pk:06d}"
            application.save(update_fields=["reference"])
            if decided and rng.random() < 0.7:
                _rate(application, rng=rng, decided_on=decided_on, calendar=calendar)
            created += 1
    return created


def _rate(application: Application, *, rng: random.Random, decided_on: dt.date, calendar) -> None:
    scores = [rng.choices([5, 4, 3, 2, 1], weights=[55, 28, 9, 5, 3])[0] for _ in range(3)]
    rating = Rating.objects.create(
        application=application,
        rater=application.applicant,
        step=application.status,
        speed=scores[0],
        clarity=scores[1],
        attitude=scores[2],
        comment="等了很久才有人处理。" if min(scores) <= 2 else "",
    )
    if not rating.is_bad:
        return
    resolved = rng.random() < 0.8
    FollowUp.objects.create(
        rating=rating,
        department=application.department,
        status=FollowUpStatus.RESOLVED if resolved else FollowUpStatus.CONTACTED,
        contact_due=calendar.add_working_days(decided_on, 1),
        resolve_due=calendar.add_working_days(decided_on, 5),
        contacted_at=_at(calendar.add_working_days(decided_on, 1), 10),
        resolved_at=_at(calendar.add_working_days(decided_on, 3), 16) if resolved else None,
        outcome="已电话致歉，并说明了办理进度。" if resolved else "",
    )
