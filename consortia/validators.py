"""Validators for the official form's fields."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the unified social credit code (统一社会信用代码) has 18 characters from this
# alphabet; the last is a check character computed from the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
USCC_PATTERN = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if not USCC_PATTERN.match(code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters except I, O, S, V and Z."
            ),
            code="uscc_format",
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "This unified social credit code is not valid: its check character does not match. Check it against the business licence."
            ),
            code="uscc_check",
        )


WHITESPACE = re.compile(r"\s+")


def count_characters(text: str) -> int:
    """Characters as the official form counts them ("800字左右"): every character except whitespace.

    The browser's live counter (static/js/plan-form.js) counts the same way.
    """
    return len(WHITESPACE.sub("", text or ""))


PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")


def validate_phone(value: str) -> None:
    if not PHONE.match(value or ""):
        raise ValidationError(
            _(
                "Enter a phone number of digits, optionally with +, - and parentheses, e.g. 010-68208212."
            ),
            code="phone",
        )
