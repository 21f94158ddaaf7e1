import pytest
from django.core.exceptions import ValidationError

from jiqun.enterprises.creditcode import credit_code_error, normalise, validate_credit_code

VALID = "91110000600037341L"  # the GB 32100 example used by python-stdnum


def test_it_accepts_a_valid_code():
    assert credit_code_error(VALID) is None


def test_it_names_the_wrong_check_character_and_the_right_one():
    message = credit_code_error(VALID[:-1] + "M")
    assert "第18位" in message and "“M”" in message and "应为“L”" in message


def test_it_names_a_forbidden_letter_and_its_position():
    message = credit_code_error("91110000600O37341L")
    assert "第12位" in message and "“O”" in message


def test_it_names_the_wrong_length():
    assert "18位" in credit_code_error("9111000060003734")


def test_region_part_must_be_digits():
    assert "第3位" in credit_code_error("91A10000600037341L")


def test_full_width_and_spaces_are_normalised():
    assert normalise(" ９１１１０ ０００６０００３７３４１ｌ ") == VALID


def test_validator_raises_validation_error():
    with pytest.raises(ValidationError):
        validate_credit_code(VALID[:-1] + "0")
