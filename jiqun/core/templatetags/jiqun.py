"""Number display: thousands separators at the indicator's precision, 亿元 for amounts in 万元; target figures
and parameters in the words of jiqun/targets/display.py and params.py."""

from decimal import Decimal

from django import template

from jiqun.programmes.models import Indicator
from jiqun.targets import display
from jiqun.targets.params import reader_description as readable
from jiqun.targets.params import target_phrase
from jiqun.targets.progress import figure_text

register = template.Library()


@register.filter
def num(value, precision=2) -> str:
    """1234567.5 → 1,234,567.50; None → —."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    places = int(precision)
    return f"{number:,.{places}f}"


@register.filter
def yi(value, precision=2) -> str:
    """An amount in 万元 shown in 亿元."""
    if value is None or value == "":
        return "—"
    return num(Decimal(str(value)) / 10000, precision)


# --- targets: one rule for every page (jiqun/targets/display.py, params.py) -------------------------

@register.filter
def row_text(row):
    """A target progress row's texts: `{% with s=row|row_text %}{{ s.required }}{% endwith %}`."""
    return display.row_text(row)


@register.filter
def figure(value, count=False) -> str:
    """A figure of a target: a count as a whole number (12, never 12.00), else two decimals."""
    if value is None or value == "":
        return "—"
    return figure_text(Decimal(str(value)), count=bool(count))


@register.filter
def plain(value) -> str:
    """A target value as written (5000, never 5E+3)."""
    return "—" if value is None or value == "" else display.plain(Decimal(str(value)))


@register.filter
def target_params(target) -> str:
    """A target's parameters as a Chinese phrase (世界级先进制造业集群), "" when it has none."""
    return target_phrase(target)


@register.filter
def reader_description(text: str) -> str:
    """A catalogue description, or "" when it is written in parameter codes for pack authors."""
    return readable(text)


@register.filter
def indicator_names(codes) -> str:
    """Indicator codes as their catalogue names, joined by 、 (an unknown code is left out, never shown)."""
    codes = list(codes or [])
    names = dict(Indicator.objects.filter(code__in=codes).values_list("code", "name"))
    return "、".join(names[c] for c in codes if c in names)
