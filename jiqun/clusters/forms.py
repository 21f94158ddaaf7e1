from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.programmes.models import ClusterKind, Programme
from jiqun.regions.models import Region, Zone
from jiqun.regions.selectors import regions_for


class ClusterFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("培育工程"), required=False,
                                       to_field_name="code")
    tier = forms.ChoiceField(label=_("层级"), choices=[("", _("全部"))] + Tier.choices, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + ClusterStatus.choices, required=False)
    city = forms.ModelChoiceField(Region.objects.filter(level="city"), label=_("市"), required=False)


class ClusterForm(forms.ModelForm):
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

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = regions_for(user)
        self.fields["zones"].queryset = Zone.objects.for_user(user)
        self.fields["kind"].queryset = ClusterKind.objects.select_related("programme")
        if self.instance.pk:
            for name in ("programme", "code"):
                self.fields[name].disabled = True
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
