"""The demo's appointment place: a Pudong community health centre where child vaccinations are booked."""

import datetime as dt

LOCATIONS = [
    {
        "code": "pudong-huamu-health",
        "name_zh": "浦东新区花木社区卫生服务中心",
        "name_en": "Huamu Community Health Centre, Pudong",
        "address_zh": "浦东新区花木路 800 号",
        "address_en": "800 Huamu Road, Pudong",
        "district": "pudong",
        "department": "health",
        "services": ["child-vaccination-booking"],
        "slot_minutes": 30,
        "counters": 2,
        # Monday to Friday, 08:30–11:30 and 13:30–16:30.
        "hours": [(weekday, dt.time(8, 30), dt.time(11, 30)) for weekday in range(5)]
        + [(weekday, dt.time(13, 30), dt.time(16, 30)) for weekday in range(5)],
    }
]
