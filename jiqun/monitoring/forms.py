import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin
from jiqun.monitoring.importer.package import mib
from jiqun.programmes.models import Indicator, Programme


class PeriodOpenForm(TextRuleMixin, forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("培育工程"))
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100,
                              initial=lambda: datetime.date.today().year)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int,
                                     choices=[(1, "1-3月"), (2, "1-6月"), (3, "1-9月"), (4, "1-12月")])
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    enterprise_level = forms.BooleanField(label=_("同时生成成员企业报表"), required=False)


class UploadForm(TextRuleMixin, forms.Form):
    file = forms.FileField(label=_("填好的统计季报（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.JIQUN_UPLOAD_MAX_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未导入") % {
                "file": upload.name, "size": mib(upload.size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)})
        return upload


class ReturnForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class IndicatorForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "aggregation", "direction", "precision", "min_value", "max_value", "description",
                  "clause"]
