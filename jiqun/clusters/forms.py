from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.core.forms import TextRuleMixin
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
