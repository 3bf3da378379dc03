from django import template

from ..selectors import (
    application_document_list,
    application_takes_documents,
    attachable_document_list,
    missing_document_types,
)

register = template.Library()


@register.inclusion_tag("applications/documents.html", takes_context=True)
def application_documents(context, application):
    """The documents section of a resident's application page: attached, missing, and attachable from the wallet."""
    request = context["request"]
    can_attach = application_takes_documents(application=application)
    return {
        "application": application,
        "attached": application_document_list(application=application),
        "missing": missing_document_types(application=application),
        "attachable": attachable_document_list(user=request.user, application=application) if can_attach else [],
        "can_attach": can_attach,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("applications/staff_documents.html")
def staff_application_documents(application):
    """The documents of an application on the caseworker's page: a link (shown in the browser) only for those
    checked clean."""
    return {"application": application, "attached": application_document_list(application=application)}
