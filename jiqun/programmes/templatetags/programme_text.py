from django import template

from jiqun.programmes.text import display_text as _display_text

register = template.Library()


@register.filter
def display_text(value: str) -> str:
    """A document's words as a person reads them (see jiqun/programmes/text.py)."""
    return _display_text(value)
