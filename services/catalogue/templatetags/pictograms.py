"""Small line pictograms for life events and departments, inline SVG (no request, no font, no script): each is
decoration beside words that say the same, so it is hidden from screen readers."""

from django import template
from django.utils.html import format_html

register = template.Library()

# 24 × 24 line drawings, one path each, by life event or department code.
PATHS = {
    "having-a-baby": "M3 10h12a6 6 0 0 1-6 6H9a6 6 0 0 1-6-6zM15 10V4a6 6 0 0 1 6 6h-6M7 20.5a1.5 1.5 0 1 0 0-.01"
    "M15 20.5a1.5 1.5 0 1 0 0-.01",
    "starting-school": "M2 9l10-5 10 5-10 5zM6 11v5c3.5 2.5 8.5 2.5 12 0v-5M22 9v6",
    "losing-a-job": "M3 8h18v12H3zM8 8V5h8v3M3 13h18M10 13v2h4v-2",
    "starting-a-business": "M4 11v9h16v-9M3 11l2-7h14l2 7zM10 20v-5h4v5M3 11h18",
    "growing-older": "M11 5.5a2 2 0 1 0 0-.01M11 8v6l-3 7M11 14l3 7M8 11h6M17 11v10",
    "health": "M9 3h6v6h6v6h-6v6H9v-6H3V9h6z",
    "education": "M3 5h7a2 2 0 0 1 2 2v13a2 2 0 0 0-2-2H3zM21 5h-7a2 2 0 0 0-2 2v13a2 2 0 0 1 2-2h7z",
    "employment": "M3 8h18v12H3zM8 8V5h8v3M3 13h18",
}


@register.simple_tag
def pictogram(code: str) -> str:
    """Return the pictogram of ``code`` as inline SVG, or nothing for a code without one."""
    path = PATHS.get(code)
    if path is None:
        return ""
    return format_html(
        '<svg class="pictogram" viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">'
        '<path d="{}"/></svg>',
        path,
    )
