"""The one rule every text input passes: no control characters.

Tab, line feed and carriage return are text; every other character of Unicode category Cc (U+0000–U+001F,
U+007F–U+009F) is not, nor is a lone surrogate (JSON can spell "\\ud800"; UTF-8 cannot encode it).
PostgreSQL refuses NUL outright, and the others are invisible in a page or a spreadsheet, so a value that
holds one is refused wherever it comes in: the API's schemas (`Text`), every form's text fields
(jiqun.core.forms.TextRuleMixin), the services, and the Excel importer's text cells (`control_character_error`).
"""

import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# Invisible format characters that change how text reads without showing (Unicode Cf): the bidirectional
# overrides, embeddings and isolates ("a\u202eb" shows as "ab" reversed), the zero-width space, the word joiner
# and invisible operators, the byte-order mark and the interlinear annotation marks. The zero-width (non-)joiners
# U+200C/U+200D are left: emoji and some scripts need them.
INVISIBLE = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + INVISIBLE + "]")
INVISIBLE_CHARACTER = re.compile("[" + INVISIBLE + "]")
CODE = "control_character"
# Characters that are allowed in text but show as nothing: the fillers (Hangul U+115F, U+1160, U+3164, U+FFA0,
# the braille blank U+2800), the soft hyphen, the combining grapheme joiner, the Mongolian vowel separator and the
# zero-width (non-)joiners. A text of only these and white space says nothing (an explanation, a reason).
BLANK_LOOKING = re.compile("[\\s\u00ad\u034f\u115f\u1160\u180e\u200c\u200d\u2800\u3164\uffa0" + INVISIBLE + "]+")


def whole_number(text: str) -> int | None:
    """`text` (stripped) as a non-negative whole number that fits a database key (ASCII digits, at most 19 of them,
    below 2**63), else None. The length is checked first: Python refuses to read numbers of thousands of digits."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) < 2**63:
        return int(text)
    return None


def has_visible_text(value: str | None) -> bool:
    """Whether `value` shows anything to a reader: not empty, not only white space or invisible characters."""
    return bool(value) and BLANK_LOOKING.sub("", value) != ""


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a character the rule forbids (for lookups, which answer "not found" instead)."""
    return FORBIDDEN.search(value) is not None


def control_character_error(value: str, where: str = "") -> str | None:
    """The message for the first forbidden character in `value`, naming `where` it is; None when there is none.

    For callers that collect messages themselves, such as the importer (`where` e.g. "第 12 行 企业名称").
    """
    found = FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    facts = {"where": where, "code": ord(char), "position": found.start() + 1}
    if INVISIBLE_CHARACTER.fullmatch(char):
        return _("%(where)s含有不允许的不可见字符 U+%(code)04X（第 %(position)d 个字符），请删除后重试") % facts
    if "\ud800" <= char <= "\udfff":
        return _("%(where)s含有无效字符 U+%(code)04X（不成对的代理项，第 %(position)d 个字符），请删除后重试") % facts
    return _("%(where)s含有不允许的控制字符 U+%(code)04X（第 %(position)d 个字符），请删除后重试") % facts


def reject_control_characters(value: str | None, where: str = "") -> str | None:
    """Return `value` unchanged, or raise ValidationError naming `where` and the character it holds."""
    if value is not None:
        message = control_character_error(value, where)
        if message:
            raise ValidationError(message, code=CODE)
    return value


def reject_control_characters_in(where: str, **texts: str | None) -> None:
    """Check several fields at once; the ValidationError names each field that holds a forbidden character."""
    errors = {field: [message] for field, text in texts.items()
              if text and (message := control_character_error(text, f"{where}：" if where else ""))}
    if errors:
        raise ValidationError(errors, code=CODE)


@deconstructible
class ControlCharacterValidator:
    """The rule as a Django validator; replaces ProhibitNullCharactersValidator on form text fields."""

    code = CODE

    def __init__(self, where: str = "") -> None:
        self.where = where

    def __call__(self, value: object) -> None:
        reject_control_characters(str(value), str(self.where))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ControlCharacterValidator) and self.where == other.where


def _checked(value: str) -> str:
    message = control_character_error(value)
    if message:
        # A custom error keeps the message as is (a ValueError would be prefixed "Value error, ").
        raise PydanticCustomError(CODE, message)
    return value


# The rule as the OpenAPI document states it, so clients and Schemathesis know it (lone surrogates are left
# to the validator: a JSON Schema regex cannot name them).
PATTERN = ("^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F"
           "\\u061C\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*$")

# The string type of every API schema field, path and query parameter: a forbidden character is a 422.
Text = Annotated[str, AfterValidator(_checked), Field(json_schema_extra={"pattern": PATTERN})]
