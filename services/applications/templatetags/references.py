from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def reference(value) -> str:
    """Mark up an application's reference so that it never breaks at its hyphens (EMP-2026-000001)."""
    return format_html('<span class="nowrap">{}</span>', value)
