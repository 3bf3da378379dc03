from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from services.common.errors import DomainError

UNAVAILABLE = _("The payment service cannot be reached. Nothing was charged: try again in a moment.")


class ProviderUnavailable(DomainError):
    """The payment provider could not be reached or refused the request: nothing was charged, try again."""

    code = "provider_unavailable"
    status_code = HTTPStatus.SERVICE_UNAVAILABLE

    def __init__(self, message=None):
        super().__init__(message or UNAVAILABLE)
