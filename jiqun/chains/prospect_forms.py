"""Forms of the 招引名录 pages. They parse and offer choices within the user's scope; the services check the
rules and write."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.chains.models import Chain, ContactWay, OutsideCompany, Priority, ProspectStatus
from jiqun.core.forms import TextRuleMixin

VERSION_MESSAGE = _("修改招引名录条目须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": VERSION_MESSAGE, "invalid": VERSION_MESSAGE, "min_value": VERSION_MESSAGE})


def _date_field(label) -> forms.DateField:
    return forms.DateField(label=label, initial=datetime.date.today, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


class ProspectFilterForm(TextRuleMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100, help_text=_("企业或环节名称"))
    chain = forms.ModelChoiceField(Chain.objects.none(), label=_("产业链"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *ProspectStatus.choices], required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=[("", _("全部")), *Priority.choices], required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = Chain.objects.for_user(user).order_by("code")


class ProspectForm(TextRuleMixin, forms.Form):
    """A new entry: pick a registered outside company, or name a new one."""

    company = forms.ModelChoiceField(OutsideCompany.objects.none(), label=_("已登记的外地企业"), required=False,
                                     help_text=_("选择已登记的企业，或在下面填写新企业"))
    company_name = forms.CharField(label=_("新企业名称"), max_length=200, required=False)
    company_place = forms.CharField(label=_("所在地"), max_length=100, required=False,
                                    help_text=_("省市，如“江苏省常州市”"))
    company_credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    reason = forms.CharField(label=_("招引理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.MEDIUM)
    owner_unit = forms.CharField(label=_("责任单位"), max_length=100, required=False)
    on = _date_field(_("列入日期"))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = OutsideCompany.objects.for_user(user).order_by("name")


class ProspectEditForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(label=_("招引理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices)
    owner_unit = forms.CharField(label=_("责任单位"), max_length=100, required=False)
    version = _version_field()


class ContactForm(TextRuleMixin, forms.Form):
    on = _date_field(_("接洽日期"))
    way = forms.ChoiceField(label=_("接洽方式"), choices=ContactWay.choices)
    note = forms.CharField(label=_("接洽情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(TextRuleMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("转为"), choices=[(ProspectStatus.CONTACT, ProspectStatus.CONTACT.label),
                                                          (ProspectStatus.DROPPED, ProspectStatus.DROPPED.label)])
    on = _date_field(_("日期"))
    note = forms.CharField(label=_("说明（放弃时填写原因）"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = _version_field()


class SignForm(TextRuleMixin, forms.Form):
    """签约: link a project the user sees in the chain's region, or create one."""

    on = _date_field(_("签约日期"))
    project = forms.ModelChoiceField(None, label=_("关联已有项目"), required=False,
                                     help_text=_("项目库中已登记的项目；不选则按下面的信息新建项目"))
    project_name = forms.CharField(label=_("新项目名称"), max_length=200, required=False,
                                   help_text=_("不填时为“企业名称+环节名称+项目”"))
    total_investment = forms.DecimalField(label=_("总投资（万元）"), required=False, min_value=0, max_digits=14,
                                          decimal_places=2)
    region = forms.ModelChoiceField(None, label=_("项目所在区划"), required=False,
                                    help_text=_("产业链牵头区划或其下的县市区；不选时为牵头区划"))
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = _version_field()

    def __init__(self, *args, user, chain: Chain, **kwargs) -> None:
        from jiqun.projects.models import Project
        from jiqun.regions.models import Region, within_q

        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (Project.objects.for_user(user).filter(within_q("region__code", chain.region_id))
                                           .order_by("code"))
        self.fields["region"].queryset = Region.objects.filter(within_q("code", chain.region_id)).order_by("code")
