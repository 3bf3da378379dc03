from django import template

from ..selectors import payment_list_for_application

register = template.Library()


@register.inclusion_tag("payments/application_payments.html", takes_context=True)
def application_payments(context, application):
    """The fee section of a resident's application page: the button to pay while it is due, and the payments."""
    return {
        "application": application,
        "payments": payment_list_for_application(application=application) if application.fee_status != "none" else [],
        "csrf_token": context.get("csrf_token"),
    }
