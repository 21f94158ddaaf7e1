from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.clusters.models import Cluster
from jiqun.core.forms import TextRuleMixin
from jiqun.enterprises.models import Enterprise
from jiqun.incidents.models import Incident, IncidentKind, IncidentStatus, Severity

VERSION_MESSAGE = _("修改记录须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。")


class IncidentFilterForm(TextRuleMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    cluster = forms.ModelChoiceField(Cluster.objects.none(), label=_("集群"), required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=[("", _("全部")), *IncidentKind.choices], required=False)
    severity = forms.ChoiceField(label=_("等级"), choices=[("", _("全部")), *Severity.choices], required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *IncidentStatus.choices], required=False)
    year = forms.IntegerField(label=_("发生年度"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.for_user(user).order_by("name")


class IncidentForm(TextRuleMixin, forms.ModelForm):
    """Record or correct an incident; the cluster is fixed once recorded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": VERSION_MESSAGE, "invalid": VERSION_MESSAGE, "min_value": VERSION_MESSAGE})

    class Meta:
        model = Incident
        fields = ["cluster", "enterprise", "kind", "severity", "occurred_on", "document", "description"]
        widgets = {"occurred_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.for_user(user).order_by("name")
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.fields["enterprise"].help_text = _("可选：事件发生在集群的某一成员企业时选择")
        if self.instance.pk:
            self.fields["cluster"].disabled = True
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def _post_clean(self) -> None:
        """The service checks the values (and their combinations) and writes; the form does not touch the model."""


class WithdrawForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": VERSION_MESSAGE, "invalid": VERSION_MESSAGE, "min_value": VERSION_MESSAGE})
