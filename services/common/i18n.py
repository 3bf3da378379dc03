from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """Return ``obj.<field>_zh`` in Chinese and ``obj.<field>_en`` otherwise, falling back to the other."""
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    if (get_language() or "").startswith("zh"):
        return zh or en
    return en or zh
