"""The caseworker's queue table and filters, written directly: Django's generic row builder looks every cell up
through the admin's field machinery, which at 50 rows cost more than the rest of the page, and its templates cost a
node for every header, choice and link. The markup and the words are Django's (tests/caseworker/test_queue_page.py
holds the page equal to Django's own)."""

from django import forms, template
from django.contrib.admin.templatetags.admin_list import result_headers, result_list
from django.template.defaultfilters import capfirst
from django.template.loader import get_template
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def queue_result_list(cl):
    """Return the queue's table as Django's admin/change_list_results.html writes it, the rows from
    ApplicationAdmin.queue_rows (each row's cells one string) and the headers written here; Django's own table for a
    change list the fast rows do not know."""
    rows = cl.model_admin.queue_rows(cl)
    if rows is None:  # a column the fast rows do not know, a form in the rows: Django's own
        return get_template("admin/change_list_results.html").render(result_list(cl))
    if not rows:
        return ""
    headers = list(result_headers(cl))
    sorted_fields = sum(1 for header in headers if header["sortable"] and header["sorted"])
    heads = "\n".join(_header(header, sorted_fields) for header in headers)
    body = "</tr>\n<tr>".join(rows)
    return mark_safe(  # noqa: S308  # nosec B308, B703  # the headers escaped (_header), each row escaped (queue_rows)
        '<div class="results">\n<table id="result_list">\n<thead>\n<tr>\n'
        f"{heads}\n</tr>\n</thead>\n<tbody>\n<tr>{body}</tr>\n</tbody>\n</table>\n</div>\n"
    )


def _header(header: dict, sorted_fields: int) -> str:
    """A column's header as Django's template writes it: its sort links and priority, and its title."""
    escape = conditional_escape
    text = escape(capfirst(header["text"]))  # the select-all checkbox's markup is safe already, and kept
    if not header["sortable"]:
        title = f"<span>{text}</span>"
    else:
        title = f'<a href="{escape(header["url_primary"])}">{text}</a>'
    options = ""
    if header["sortable"] and header["sort_priority"] > 0:
        priority = header["sort_priority"]
        said = gettext("Sorting priority: %(priority_number)s") % {"priority_number": priority}  # noqa: INT003
        order = "ascending" if header["ascending"] else "descending"
        options = (
            f'<div class="sortoptions">\n<a class="sortremove" href="{escape(header["url_remove"])}" '
            f'title="{escape(gettext("Remove from sorting"))}"></a>\n'
            + (f'<span class="sortpriority" title="{escape(said)}">{priority}</span>\n' if sorted_fields > 1 else "")
            + f'<a href="{escape(header["url_toggle"])}" class="toggle {order}" '
            f'title="{escape(gettext("Toggle sorting"))}"></a>\n</div>\n'
        )
    return (
        f'<th scope="col"{header["class_attrib"]}>\n{options}<div class="text">{title}</div>\n'
        '<div class="clear"></div>\n</th>'
    )


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


@register.simple_tag
def queue_action_fields(form):
    """Return the fields of the queue's action form as Django's admin/actions.html and its widgets' templates write
    them (the select of the actions and the hidden inputs), a field of another widget as Django writes it."""
    return mark_safe(  # noqa: S308  # nosec B308, B703  # the labels escaped here, the widgets in _widget
        "".join(
            f"<label>{conditional_escape(field.label)} {_widget(field)}</label>" if field.label else _widget(field)
            for field in form
        )
    )


def _widget(field) -> str:
    widget = field.field.widget
    if type(widget) not in (forms.Select, forms.HiddenInput):
        return str(field)
    context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs({}, widget))["widget"]
    name, attrs = conditional_escape(context["name"]), _attributes(context["attrs"])
    if widget.input_type != "select":
        value = "" if context["value"] is None else f' value="{conditional_escape(context["value"])}"'
        return f'<input type="{context["type"]}" name="{name}"{value}{attrs}>'
    if any(group for group, _options, _index in context["optgroups"]):  # groups of actions: Django's markup
        return str(field)
    options = "".join(
        f'\n  <option value="{conditional_escape(option["value"])}"{_attributes(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>\n"
        for _group, group_options, _index in context["optgroups"]
        for option in group_options
    )
    return f'<select name="{name}"{attrs}>{options}\n</select>'


def _attributes(attrs: dict) -> str:
    """A widget's attributes as django/forms/widgets/attrs.html writes them: a True one by its name alone."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
