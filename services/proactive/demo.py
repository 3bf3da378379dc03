"""Demo proactive rules for the embedded mode over the catalogue's demo services (``manage.py load_proactive_demo``,
after ``load_demo``): the demo resident finds the family doctor offered under "Offered to you"."""

from services.events.models import TYPE_PREFIX

from .models import Mode, Period, RuleStatus, Trigger

RULES = [
    # service, name, trigger, event type, conditions, mode, period, status
    ("family-doctor-registration", "家庭医生签约：向上海居民主动提供 Family doctor offered to Shanghai residents",
     Trigger.PERIODIC, "", {}, Mode.OFFER, Period.ONCE, RuleStatus.ACTIVE),
    ("job-seeker-registration", "失业金获批后提供求职登记 Job-seeker registration after the unemployment benefit",
     Trigger.EVENT, f"{TYPE_PREFIX}application.decided",
     {"service": "unemployment-insurance-benefit", "status": "approved"}, Mode.OFFER, Period.SUBJECT,
     RuleStatus.ACTIVE),
    # A birth told once (/changes/) offers the child's vaccinations and a family doctor for the child.
    ("child-vaccination-booking", "报告出生后提供预防接种预约 Vaccinations offered when a birth is reported",
     Trigger.EVENT, f"{TYPE_PREFIX}circumstance.reported", {"kind": "birth"}, Mode.OFFER, Period.SUBJECT,
     RuleStatus.ACTIVE),
    ("family-doctor-registration", "报告出生后为孩子签约家庭医生 A family doctor for the child after a birth",
     Trigger.EVENT, f"{TYPE_PREFIX}circumstance.reported", {"kind": "birth"}, Mode.OFFER, Period.SUBJECT,
     RuleStatus.ACTIVE),
    ("elderly-health-check", "年满65岁免费体检 Free health check at 65 (draft: try its dry run)",
     Trigger.PERIODIC, "", {}, Mode.OFFER, Period.YEAR, RuleStatus.DRAFT),
]  # fmt: skip
