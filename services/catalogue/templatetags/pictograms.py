"""Small line pictograms for life events, departments and service categories (on every service card), inline SVG
(no request, no font, no script): each is decoration beside words that say the same, so it is hidden from screen
readers."""

from django import template
from django.utils.html import format_html

register = template.Library()

# 24 × 24 line drawings, one path each, by life event, department or service category code.
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
    # service categories
    "medical-care": "M6 3v6a4 4 0 0 0 8 0V3M10 13v3a5 5 0 0 0 10 0v-3M20 11.5a1.5 1.5 0 1 0 0-.01",
    "mother-and-child": "M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.5-7 10-7 10z",
    "medical-insurance": "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM12 9v6M9 12h6",
    "school-places": "M3 21h18M5 21V10l7-5 7 5v11M10 21v-5h4v5M12 10.5a1 1 0 1 0 0-.01",
    "student-support": "M4 7a8 3 0 1 0 16 0a8 3 0 1 0-16 0M4 7v5a8 3 0 0 0 16 0V7M4 12v5a8 3 0 0 0 16 0v-5",
    "adult-learning": "M4 20l1-5L16 4l4 4L9 19zM14 6l4 4M4 20h16",
    "unemployment": "M3 8h18v12H3zM8 8V5h8v3M9 14h6",
    "jobs-and-training": "M14 4a4 4 0 0 0-3.5 5.9L4 16.5 7.5 20l6.6-6.5A4 4 0 0 0 20 10l-2.5 2.5-3-3L17 7"
    "a4 4 0 0 0-3-3z",
    "entrepreneurship": "M9 18h6M10 21h4M12 3a6 6 0 0 0-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0 0 12 3z",
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
