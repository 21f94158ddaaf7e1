import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin
from jiqun.programmes.models import SubjectKind
from jiqun.targets.models import COMPARATORS, ProgressStatus, TaskStatus


class TargetFilterForm(TextRuleMixin, forms.Form):
    status = forms.MultipleChoiceField(label=_("状态"), choices=ProgressStatus.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    subject = forms.ChoiceField(label=_("对象"), choices=[("", _("全部")), *SubjectKind.choices], required=False)
    year = forms.IntegerField(label=_("目标年"), min_value=2000, max_value=2100, required=False)
    as_of = forms.DateField(label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("按该日及以前结束的报告期和当年的名录计算；留空为今天"),
                            error_messages={"invalid": _("截至日期应为 YYYY-MM-DD 格式的日期")})

    def clean_as_of(self) -> datetime.date:
        value = self.cleaned_data.get("as_of") or datetime.date.today()
        if not datetime.date(2000, 1, 1) <= value <= datetime.date(2100, 12, 31):
            raise forms.ValidationError(_("截至日期应在 2000 年至 2100 年之间"))
        return value


class TargetOverrideForm(TextRuleMixin, forms.Form):
    value = forms.DecimalField(label=_("调整后目标值"), max_digits=20, decimal_places=4, required=False)
    year = forms.IntegerField(label=_("调整后目标年"), min_value=2000, max_value=2100, required=False)
    comparator = forms.ChoiceField(label=_("比较方式"), choices=[("", _("不调整")), *COMPARATORS], required=False)
    baseline_value = forms.DecimalField(label=_("基数"), max_digits=20, decimal_places=4, required=False,
                                        help_text=_("与目标同一单位；用于计算自基数以来的进度"))
    baseline_year = forms.IntegerField(label=_("基数年份"), min_value=2000, max_value=2100, required=False)
    reason = forms.CharField(label=_("调整依据"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("文件、会议纪要或批示，写明文号"))


class TaskUpdateForm(TextRuleMixin, forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[c for c in TaskStatus.choices if c[0] != TaskStatus.NOT_STARTED])
    unit = forms.ChoiceField(label=_("报送单位"), choices=[])
    progress = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    evidence = forms.CharField(label=_("佐证材料"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               max_length=2000, help_text=_("文件名称和文号、会议、网址等；报告“已完成”时必填（或上传附件）"))
    evidence_file = forms.FileField(label=_("佐证附件"), required=False,
                                    help_text=_("PDF、OFD、Word、Excel、WPS 或图片，不超过 20MB"))

    def __init__(self, *args, units: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u, u) for u in units]


class ChainChoiceField(forms.ModelChoiceField):
    """A chain of the registry, shown with its home region so that two chains of one name are told apart."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.region.name}）"


CHAIN_HELP = _("产业链登记中服务于所选集群的产业链；没有合适的链时，请先在“产业链”中登记")


class ChecklistCreateForm(TextRuleMixin, forms.Form):
    cluster = forms.ModelChoiceField(label=_("集群"), queryset=None)
    chain = ChainChoiceField(label=_("产业链"), queryset=None, help_text=CHAIN_HELP,
                             error_messages={"invalid_choice": _("所选产业链不存在或不在您的范围内")})
    region = forms.ModelChoiceField(label=_("责任县市区"), queryset=None)
    chief = forms.CharField(label=_("链长"), max_length=100, required=False, help_text=_("留空则取产业链登记的链长"))

    def __init__(self, *args, clusters, regions, chains, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["region"].queryset = regions
        self.fields["chain"].queryset = chains


class ChecklistChainForm(TextRuleMixin, forms.Form):
    """Attach a sheet to a chain of the registry; carries the sheet's version the edit was based on."""

    chain = ChainChoiceField(label=_("关联产业链"), queryset=None, help_text=CHAIN_HELP,
                             error_messages={"invalid_choice": _("所选产业链不存在或不在您的范围内")})
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                      error_messages={"required": _("缺少版本号，请刷新页面后重新填写")})

    def __init__(self, *args, chains, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = chains


class EvidenceForm(TextRuleMixin, forms.Form):
    item_code = forms.CharField(widget=forms.HiddenInput, max_length=10)
    done = forms.BooleanField(label=_("已落实"), required=False)
    evidence = forms.CharField(label=_("佐证材料"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               max_length=2000)
    evidence_file = forms.FileField(label=_("佐证附件"), required=False)
