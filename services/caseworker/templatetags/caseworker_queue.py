"""The caseworker's queue table, its rows written directly: Django's generic row builder looks every cell up through
the admin's field machinery, which at 50 rows cost more than the rest of the page."""

from django import template
from django.contrib.admin.templatetags.admin_list import ResultList, result_list
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.inclusion_tag("admin/change_list_results.html")
def queue_result_list(cl):
    """Return Django's result_list context for the queue, the rows from ApplicationAdmin.queue_rows (each row's
    cells one string, which the template writes between the row's tags as it would write them cell by cell)."""
    rows = cl.model_admin.queue_rows(cl)
    if rows is None:  # a column the fast rows do not know: Django's own rows
        return result_list(cl)
    cl_rows, cl.result_list = cl.result_list, []  # the headers only, without building the rows twice
    try:
        context = result_list(cl)
    finally:
        cl.result_list = cl_rows
    # The rows as one item of one row: the template's <tr> and </tr> around it, the rows' own between them.
    body = mark_safe("</tr>\n<tr>".join(rows))  # noqa: S308  # nosec B308, B703  # each row escaped (queue_rows)
    return {**context, "results": [ResultList(None, [body])] if rows else []}


@register.simple_tag
def queue_filter(title, choices):
    """Return a filter of the queue as Django's admin/filter.html writes it (the same markup and Django's own words),
    its choices joined in one step."""
    selected = {True: ' class="selected"', False: ""}
    items = "".join(
        "<li%s>\n    <a href=\"%s\">%s</a></li>\n  "
        % (selected[bool(c["selected"])], conditional_escape(iri_to_uri(c["query_string"])),
           conditional_escape(c["display"]))
        for c in choices
    )  # fmt: skip
    title = conditional_escape(title)
    by = gettext(" By %(filter_title)s ") % {"filter_title": title}  # noqa: INT003  # Django's words
    return mark_safe(  # noqa: S308  # nosec B308, B703  # every value escaped above, the words Django's
        f'<details data-filter-title="{title}" open>\n  <summary>\n    {by}\n  </summary>\n  <ul>\n  {items}</ul>\n'
        "</details>\n"
    )
