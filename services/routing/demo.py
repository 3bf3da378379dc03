"""Demo routing for the embedded mode: team queues, a few rules and two life-event bundles over the catalogue's
demo services (``manage.py load_routing_demo``, after ``load_demo``)."""

from services.applications.models import Priority

TEAMS = [
    # department, code, name (zh, en), auto-assign, caseworkers (emails of load_demo's logins)
    ("health", "pudong", ("浦东新区受理组", "Pudong district office"), True, ["health.caseworker@demo.portal"]),
    ("health", "city", ("市级受理窗口", "City desk"), False, []),
    ("employment", "unemployment", ("失业保障组", "Unemployment team"), False, ["employment.caseworker@demo.portal"]),
]

RULES = [
    # position, name, (department, team), priority, conditions: (kind, value) or (kind, question, value)
    (10, "浦东居民的卫生服务 Pudong residents' health services", ("health", "pudong"), Priority.NORMAL,
     [("category", "medical-care, mother-and-child"), ("district", "pudong")]),
    (20, "被辞退人员优先 Dismissed workers first", ("employment", "unemployment"), Priority.HIGH,
     [("service", "unemployment-insurance-benefit"), ("answer", "reason", "dismissed")]),
    (30, "老年居民 Older residents", ("health", "city"), Priority.HIGH,
     [("category", "medical-care"), ("age_at_least", "65")]),
]  # fmt: skip

BUNDLES = [
    # slug, title (zh, en), summary (zh, en), service slugs in the form's order
    (
        "new-baby",
        ("生孩子一件事", "Having a baby"),
        ("一张表办理孕产妇建册和宝宝的预防接种预约。",
         "One form for your maternal health record and your baby's vaccinations."),
        ["maternal-health-record", "child-vaccination-booking"],
    ),
    (
        "lost-my-job",
        ("失业一件事", "Lost my job"),
        ("一张表申领失业保险金、办理求职登记和申请培训补贴。",
         "One form to claim unemployment benefit, register as looking for work and claim a training subsidy."),
        ["unemployment-insurance-benefit", "job-seeker-registration", "vocational-training-subsidy"],
    ),
]  # fmt: skip
