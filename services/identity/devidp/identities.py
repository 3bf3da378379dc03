"""The demo identities: an adult, their minor child and their elderly parent (valid resident ID numbers)."""

ADULT = "demo-adult"
CHILD = "demo-child"
ELDER = "demo-elder"

IDENTITIES = {
    ADULT: {
        "name": "张伟",
        "name_en": "Zhang Wei (adult)",
        "resident_id": "310115198503071230",
        "birthdate": "1985-03-07",
        "email": "zhang.wei@idp.demo",
        "email_verified": True,
        "family": [
            {"relation": "child", "resident_id": "310115201509011241", "name": "张小明"},
            {"relation": "parent", "resident_id": "310104195005121028", "name": "李秀英"},
        ],
    },
    CHILD: {
        "name": "张小明",
        "name_en": "Zhang Xiaoming (child, 11)",
        "resident_id": "310115201509011241",
        "birthdate": "2015-09-01",
        "family": [{"relation": "parent", "resident_id": "310115198503071230", "name": "张伟"}],
    },
    ELDER: {
        "name": "李秀英",
        "name_en": "Li Xiuying (elderly parent)",
        "resident_id": "310104195005121028",
        "birthdate": "1950-05-12",
        "family": [{"relation": "child", "resident_id": "310115198503071230", "name": "张伟"}],
    },
}
