"""The PRC resident identity number (GB 11643-1999): format, date of birth and check character."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FORMAT = re.compile(r"^[1-9]\d{16}[\dX]$")


def resident_id_check_character(first17: str) -> str:
    """Return the check character for the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def resident_id_birth_date(value: str) -> dt.date | None:
    """Return the date of birth encoded in a number, or None when it is not a real date."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


# The spaces and dashes people type inside numbers (full-width and typographic ones too), removed rather than refused.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\uff0d]+")


def without_separators(value: str) -> str:
    """Return ``value`` without the spaces and dashes typed inside a number ("1101 0519-4912")."""
    return SEPARATORS.sub("", value or "")


def normalize_resident_id(value: str) -> str:
    return without_separators(value).upper()


def validate_resident_id(value: str) -> None:
    """Raise ValidationError unless ``value`` is a well-formed 18-character resident ID number."""
    value = normalize_resident_id(value)
    if not _FORMAT.match(value):
        raise ValidationError(
            _("Enter the 18-character resident ID number: 17 digits followed by a digit or X."), code="format"
        )
    born = resident_id_birth_date(value)
    if born is None or born > dt.date.today() or born.year < 1900:
        raise ValidationError(_("The date of birth in this ID number is not a real date."), code="birth_date")
    if resident_id_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID number's last character does not match; please check each digit."), code="checksum"
        )
