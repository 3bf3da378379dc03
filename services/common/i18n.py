from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    """Return whether ``language`` (by default the active one) is Chinese: the one test of it everywhere."""
    return (language if language is not None else get_language() or "").startswith("zh")


def localized(obj, field: str) -> str:
    """Return ``obj.<field>_zh`` in Chinese and ``obj.<field>_en`` otherwise, falling back to the other."""
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    if is_chinese():
        return zh or en
    return en or zh
