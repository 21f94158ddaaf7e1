"""Password rules of 等保 2.0 level 3, with every message in the user's language."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, other characters."""

    def validate(self, password: str, user=None) -> None:
        """Refuse a password with fewer than three character classes."""
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类"), code="password_classes"
            )

    def get_help_text(self) -> str:
        """Say the rule."""
        return _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a message that is translated.

    Django 5.2 changed the msgid of its "too short" message while its zh-hans catalogue still translates the
    old one, so a Chinese user was told in English; the other built-in validators are translated.
    """

    def get_error_message(self) -> str:
        """Say how long a password must be."""
        return _("密码太短：至少须有 %(min_length)d 个字符") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        """Say the rule."""
        return _("密码至少须有 %(min_length)d 个字符。") % {"min_length": self.min_length}
