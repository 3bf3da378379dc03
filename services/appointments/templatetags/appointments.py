from django import template

from ..selectors import appointment_list_for_application, location_list_for_service

register = template.Library()


@register.inclusion_tag("appointments/application_appointments.html")
def application_appointments(application):
    """The appointment section of a resident's application page: the booking, or the button to book one."""
    if not location_list_for_service(service=application.service):
        return {"application": None}
    appointments = appointment_list_for_application(application=application)
    return {
        "application": application,
        "appointments": appointments,
        "booked": next((a for a in appointments if a.status == "booked"), None),
    }
