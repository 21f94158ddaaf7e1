from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.permissions import can_decide_cluster_standing
from jiqun.clusters.models import Cluster, ClusterStatus, ReviewOutcome, Tier
from jiqun.clusters.services import standing_denied_message
from jiqun.core.forms import IdsChoiceField, TextRuleMixin
from jiqun.programmes.models import ClusterKind, Programme
from jiqun.regions.models import Region, Zone
from jiqun.regions.selectors import regions_for


class ClusterFilterForm(TextRuleMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("培育工程"), required=False,
                                       to_field_name="code")
    tier = forms.ChoiceField(label=_("层级"), choices=[("", _("全部"))] + Tier.choices, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + ClusterStatus.choices, required=False)
    city = forms.ModelChoiceField(Region.objects.filter(level="city"), label=_("市"), required=False)


class ClusterForm(TextRuleMixin, forms.ModelForm):
    """The profile fields a user may edit; regions are limited to those inside the user's region."""

    basis = forms.CharField(label=_("层级或状态变更依据"), required=False,
                            help_text=_("变更层级或状态时填写文件、条款或评审结果"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": _("修改集群须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。"),
        "invalid": _("修改集群须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。"),
        "min_value": _("修改集群须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。"),
    })  # the version the edit is based on; cluster_update refuses it once someone else has saved

    class Meta:
        model = Cluster
        fields = [
            "programme", "code", "name", "kind", "tier", "status", "regions", "zones", "industry",
            "industry_codes", "promotion_org", "chief", "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "regions": forms.SelectMultiple(attrs={"size": 8})}
        field_classes = {"zones": IdsChoiceField}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Read before the form writes the posted values onto the instance: the standing it may not change.
        self.standing = {"tier": self.instance.tier, "status": self.instance.status,
                         "regions": sorted(self.instance.regions.values_list("pk", flat=True))
                         if self.instance.pk else None}
        regions = regions_for(user)
        if self.instance.pk:  # a cross-city cluster's other regions stay valid choices when posted back unchanged
            regions = Region.objects.filter(Q(pk__in=regions.values("pk")) | Q(pk__in=self.standing["regions"]))
        self.fields["regions"].queryset = regions
        self.fields["zones"].queryset = Zone.objects.for_user(user)
        self.fields["kind"].queryset = ClusterKind.objects.select_related("programme")
        if self.instance.pk:
            for name in ("programme", "code"):
                self.fields[name].disabled = True
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def _refuse_unless_province(self, field: str, changed: bool) -> None:
        if changed and not can_decide_cluster_standing(self.user):
            self.add_error(field, standing_denied_message())

    def clean(self) -> dict:
        """Tier, status and regions: only the province changes them (below it, a new cluster starts 培育)."""
        data = super().clean()
        default = {"tier": "", "status": ClusterStatus.CULTIVATING}
        for field in ("tier", "status"):
            if field in data:
                was = self.standing[field] if self.instance.pk else default[field]
                self._refuse_unless_province(field, data[field] != was)
        if self.instance.pk and "regions" in data:
            self._refuse_unless_province("regions", sorted(r.pk for r in data["regions"]) != self.standing["regions"])
        return data


class ClusterProposalForm(TextRuleMixin, forms.Form):
    """What a city, county or cluster organisation asks the province to change."""

    tier = forms.ChoiceField(label=_("提议层级"), choices=[("", _("不变"))] + Tier.choices, required=False)
    status = forms.ChoiceField(label=_("提议状态"), choices=[("", _("不变"))] + ClusterStatus.choices,
                               required=False)
    regions = forms.ModelMultipleChoiceField(Region.objects.exclude(level="province"), label=_("提议所在区划"),
                                             required=False, help_text=_("不选表示不变"),
                                             widget=forms.SelectMultiple(attrs={"size": 8}))
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明依据的文件、条款或评审结果"))


class ProposalDecisionForm(TextRuleMixin, forms.Form):
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))



class ReviewDecisionForm(TextRuleMixin, forms.Form):
    """The province's outcome of a 复核 and its reasons."""

    outcome = forms.ChoiceField(label=_("复核结论"), choices=ReviewOutcome.choices)
    basis = forms.CharField(label=_("复核依据"), widget=forms.Textarea(attrs={"rows": 2}), max_length=150,
                            help_text=_("评审意见、文件或会议纪要；写入集群的层级变更记录"))


class ReviewFilterForm(TextRuleMixin, forms.Form):
    as_of = forms.DateField(label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
