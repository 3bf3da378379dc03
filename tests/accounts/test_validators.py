import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from services.accounts.validators import resident_id_birth_date, resident_id_check_character, validate_resident_id


def with_check(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example
        "11010519491231002x",  # a lower-case x is the same number
        with_check("31011519900307123"),  # Pudong
        with_check("44030420000229001"),  # a leap day, registered outside Shanghai
    ],
)
def test_accepts_well_formed_numbers(number):
    validate_resident_id(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "checksum"),  # last character wrong
        ("11010519491231002", "format"),  # 17 characters
        ("1101051949123100211", "format"),  # 19 characters
        ("01010519491231002X", "format"),  # division code cannot start with 0
        ("11010519491231X02X", "format"),  # X only at the end
        ("", "format"),
        (with_check("31011519900230123"), "birth_date"),  # 30 February
        (with_check("31011518991231123"), "birth_date"),  # before 1900
        (with_check("31011521000101123"), "birth_date"),  # in the future
    ],
)
def test_refuses_malformed_numbers(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(number)
    assert exc.value.code == code


def test_check_character_follows_gb11643():
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 mapped to 1 0 X 9 8 7 6 5 4 3 2
    assert resident_id_check_character("11010519491231002") == "X"
    assert resident_id_check_character("00000000000000000") == "1"


def test_birth_date_is_read_from_the_number():
    assert resident_id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
