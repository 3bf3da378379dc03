from django.utils.translation import gettext_lazy as _

from services.common.errors import InvalidTransition

FULL = _("Every counter is taken at that time. Choose another time.")


class SlotFull(InvalidTransition):
    """No seat is free at the chosen time (someone else was quicker): nothing was booked, nothing lost."""

    code = "slot_full"

    def __init__(self, message=None):
        super().__init__(message or FULL)
