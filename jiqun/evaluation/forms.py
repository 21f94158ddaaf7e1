from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin
from jiqun.evaluation.models import Scheme


class RunForm(TextRuleMixin, forms.Form):
    scheme = forms.ModelChoiceField(label=_("评价方案"), queryset=Scheme.objects.none(),
                                    error_messages={"invalid_choice": _("所选评价方案不存在")})
    year = forms.IntegerField(label=_("评价年度"), min_value=2000, max_value=2100,
                              error_messages={"invalid": _("评价年度应为四位数年份"),
                                              "min_value": _("评价年度应在 2000 年至 2100 年之间"),
                                              "max_value": _("评价年度应在 2000 年至 2100 年之间")})

    def __init__(self, *args, schemes=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if schemes is not None:
            self.fields["scheme"].queryset = schemes
