"""What every form shares: the text rule (jiqun.core.text) on each of its text fields."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from jiqun.core.text import ControlCharacterValidator


class TextRuleMixin:
    """Check every text field with the control-character rule instead of Django's NUL-only validator.

    Django's message for NUL ("Null characters are not allowed") reads in Chinese as if the field were empty;
    this one names the field, the character and its position. Put it first among a form's bases.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
                field.validators.append(ControlCharacterValidator(where=field.label or name))
