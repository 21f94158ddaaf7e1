"""统一社会信用代码 (GB 32100-2015) checks that say which character is wrong.

python-stdnum computes the check character; this module only words the refusal for a user.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V


def normalise(value: str) -> str:
    """Upper-case, strip spaces and hyphens, and turn full-width characters into ASCII."""
    value = "".join(chr(ord(ch) - 0xFEE0) if "！" <= ch <= "～" else ch for ch in value)
    return uscc.compact(value)


def credit_code_error(value: str) -> str | None:
    """Return a Chinese message naming the wrong character, or None when the code is valid."""
    code = normalise(value)
    if len(code) != 18:
        return _("统一社会信用代码应为18位，现为%(n)d位") % {"n": len(code)}
    for position, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            return _("统一社会信用代码第%(pos)d位“%(ch)s”不是允许的字符（不含 I、O、Z、S、V）") % {
                "pos": position, "ch": ch,
            }
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            return _("统一社会信用代码第%(pos)d位“%(ch)s”应为数字（第3—8位是登记管理机关行政区划码）") % {
                "pos": position, "ch": code[position - 1],
            }
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        return _("统一社会信用代码第18位校验码“%(ch)s”有误，按 GB 32100-2015 应为“%(exp)s”") % {
            "ch": code[17], "exp": expected,
        }
    return None


def validate_credit_code(value: str) -> None:
    message = credit_code_error(value)
    if message:
        raise ValidationError(message, code="credit_code")
