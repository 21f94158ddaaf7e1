from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin


class LoginForm(TextRuleMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败多次后账号将被临时锁定。"),
        "inactive": _("该账号已停用。"),
    }


class TokenForm(TextRuleMixin, forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, help_text=_("例如：统计数据对接"))
