"""The portal's service catalogue as data, loaded by ``manage.py load_catalogue`` (idempotent).

Forms follow services/dynamic_forms/fields.py and structure.py: JSON Schema with x- hints for steps, labels in
both languages, conditions and profile prefill. Questions that mean the same thing carry the same name in every form
(``child_name``, ``child_birth_date`` ...), so a resident's earlier answers fill in the next form.
"""

from django.utils import translation

from services.accounts.models import District

ALL_DISTRICTS = list(District.values)

DEPARTMENTS = [
    ("health", "HLT", "市卫生健康委员会", "Municipal Health Commission"),
    ("education", "EDU", "市教育委员会", "Municipal Education Commission"),
    ("employment", "EMP", "市人力资源和社会保障局", "Municipal Human Resources and Social Security Bureau"),
]

CATEGORIES = [
    ("medical-care", "医疗服务", "Medical care"),
    ("mother-and-child", "妇幼健康", "Mother and child health"),
    ("medical-insurance", "医疗保障", "Medical insurance"),
    ("school-places", "入学入园入托", "School, kindergarten and nursery places"),
    ("student-support", "学生资助", "Student support"),
    ("adult-learning", "成人学习", "Adult learning"),
    ("unemployment", "失业保障", "Unemployment support"),
    ("jobs-and-training", "就业与培训", "Jobs and training"),
    ("entrepreneurship", "创业扶持", "Starting a business"),
]

LIFE_EVENTS = [
    ("having-a-baby", "生育孩子", "Having a baby"),
    ("starting-school", "孩子上学", "Starting school"),
    ("losing-a-job", "失去工作", "Losing a job"),
    ("starting-a-business", "创业", "Starting a business"),
    ("growing-older", "步入老年", "Growing older"),
]

DOCUMENT_TYPES = [
    ("resident-id-card", "居民身份证", "Resident identity card"),
    ("household-register", "户口簿", "Household register (hukou)"),
    ("residence-permit", "上海市居住证", "Shanghai residence permit"),
    ("birth-certificate", "出生医学证明", "Medical birth certificate"),
    ("vaccination-record", "预防接种证", "Vaccination record booklet"),
    ("pregnancy-proof", "妊娠诊断证明", "Proof of pregnancy from a hospital"),
    ("medical-invoices", "医疗费用票据", "Medical bills and receipts"),
    ("medical-records", "门急诊病历或出院小结", "Medical records or discharge summary"),
    ("employment-termination", "解除或终止劳动合同证明", "Proof that your employment ended"),
    ("bank-card", "社会保障卡或本人银行卡", "Social security card or your bank card"),
    ("business-licence", "营业执照", "Business licence"),
    ("training-certificate", "职业培训合格证书", "Training completion certificate"),
    ("hardship-proof", "家庭经济困难证明", "Proof of household financial hardship"),
    ("tenancy-or-property", "房地产权证或租赁合同", "Property certificate or tenancy agreement"),
]


# --- Question builders ------------------------------------------------------------------------------


def q(en: str, zh: str, **schema) -> dict:
    return {"title": en, "x-title-zh": zh, **schema}


def text(en, zh, max_length=100, **extra):
    return q(en, zh, type="string", maxLength=max_length, **extra)


def long_text(en, zh, max_length=1000, **extra):
    return q(en, zh, type="string", maxLength=max_length, **{"x-widget": "textarea"}, **extra)


def date(en, zh, **extra):
    return q(en, zh, type="string", format="date", **extra)


PAST, FUTURE = {"x-when": "past"}, {"x-when": "future"}  # not after today; not before today (dynamic_forms.dates)


def yes_no(en, zh, **extra):
    return q(en, zh, type="boolean", **extra)


def integer(en, zh, minimum=0, maximum=1000, **extra):
    return q(en, zh, type="integer", minimum=minimum, maximum=maximum, **extra)


def money(en, zh, maximum=1_000_000, **extra):
    return q(en, zh, type="number", minimum=0, maximum=maximum, **extra)


def _labels(options):
    return {value: {"en": en, "zh": zh} for value, zh, en in options}


def choice(en, zh, options, **extra):
    """A single choice; ``options`` are (value, Chinese, English)."""
    return q(en, zh, type="string", enum=[o[0] for o in options], **{"x-enum-labels": _labels(options)}, **extra)


def choices(en, zh, options, min_items=1, **extra):
    """A multiple choice (at least ``min_items``); ``options`` are (value, Chinese, English)."""
    return q(
        en,
        zh,
        type="array",
        items={"enum": [o[0] for o in options]},
        minItems=min_items,
        **{"x-enum-labels": _labels(options)},
        **extra,
    )


def document(code, en, zh, **extra):
    return q(en, zh, type="object", **{"x-document-type": code}, **extra)


def group(en, zh, row_en, row_zh, properties, required, min_items=1, max_items=10, **extra):
    items = {
        "type": "object",
        "title": row_en,
        "x-title-zh": row_zh,
        "x-order": list(properties),
        "properties": properties,
        "required": required,
    }
    return q(en, zh, type="array", items=items, minItems=min_items, maxItems=max_items, **extra)


def when(field, value, prop):
    """Ask ``prop`` only when ``field`` (on an earlier step) was answered ``value``."""
    return {**prop, "x-show-if": {"field": field, "equals": value}}


def step(key, en, zh, *fields):
    return {"key": key, "title": en, "x-title-zh": zh, "fields": list(fields)}


def form(steps, properties, required):
    return {"type": "object", "x-steps": steps, "properties": properties, "required": required}


APPLICANT = {
    "applicant_name": text("Your full name", "姓名", 50, **{"x-prefill": "legal_name"}),
    "applicant_id_number": q(
        "Your resident ID number", "公民身份号码", type="string", format="cn-resident-id", **{"x-prefill": "id_number"}
    ),
    "applicant_phone": q("Your mobile number", "手机号码", type="string", format="cn-mobile", **{"x-prefill": "phone"}),
    "home_address": q("Where you live", "居住地址", type="object", **{"x-widget": "address", "x-prefill": "address"}),
}
ABOUT_YOU = step("about-you", "About you", "申请人信息", *APPLICANT)
CHILD = {
    "child_name": text("Child's full name", "儿童姓名", 50),
    "child_birth_date": date("Child's date of birth", "儿童出生日期", **PAST),
    "child_id_number": q(
        "Child's resident ID number",
        "儿童公民身份号码",
        type="string",
        format="cn-resident-id",
        description="As in the household register or on the birth registration.",
        **{"x-description-zh": "与户口簿或出生登记一致。"},
    ),
}
BANK = {
    "bank_name": text("Bank", "开户银行", 50),
    "bank_account": q(
        "Account number",
        "银行账号",
        type="string",
        format="cn-bank-account",
        description="12 to 19 digits, in your own name.",
        **{"x-description-zh": "12至19位数字，须为本人账户。"},
    ),
}


def _district_options() -> list[tuple[str, str, str]]:
    """Shanghai's districts as (value, Chinese, English) options, from the one list in accounts."""
    names = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names[language] = {code: str(label) for code, label in District.choices}
    return [(code, names["zh-hans"][code], names["en"][code]) for code in District.values]


DISTRICT_OPTIONS = _district_options()
IN_SHANGHAI = {"kind": "district", "in": ALL_DISTRICTS}
WORKING_AGE = {"kind": "age", "min": 16, "max": 60}


# Services that pay money or give a place need a verified real-name identity; the others an email account.
REAL_NAME_SERVICES = {
    "medical-insurance-reimbursement",
    "primary-school-enrolment",
    "student-financial-aid",
    "unemployment-insurance-benefit",
    "vocational-training-subsidy",
    "business-start-up-subsidy",
    "flexible-employment-insurance-subsidy",
}


def service(
    department, slug, title, summary, keywords, *, category, life_events, documents, rules, days, schema, fee=None
):
    return {
        "department": department,
        "slug": slug,
        "title_zh": title[0],
        "title_en": title[1],
        "summary_zh": summary[0],
        "summary_en": summary[1],
        "keywords_zh": keywords[0],
        "keywords_en": keywords[1],
        "category": category,
        "life_events": life_events,
        "document_types": documents,
        "eligibility_rules": rules,
        "processing_days": days,
        "fee_rule": fee or {},
        "form_schema": schema,
        "assurance": "real_name" if slug in REAL_NAME_SERVICES else "email",
    }


SERVICES = [
    # --- Health -----------------------------------------------------------------------------------
    service(
        "health",
        "family-doctor-registration",
        ("家庭医生签约", "Family doctor registration"),
        (
            "与居住地社区卫生服务中心的家庭医生签约，获得连续的健康管理、慢病随访和优先转诊。",
            "Sign up with a family doctor at your community health centre for continuous care, check-ups for "
            "long-term conditions and priority referrals.",
        ),
        ("家庭医生 社区医生 全科医生 签约 1+1+1 看病", "GP general practitioner doctor community health centre"),
        category="medical-care",
        life_events=["growing-older"],
        documents=["resident-id-card"],
        rules=[IN_SHANGHAI],
        days=5,
        schema=form(
            [
                ABOUT_YOU,
                step("health", "Your health", "健康状况", "chronic_condition", "home_visits"),
                step("doctor", "Your family doctor", "签约医生", "conditions", "health_centre", "notes"),
            ],
            {
                **APPLICANT,
                "chronic_condition": yes_no("Do you have a long-term condition?", "是否患有慢性病？"),
                "home_visits": yes_no("Do you need the doctor to visit you at home?", "是否需要上门服务？"),
                "conditions": when(
                    "chronic_condition",
                    True,
                    choices(
                        "Which long-term conditions?",
                        "患有哪些慢性病？",
                        [
                            ("hypertension", "高血压", "High blood pressure"),
                            ("diabetes", "糖尿病", "Diabetes"),
                            ("heart", "心脑血管疾病", "Heart or circulation disease"),
                            ("copd", "慢性阻塞性肺病", "Chronic lung disease"),
                            ("other", "其他", "Another condition"),
                        ],
                    ),
                ),
                "health_centre": text("Community health centre", "社区卫生服务中心", 100),
                "notes": long_text("Anything the doctor should know", "需要医生了解的其他情况"),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "chronic_condition",
                "home_visits",
                "conditions",
                "health_centre",
            ],
        ),
    ),
    service(
        "health",
        "maternal-health-record",
        ("孕产妇健康档案建册", "Maternal health record"),
        (
            "怀孕后在社区卫生服务中心建立《上海市母子健康手册》，享受免费产前检查和产后访视。",
            "Open your Shanghai mother-and-child health record at your community health centre for free antenatal "
            "check-ups and a home visit after the birth.",
        ),
        ("怀孕 孕妇 建册 建卡 母子健康手册 产检 生孩子", "pregnancy pregnant antenatal maternity record booklet"),
        category="mother-and-child",
        life_events=["having-a-baby"],
        documents=["resident-id-card", "pregnancy-proof"],
        rules=[IN_SHANGHAI, {"kind": "answer", "field": "pregnancy_confirmed", "equals": True}],
        days=5,
        schema=form(
            [
                ABOUT_YOU,
                step(
                    "pregnancy",
                    "Your pregnancy",
                    "妊娠情况",
                    "pregnancy_confirmed",
                    "expected_due_date",
                    "first_pregnancy",
                ),
                step(
                    "care",
                    "Where you will be cared for",
                    "产检与分娩",
                    "health_centre",
                    "birth_hospital",
                    "pregnancy_proof",
                ),
            ],
            {
                **APPLICANT,
                "pregnancy_confirmed": yes_no("Has a hospital confirmed the pregnancy?", "是否已经医院确诊怀孕？"),
                "expected_due_date": date("Expected due date", "预产期"),
                "first_pregnancy": yes_no("Is this your first pregnancy?", "是否为第一次怀孕？"),
                "health_centre": text("Community health centre", "建册社区卫生服务中心", 100),
                "birth_hospital": text("Hospital where you plan to give birth", "计划分娩医院", 100),
                "pregnancy_proof": document("pregnancy-proof", "Proof of pregnancy", "妊娠诊断证明"),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "pregnancy_confirmed",
                "expected_due_date",
                "first_pregnancy",
                "health_centre",
                "pregnancy_proof",
            ],
        ),
    ),
    service(
        "health",
        "medical-insurance-reimbursement",
        ("基本医疗保险零星报销", "Basic medical insurance reimbursement"),
        (
            "参保人员因急诊、异地就医等原因自行垫付的医疗费用，可申请按规定报销。",
            "Claim back medical costs you paid yourself, for example after emergency treatment or treatment "
            "outside Shanghai, under the basic medical insurance rules.",
        ),
        ("医保 报销 零星报销 医药费 垫付 看病 异地就医", "medical insurance claim refund reimburse medical bills"),
        category="medical-insurance",
        life_events=[],
        documents=["medical-invoices", "medical-records", "bank-card"],
        rules=[{"kind": "answer", "field": "insured_in_shanghai", "equals": True}],
        days=20,
        schema=form(
            [
                ABOUT_YOU,
                step("insurance", "Your insurance", "参保情况", "insured_in_shanghai", "treatment_type"),
                step("bills", "Your bills", "医疗费用", "bills"),
                step("payment", "Where we pay the money", "收款账户", *BANK, "invoices", "records"),
            ],
            {
                **APPLICANT,
                "insured_in_shanghai": yes_no(
                    "Are you insured with Shanghai basic medical insurance?", "是否参加本市基本医疗保险？"
                ),
                "treatment_type": choice(
                    "Why did you pay yourself?",
                    "自行垫付的原因",
                    [
                        ("emergency", "急诊抢救", "Emergency treatment"),
                        ("elsewhere", "异地就医", "Treatment outside Shanghai"),
                        ("card_unavailable", "未能持卡结算", "The insurance card could not be used"),
                    ],
                ),
                "bills": group(
                    "Bills you paid",
                    "垫付的费用",
                    "Bill",
                    "票据",
                    {
                        "hospital": text("Hospital", "医疗机构", 100),
                        "treated_on": date("Date of treatment", "就诊日期", **PAST),
                        "amount": money("Amount paid (yuan)", "金额（元）"),
                    },
                    ["hospital", "treated_on", "amount"],
                    max_items=20,
                ),
                **BANK,
                "invoices": document("medical-invoices", "Medical bills and receipts", "医疗费用票据"),
                "records": document("medical-records", "Medical records", "门急诊病历或出院小结"),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "insured_in_shanghai",
                "treatment_type",
                "bills",
                "bank_name",
                "bank_account",
                "invoices",
                "records",
            ],
        ),
    ),
    service(
        "health",
        "child-vaccination-booking",
        ("儿童预防接种预约", "Child vaccination booking"),
        (
            "为6周岁以下儿童预约免疫规划疫苗接种。",
            "Book routine vaccinations for a child under six.",
        ),
        ("疫苗 打针 接种 预防针 宝宝 儿童", "vaccine vaccination jab immunisation baby child"),
        category="mother-and-child",
        life_events=["having-a-baby"],
        documents=["vaccination-record"],
        rules=[{"kind": "child_age", "field": "child_birth_date", "min_months": 0, "max_months": 72}],
        days=3,
        schema=form(
            [
                step("child", "Your child", "儿童信息", *CHILD),
                step(
                    "appointment",
                    "The appointment",
                    "预约信息",
                    "vaccines",
                    "health_centre",
                    "preferred_date",
                    "time_of_day",
                ),
                step("contact", "How we reach you", "联系方式", "applicant_name", "applicant_phone"),
            ],
            {
                **CHILD,
                "vaccines": choices(
                    "Which vaccines?",
                    "接种疫苗",
                    [
                        ("hepb", "乙肝疫苗", "Hepatitis B"),
                        ("bcg", "卡介苗", "BCG (tuberculosis)"),
                        ("polio", "脊灰疫苗", "Polio"),
                        ("dtap", "百白破疫苗", "Diphtheria, tetanus, whooping cough"),
                        ("mmr", "麻腮风疫苗", "Measles, mumps, rubella"),
                        ("je", "乙脑疫苗", "Japanese encephalitis"),
                        ("varicella", "水痘疫苗", "Chickenpox"),
                    ],
                ),
                "health_centre": text("Vaccination clinic", "接种门诊", 100),
                "preferred_date": date("Preferred date", "希望接种日期", **FUTURE),
                "time_of_day": choice(
                    "Preferred time", "希望时段", [("morning", "上午", "Morning"), ("afternoon", "下午", "Afternoon")]
                ),
                "applicant_name": APPLICANT["applicant_name"],
                "applicant_phone": APPLICANT["applicant_phone"],
            },
            [
                "child_name",
                "child_birth_date",
                "vaccines",
                "health_centre",
                "preferred_date",
                "time_of_day",
                "applicant_name",
                "applicant_phone",
            ],
        ),
    ),
    service(
        "health",
        "elderly-health-check",
        ("老年人免费健康体检预约", "Free health check for older people"),
        (
            "65周岁及以上常住居民每年可在社区卫生服务中心免费体检一次。",
            "Residents aged 65 or over can have one free health check a year at their community health centre.",
        ),
        ("老年人 体检 免费体检 老人 健康检查", "elderly older people senior free health check-up"),
        category="medical-care",
        life_events=["growing-older"],
        documents=["resident-id-card"],
        rules=[{"kind": "age", "min": 65}, IN_SHANGHAI],
        days=5,
        schema=form(
            [
                ABOUT_YOU,
                step("appointment", "The appointment", "预约信息", "health_centre", "preferred_date", "needs_help"),
                step("help", "Help on the day", "现场协助", "help_needed"),
            ],
            {
                **APPLICANT,
                "health_centre": text("Community health centre", "社区卫生服务中心", 100),
                "preferred_date": date("Preferred date", "希望体检日期", **FUTURE),
                "needs_help": yes_no("Will you need help on the day?", "体检时是否需要协助？"),
                "help_needed": when("needs_help", True, long_text("What help do you need?", "需要哪些协助？", 500)),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "health_centre",
                "preferred_date",
                "needs_help",
                "help_needed",
            ],
        ),
    ),
    # --- Education --------------------------------------------------------------------------------
    service(
        "education",
        "primary-school-enrolment",
        ("小学入学登记", "Primary school enrolment"),
        (
            "为适龄儿童办理义务教育阶段小学入学信息登记，按户籍或居住证积分对口入学。",
            "Register a school-age child for a primary school place, allocated by household registration or "
            "residence permit.",
        ),
        ("上学 入学 小学 一年级 报名 义务教育 读书", "school enrolment primary school admission first grade"),
        category="school-places",
        life_events=["starting-school"],
        documents=["household-register", "birth-certificate", "tenancy-or-property", "residence-permit"],
        rules=[{"kind": "child_age", "field": "child_birth_date", "min_months": 72, "max_months": 96}, IN_SHANGHAI],
        days=20,
        schema=form(
            [
                step("child", "Your child", "儿童信息", *CHILD),
                step("family", "Your family", "家庭信息", "hukou_in_shanghai", "home_address", "guardians"),
                step("permit", "Your residence permit", "居住证信息", "residence_permit_number"),
                step("school", "The school", "学校意向", "preferred_school", "sibling_at_school", "household_register"),
            ],
            {
                **CHILD,
                "hukou_in_shanghai": yes_no("Is the child's household registered in Shanghai?", "儿童户籍是否在本市？"),
                "home_address": APPLICANT["home_address"],
                "guardians": group(
                    "Parents or guardians",
                    "父母或监护人",
                    "Guardian",
                    "监护人",
                    {
                        "name": text("Full name", "姓名", 50),
                        "relationship": choice(
                            "Relationship to the child",
                            "与儿童关系",
                            [
                                ("father", "父亲", "Father"),
                                ("mother", "母亲", "Mother"),
                                ("guardian", "其他监护人", "Other guardian"),
                            ],
                        ),
                        "phone": q("Mobile number", "手机号码", type="string", format="cn-mobile"),
                    },
                    ["name", "relationship", "phone"],
                    max_items=2,
                ),
                "residence_permit_number": when(
                    "hukou_in_shanghai",
                    False,
                    text("A parent's Shanghai residence permit number", "父母一方上海市居住证号码", 30),
                ),
                "preferred_school": text("Preferred school", "意向学校", 100),
                "sibling_at_school": yes_no(
                    "Does a brother or sister go to that school?", "是否有兄弟姐妹在该校就读？"
                ),
                "household_register": document("household-register", "Household register", "户口簿"),
            },
            [
                "child_name",
                "child_birth_date",
                "child_id_number",
                "hukou_in_shanghai",
                "home_address",
                "guardians",
                "residence_permit_number",
                "household_register",
            ],
        ),
    ),
    service(
        "education",
        "kindergarten-enrolment",
        ("幼儿园入园登记", "Kindergarten enrolment"),
        (
            "为3至6周岁儿童办理幼儿园入园信息登记。",
            "Register a child aged 3 to 6 for a kindergarten place.",
        ),
        ("幼儿园 入园 报名 小班 托班", "kindergarten preschool nursery school place"),
        category="school-places",
        life_events=["starting-school"],
        documents=["birth-certificate", "household-register", "vaccination-record"],
        rules=[{"kind": "child_age", "field": "child_birth_date", "min_months": 36, "max_months": 72}, IN_SHANGHAI],
        days=20,
        schema=form(
            [
                step("child", "Your child", "儿童信息", *CHILD),
                step("family", "Your family", "家庭信息", "applicant_name", "applicant_phone", "home_address"),
                step(
                    "kindergarten",
                    "The kindergarten",
                    "入园意向",
                    "kindergarten_type",
                    "preferred_kindergarten",
                    "special_care",
                ),
                step("care", "Special care", "特殊照护", "care_details"),
            ],
            {
                **CHILD,
                "applicant_name": APPLICANT["applicant_name"],
                "applicant_phone": APPLICANT["applicant_phone"],
                "home_address": APPLICANT["home_address"],
                "kindergarten_type": choice(
                    "Kind of kindergarten",
                    "幼儿园类型",
                    [("public", "公办", "Public"), ("private", "民办", "Private"), ("either", "均可", "Either")],
                ),
                "preferred_kindergarten": text("Preferred kindergarten", "意向幼儿园", 100),
                "special_care": yes_no(
                    "Does the child need special care (allergies, a disability, medicine)?",
                    "儿童是否需要特殊照护（过敏、残疾、用药等）？",
                ),
                "care_details": when("special_care", True, long_text("What care is needed?", "需要哪些照护？", 1000)),
            },
            [
                "child_name",
                "child_birth_date",
                "child_id_number",
                "applicant_name",
                "applicant_phone",
                "home_address",
                "kindergarten_type",
                "special_care",
                "care_details",
            ],
        ),
    ),
    service(
        "education",
        "nursery-place",
        ("托育机构入托申请", "Nursery place for a toddler"),
        (
            "为2至3周岁幼儿申请社区托育点或普惠性托育机构的托位。",
            "Apply for a place for a child aged 2 to 3 at a community or subsidised nursery.",
        ),
        ("托育 托班 入托 宝宝 带娃 托儿所", "nursery childcare toddler daycare creche"),
        category="school-places",
        life_events=["having-a-baby", "starting-school"],
        documents=["birth-certificate", "vaccination-record"],
        rules=[{"kind": "child_age", "field": "child_birth_date", "min_months": 24, "max_months": 36}, IN_SHANGHAI],
        days=10,
        schema=form(
            [
                step("child", "Your child", "幼儿信息", *CHILD),
                step(
                    "care",
                    "The care you need",
                    "托育需求",
                    "attendance",
                    "start_date",
                    "preferred_nursery",
                    "applicant_name",
                    "applicant_phone",
                ),
            ],
            {
                **CHILD,
                "attendance": choice(
                    "How often?",
                    "托育方式",
                    [
                        ("full_day", "全日托", "Full days"),
                        ("half_day", "半日托", "Half days"),
                        ("occasional", "临时托", "Now and then"),
                    ],
                ),
                "start_date": date("From when?", "希望入托日期", **FUTURE),
                "preferred_nursery": text("Preferred nursery", "意向托育机构", 100),
                "applicant_name": APPLICANT["applicant_name"],
                "applicant_phone": APPLICANT["applicant_phone"],
            },
            ["child_name", "child_birth_date", "attendance", "start_date", "applicant_name", "applicant_phone"],
        ),
    ),
    service(
        "education",
        "student-financial-aid",
        ("学生资助申请", "Student financial aid"),
        (
            "家庭经济困难的在校学生可申请助学金和学杂费减免。",
            "Students from families in financial hardship can apply for grants and reduced school fees.",
        ),
        ("助学金 资助 困难学生 学费减免 低保 贫困", "grant bursary financial aid hardship school fees low income"),
        category="student-support",
        life_events=["starting-school"],
        documents=["hardship-proof", "household-register", "bank-card"],
        rules=[
            {
                "kind": "answer",
                "field": "household_status",
                "in": ["minimum_living", "low_income", "disability", "orphan"],
            }
        ],
        days=15,
        schema=form(
            [
                step("student", "The student", "学生信息", "student_name", "student_id_number", "school", "stage"),
                step("household", "The household", "家庭情况", "household_status", "household_members"),
                step("payment", "Where we pay the money", "收款账户", *BANK, "hardship_proof"),
            ],
            {
                "student_name": text("Student's full name", "学生姓名", 50),
                "student_id_number": q(
                    "Student's resident ID number", "学生公民身份号码", type="string", format="cn-resident-id"
                ),
                "school": text("School", "就读学校", 100),
                "stage": choice(
                    "Stage of education",
                    "学段",
                    [
                        ("primary", "小学", "Primary school"),
                        ("junior", "初中", "Junior secondary"),
                        ("senior", "普通高中", "Senior secondary"),
                        ("vocational", "中等职业学校", "Vocational school"),
                    ],
                ),
                "household_status": choice(
                    "Which applies to the household?",
                    "家庭属于哪种情况？",
                    [
                        ("minimum_living", "最低生活保障家庭", "Receives minimum living allowance (dibao)"),
                        ("low_income", "低收入困难家庭", "Certified low-income household"),
                        ("disability", "残疾学生或残疾人家庭", "A student or parent with a disability"),
                        ("orphan", "孤儿或事实无人抚养儿童", "Orphan or child without carers"),
                        ("none", "以上都不是", "None of these"),
                    ],
                ),
                "household_members": group(
                    "People in the household",
                    "家庭成员",
                    "Person",
                    "成员",
                    {
                        "name": text("Full name", "姓名", 50),
                        "relationship": text("Relationship to the student", "与学生关系", 20),
                        "monthly_income": money("Monthly income (yuan)", "月收入（元）", 200_000),
                    },
                    ["name", "relationship", "monthly_income"],
                    max_items=12,
                ),
                **BANK,
                "hardship_proof": document("hardship-proof", "Proof of financial hardship", "家庭经济困难证明"),
            },
            [
                "student_name",
                "student_id_number",
                "school",
                "stage",
                "household_status",
                "household_members",
                "bank_name",
                "bank_account",
                "hardship_proof",
            ],
        ),
    ),
    service(
        "education",
        "adult-vocational-course",
        ("成人职业技能课程报名", "Adult vocational course"),
        (
            "成年居民可报名参加政府补贴的职业技能课程，结业后可获培训合格证书。",
            "Adults can enrol in subsidised vocational courses and receive a certificate on completion.",
        ),
        ("培训 技能 课程 成人教育 学手艺 再就业 夜校", "course training adult education skills evening class"),
        category="adult-learning",
        life_events=["losing-a-job"],
        documents=["resident-id-card"],
        rules=[{"kind": "age", "min": 18, "max": 65}],
        days=10,
        # A course fee of ¥300.00, waived for the unemployed (the demo's fee-bearing service).
        fee={
            "amount_fen": 30000,
            "waived_if": [{"kind": "answer", "field": "employment_status", "in": ["unemployed"]}],
        },
        schema=form(
            [
                ABOUT_YOU,
                step("course", "The course", "课程选择", "course", "schedule", "education"),
                step("work", "Your work", "就业情况", "employment_status"),
            ],
            {
                **APPLICANT,
                "course": choice(
                    "Course",
                    "课程",
                    [
                        ("elder_care", "养老护理员", "Elder care assistant"),
                        ("childcare", "育婴员", "Infant carer"),
                        ("it", "计算机操作", "Computer skills"),
                        ("accounting", "会计实务", "Bookkeeping"),
                        ("electrician", "电工", "Electrician"),
                        ("chef", "中式烹调师", "Chinese cookery"),
                        ("ecommerce", "电子商务", "Online retail"),
                    ],
                    **{"x-widget": "select"},
                ),
                "schedule": choice(
                    "When can you attend?",
                    "上课时间",
                    [
                        ("weekday_day", "工作日白天", "Weekdays"),
                        ("weekday_evening", "工作日晚上", "Weekday evenings"),
                        ("weekend", "周末", "Weekends"),
                    ],
                ),
                "education": choice(
                    "Highest education",
                    "最高学历",
                    [
                        ("junior", "初中及以下", "Junior secondary or less"),
                        ("senior", "高中或中专", "Senior secondary"),
                        ("college", "大专", "College"),
                        ("university", "本科及以上", "University"),
                    ],
                ),
                "employment_status": choice(
                    "Are you working?",
                    "目前就业状态",
                    [
                        ("employed", "在职", "Employed"),
                        ("unemployed", "失业", "Unemployed"),
                        ("flexible", "灵活就业", "Flexible or gig work"),
                        ("student", "在校学生", "Student"),
                    ],
                ),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "course",
                "schedule",
                "education",
                "employment_status",
            ],
        ),
    ),
    # --- Employment -------------------------------------------------------------------------------
    service(
        "employment",
        "unemployment-insurance-benefit",
        ("失业保险金申领", "Unemployment insurance benefit"),
        (
            "非因本人意愿中断就业、缴纳失业保险满一年并已办理求职登记的人员，可申领失业保险金。",
            "If your job ended through no choice of your own, you paid unemployment insurance for at least a year "
            "and you have registered as looking for work, you can claim unemployment insurance benefit.",
        ),
        (
            "失业 失业金 失业保险 下岗 丢了工作 没工作 被辞退 裁员",
            "unemployment unemployed jobless lost job laid off redundancy dismissed benefit",
        ),
        category="unemployment",
        life_events=["losing-a-job"],
        documents=["employment-termination", "bank-card"],
        rules=[
            WORKING_AGE,
            IN_SHANGHAI,
            {"kind": "answer", "field": "reason", "in": ["contract_end", "dismissed", "mutual_agreement"]},
            {"kind": "answer_at_least", "field": "contribution_months", "min": 12},
            {"kind": "answer", "field": "registered_job_seeker", "equals": True},
        ],
        days=10,
        schema=form(
            [
                ABOUT_YOU,
                step(
                    "last-job",
                    "Your last job",
                    "原工作情况",
                    "last_employer",
                    "last_day_of_work",
                    "reason",
                    "severance_received",
                ),
                step("severance", "Your severance pay", "经济补偿", "severance_amount"),
                step("work-history", "Your insurance record", "参保缴费记录", "contribution_months", "employers"),
                step("job-search", "Looking for work", "求职情况", "registered_job_seeker", "desired_occupation"),
                step("payment", "Where we pay the benefit", "收款账户", *BANK, "termination_proof"),
            ],
            {
                **APPLICANT,
                "last_employer": text("Last employer", "原工作单位", 200),
                "last_day_of_work": date("Last day of work", "最后工作日", **PAST),
                "reason": choice(
                    "Why did the job end?",
                    "离职原因",
                    [
                        ("contract_end", "劳动合同期满终止", "The contract ended"),
                        ("dismissed", "用人单位解除劳动合同", "The employer ended it"),
                        ("mutual_agreement", "协商一致解除", "We agreed to end it"),
                        ("resigned", "本人辞职", "I resigned"),
                    ],
                ),
                "severance_received": yes_no("Did the employer pay you severance?", "单位是否支付了经济补偿金？"),
                "severance_amount": when(
                    "severance_received", True, money("Severance paid (yuan)", "经济补偿金额（元）")
                ),
                "contribution_months": integer(
                    "Months of unemployment insurance paid",
                    "累计缴纳失业保险月数",
                    0,
                    600,
                    description="All employers together; your social insurance record shows it.",
                    **{"x-description-zh": "所有单位累计，可查询本人社保缴费记录。"},
                ),
                "employers": group(
                    "Employers in the last two years",
                    "近两年工作单位",
                    "Employer",
                    "工作单位",
                    {
                        "employer": text("Employer", "单位名称", 200),
                        "started_on": date("Started", "入职日期", **PAST),
                        "ended_on": date("Ended", "离职日期", **PAST, **{"x-after": "started_on"}),
                    },
                    ["employer", "started_on", "ended_on"],
                    max_items=10,
                ),
                "registered_job_seeker": yes_no(
                    "Have you registered as looking for work?",
                    "是否已办理求职登记？",
                    description="Register with the job-seeker registration service first.",
                    **{"x-description-zh": "须先办理求职登记。"},
                ),
                "desired_occupation": text("Work you are looking for", "求职意向", 100),
                **BANK,
                "termination_proof": document(
                    "employment-termination", "Proof that your employment ended", "解除或终止劳动合同证明"
                ),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "last_employer",
                "last_day_of_work",
                "reason",
                "severance_received",
                "severance_amount",
                "contribution_months",
                "employers",
                "registered_job_seeker",
                "bank_name",
                "bank_account",
                "termination_proof",
            ],
        ),
    ),
    service(
        "employment",
        "job-seeker-registration",
        ("求职登记", "Job-seeker registration"),
        (
            "登记求职意向，获得职业指导、岗位推荐和免费就业服务。",
            "Register as looking for work to get careers advice, job matching and free employment services.",
        ),
        ("求职 找工作 失业登记 就业登记 招聘 岗位", "job seeker looking for work job search employment registration"),
        category="jobs-and-training",
        life_events=["losing-a-job"],
        documents=["resident-id-card"],
        rules=[{"kind": "age", "min": 16}],
        days=5,
        schema=form(
            [
                ABOUT_YOU,
                step(
                    "work",
                    "The work you want",
                    "求职意向",
                    "employment_status",
                    "desired_occupation",
                    "work_districts",
                    "available_from",
                ),
                step("skills", "Your skills", "技能与学历", "education", "skills"),
            ],
            {
                **APPLICANT,
                "employment_status": choice(
                    "Your situation",
                    "目前状况",
                    [
                        ("unemployed", "失业", "Unemployed"),
                        ("graduate", "应届毕业生", "Recent graduate"),
                        ("employed", "在职，想换工作", "Employed, looking for a change"),
                    ],
                ),
                "desired_occupation": text("Work you are looking for", "求职意向", 100),
                "work_districts": choices("Districts you could work in", "希望工作的区", DISTRICT_OPTIONS),
                "available_from": date("Available from", "可到岗日期", **FUTURE),
                "education": choice(
                    "Highest education",
                    "最高学历",
                    [
                        ("junior", "初中及以下", "Junior secondary or less"),
                        ("senior", "高中或中专", "Senior secondary"),
                        ("college", "大专", "College"),
                        ("university", "本科及以上", "University"),
                    ],
                ),
                "skills": long_text("Skills and experience", "技能与工作经历"),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "employment_status",
                "desired_occupation",
                "work_districts",
                "education",
            ],
        ),
    ),
    service(
        "employment",
        "vocational-training-subsidy",
        ("职业培训补贴申领", "Vocational training subsidy"),
        (
            "参加政府认定的职业培训并取得证书的劳动者，可申领培训费用补贴。",
            "If you completed an approved training course and got its certificate, claim back part of the fee.",
        ),
        ("培训补贴 技能补贴 职业培训 考证 证书 补贴", "training subsidy course fee certificate grant skills"),
        category="jobs-and-training",
        life_events=["losing-a-job"],
        documents=["training-certificate", "bank-card"],
        rules=[WORKING_AGE, {"kind": "answer", "field": "certificate_obtained", "equals": True}],
        days=20,
        schema=form(
            [
                ABOUT_YOU,
                step(
                    "training",
                    "The training",
                    "培训情况",
                    "training_provider",
                    "course_name",
                    "completed_on",
                    "fee_paid",
                    "certificate_obtained",
                ),
                step("certificate", "The certificate", "证书信息", "certificate_number"),
                step("payment", "Where we pay the subsidy", "收款账户", *BANK, "certificate"),
            ],
            {
                **APPLICANT,
                "training_provider": text("Training provider", "培训机构", 200),
                "course_name": text("Course", "培训项目", 100),
                "completed_on": date("Completed on", "结业日期", **PAST),
                "fee_paid": money("Fee you paid (yuan)", "本人缴纳培训费（元）", 100_000),
                "certificate_obtained": yes_no("Did you get the certificate?", "是否取得培训合格证书？"),
                "certificate_number": when("certificate_obtained", True, text("Certificate number", "证书编号", 40)),
                **BANK,
                "certificate": document("training-certificate", "Training certificate", "职业培训合格证书"),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "training_provider",
                "course_name",
                "completed_on",
                "fee_paid",
                "certificate_obtained",
                "certificate_number",
                "bank_name",
                "bank_account",
                "certificate",
            ],
        ),
    ),
    service(
        "employment",
        "business-start-up-subsidy",
        ("一次性创业补贴申领", "Business start-up subsidy"),
        (
            "在本市首次创办企业或个体工商户、正常经营满6个月并为员工缴纳社会保险的创业者，可申领一次性创业补贴。",
            "If you started your first business in Shanghai, it has traded for at least six months and pays its "
            "staff's social insurance, claim a one-off start-up subsidy.",
        ),
        ("创业 开公司 开店 个体户 创业补贴 自己当老板", "start-up business founder entrepreneur self-employed grant"),
        category="entrepreneurship",
        life_events=["starting-a-business"],
        documents=["business-licence", "bank-card"],
        rules=[
            WORKING_AGE,
            {"kind": "answer", "field": "first_business", "equals": True},
            {"kind": "answer_at_least", "field": "months_trading", "min": 6},
        ],
        days=20,
        schema=form(
            [
                ABOUT_YOU,
                step(
                    "business",
                    "Your business",
                    "企业信息",
                    "business_name",
                    "credit_code",
                    "business_form",
                    "registered_on",
                    "business_address",
                    "first_business",
                ),
                step("trading", "Trading so far", "经营情况", "months_trading", "employees", "insurance_paid"),
                step("payment", "Where we pay the subsidy", "收款账户", *BANK, "licence"),
            ],
            {
                **APPLICANT,
                "business_name": text("Business name", "企业名称", 200),
                "credit_code": text(
                    "Unified social credit code",
                    "统一社会信用代码",
                    18,
                    pattern="^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                    description="18 characters, on the business licence.",
                    **{"x-description-zh": "18位，见营业执照。"},
                ),
                "business_form": choice(
                    "Kind of business",
                    "经营主体类型",
                    [
                        ("company", "有限责任公司", "Limited company"),
                        ("sole", "个体工商户", "Sole trader"),
                        ("partnership", "合伙企业", "Partnership"),
                        ("cooperative", "农民专业合作社", "Cooperative"),
                    ],
                ),
                "registered_on": date("Registered on", "登记注册日期", **PAST),
                "business_address": q("Business address", "经营地址", type="object", **{"x-widget": "address"}),
                "first_business": yes_no("Is this the first business you have started?", "是否为首次创业？"),
                "months_trading": integer("Months trading", "已正常经营月数", 0, 600),
                "employees": integer("People employed, you included", "带动就业人数（含本人）", 1, 10_000),
                "insurance_paid": yes_no(
                    "Does the business pay social insurance for its staff?", "是否为员工缴纳社会保险？"
                ),
                **BANK,
                "licence": document("business-licence", "Business licence", "营业执照"),
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "business_name",
                "credit_code",
                "business_form",
                "registered_on",
                "business_address",
                "first_business",
                "months_trading",
                "employees",
                "insurance_paid",
                "bank_name",
                "bank_account",
                "licence",
            ],
        ),
    ),
    service(
        "employment",
        "flexible-employment-insurance-subsidy",
        ("灵活就业人员社会保险费补贴", "Flexible-employment social insurance subsidy"),
        (
            "40周岁以上、以灵活方式就业并自行缴纳社会保险的人员，可申请社会保险费补贴。",
            "If you are 40 or over, work flexibly (gig, freelance or part-time work) and pay your own social "
            "insurance, apply for help with the contributions.",
        ),
        (
            "灵活就业 社保补贴 4050 自由职业 外卖 网约车 打零工",
            "flexible employment gig work freelance social insurance subsidy 4050",
        ),
        category="unemployment",
        life_events=["losing-a-job", "starting-a-business"],
        documents=["resident-id-card", "bank-card"],
        rules=[
            {"kind": "age", "min": 40, "max": 60},
            {"kind": "answer", "field": "registered_flexible", "equals": True},
        ],
        days=15,
        schema=form(
            [
                ABOUT_YOU,
                step("work", "Your work", "就业情况", "work_type", "started_on", "registered_flexible", "months_paid"),
                step("payment", "Where we pay the subsidy", "收款账户", *BANK),
            ],
            {
                **APPLICANT,
                "work_type": choice(
                    "What work do you do?",
                    "从事的工作",
                    [
                        ("delivery", "快递外卖配送", "Delivery"),
                        ("ride_hailing", "网约车", "Ride-hailing"),
                        ("domestic", "家政服务", "Domestic work"),
                        ("freelance", "自由职业", "Freelance"),
                        ("other", "其他", "Something else"),
                    ],
                ),
                "started_on": date("Working this way since", "灵活就业开始日期", **PAST),
                "registered_flexible": yes_no("Have you registered as flexibly employed?", "是否已办理灵活就业登记？"),
                "months_paid": integer("Months of social insurance you paid yourself", "本人已缴纳社保月数", 0, 600),
                **BANK,
            },
            [
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "home_address",
                "work_type",
                "started_on",
                "registered_flexible",
                "months_paid",
                "bank_name",
                "bank_account",
            ],
        ),
    ),
]

CATALOGUE = {
    "departments": DEPARTMENTS,
    "categories": CATEGORIES,
    "life_events": LIFE_EVENTS,
    "document_types": DOCUMENT_TYPES,
    "services": SERVICES,
}
