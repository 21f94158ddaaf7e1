"""What every form shares: the text rule (jiqun.core.text) on each of its text fields."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from jiqun.core.text import ControlCharacterValidator, whole_number


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


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id that refuses an id no database column holds (a 5,000-digit number, or
    one past 2^63) as an invalid choice: Django's own field passes it to an `__in` query, which fails."""

    def _check_values(self, value):
        if not self.to_field_name:
            for pk in value if isinstance(value, list | tuple) else [value]:
                text = str(pk).strip()
                if whole_number(text) is None:
                    raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                                params={"pk": str(pk)[:20]})
        return super()._check_values(value)
