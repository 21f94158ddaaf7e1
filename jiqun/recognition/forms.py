from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.models import Role, User
from jiqun.clusters.models import Cluster, Tier
from jiqun.core.forms import TextRuleMixin
from jiqun.programmes.models import Indicator, Programme
from jiqun.recognition.models import ASPECTS, Expert
from jiqun.regions.models import Region


class CallForm(TextRuleMixin, forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("培育工程"), to_field_name="code")
    title = forms.CharField(label=_("名称"), max_length=120)
    tier_sought = forms.ChoiceField(label=_("认定层级"), choices=Tier.choices, initial=Tier.PROVINCIAL)
    quota = forms.IntegerField(label=_("名额"), min_value=1)
    deadline = forms.DateField(label=_("申报截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    data_year = forms.IntegerField(label=_("数据年度"), min_value=2000, max_value=2100)
    quantitative_weight = forms.DecimalField(label=_("量化得分权重（0–1）"), min_value=0, max_value=1,
                                             decimal_places=2, initial="0.30")
    quantitative_indicators = forms.ModelMultipleChoiceField(
        Indicator.objects.filter(level="cluster"), label=_("量化指标"), required=False, to_field_name="code")
    threshold_indicator = forms.ModelChoiceField(Indicator.objects.filter(level="cluster"), label=_("门槛指标"),
                                                 required=False, to_field_name="code")
    threshold_minimum = forms.DecimalField(label=_("门槛值（按指标计量单位）"), required=False, min_value=0,
                                           max_digits=19, decimal_places=4)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ASPECTS:
            self.fields[f"weight_{code}"] = forms.DecimalField(
                label=_("权重：%(aspect)s") % {"aspect": label}, min_value=0, initial=1, decimal_places=2)

    def clean(self):
        data = super().clean()
        if bool(data.get("threshold_indicator")) != (data.get("threshold_minimum") is not None):
            self.add_error("threshold_minimum", _("门槛指标与门槛值须同时填写"))
        deadline = data.get("deadline")
        if deadline is not None and deadline < timezone.localdate():
            # A call opened with a deadline already past could take no application and never move on.
            self.add_error("deadline", _("申报截止日期 %(day)s 已过") % {"day": deadline})
        return data


class ApplicationForm(TextRuleMixin, forms.Form):
    cluster = forms.ModelChoiceField(Cluster.objects.none(), label=_("集群"))

    def __init__(self, *args, clusters=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters if clusters is not None else Cluster.objects.none()
        for code, label in ASPECTS:
            self.fields[code] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 4}),
                                                max_length=5000)


class ExpertForm(TextRuleMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    field = forms.CharField(label=_("专业领域"), max_length=100)
    organisation = forms.CharField(label=_("工作单位"), max_length=200)
    city = forms.ModelChoiceField(Region.objects.filter(level="city"), label=_("所在城市"), required=False)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    user = forms.ModelChoiceField(User.objects.filter(role=Role.EXPERT, expert_profile__isnull=True),
                                  label=_("评审专家账号"), required=False, to_field_name="username")


class ConflictForm(TextRuleMixin, forms.Form):
    expert = forms.ModelChoiceField(Expert.objects.all(), label=_("专家"))
    cluster = forms.ModelChoiceField(Cluster.objects.all(), label=_("回避集群"), required=False)
    organisation = forms.CharField(label=_("回避单位"), max_length=200, required=False)
    reason = forms.CharField(label=_("原因"), max_length=200)


class AssignForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    expert = forms.ModelChoiceField(Expert.objects.all(), label=_("专家"))


class ScoreForm(TextRuleMixin, forms.Form):
    # The assignment's version the scores were based on; scores_submit refuses it once another session saved.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": _("修改评分须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。"),
        "invalid": _("修改评分须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。"),
        "min_value": _("修改评分须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。"),
    })

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ASPECTS:
            self.fields[f"score_{code}"] = forms.DecimalField(label=label, min_value=0, max_value=100,
                                                              decimal_places=2)
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("%(aspect)s评审意见") % {"aspect": label}, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(forms.Form):
    to = forms.CharField(max_length=12)
    objection_until = forms.DateField(label=_("公示截止日期"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))


class CancelForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(label=_("撤销原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             required=False, help_text=_("评审中撤销须填写"))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPEG 或 PNG"))


class ObjectionForm(TextRuleMixin, forms.Form):
    objector = forms.CharField(label=_("异议人"), max_length=100)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AnswerForm(TextRuleMixin, forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
