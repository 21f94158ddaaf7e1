from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.clusters.models import Cluster
from jiqun.core.forms import TextRuleMixin
from jiqun.enterprises.creditcode import credit_code_error, normalise
from jiqun.enterprises.models import CarrierKind, CarrierLevel, Enterprise, HonourKind, InnovationCarrier
from jiqun.regions.models import Region, Zone
from jiqun.regions.selectors import regions_for


class EnterpriseFilterForm(TextRuleMixin, forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False)
    city = forms.ModelChoiceField(Region.objects.filter(level="city"), label=_("市"), required=False)
    cluster = forms.ModelChoiceField(Cluster.objects.none(), label=_("集群"), required=False)
    honour = forms.ChoiceField(label=_("荣誉"), choices=[("", _("全部"))] + HonourKind.choices, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.for_user(user)


class EnterpriseForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "full_name", "credit_code", "region", "zone", "industry_code"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        self.fields["zone"].queryset = Zone.objects.for_user(user)
        self.fields["credit_code"].validators = []  # clean_credit_code words the refusal itself

    def clean_credit_code(self) -> str | None:
        value = (self.cleaned_data.get("credit_code") or "").strip()
        if not value:
            return None
        message = credit_code_error(value)
        if message:
            raise forms.ValidationError(message, code="credit_code")
        code = normalise(value)
        clash = Enterprise.objects.filter(credit_code=code).exclude(pk=self.instance.pk).first()
        if clash:
            raise forms.ValidationError(_("统一社会信用代码 %(code)s 已登记为“%(name)s”"),
                                        params={"code": code, "name": clash.name})
        return code


class CarrierForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = InnovationCarrier
        fields = ["name", "kind", "level", "host", "region", "cluster", "year"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        self.fields["host"].queryset = Enterprise.objects.for_user(user)
        self.fields["cluster"].queryset = Cluster.objects.for_user(user)
        self.fields["kind"].choices = CarrierKind.choices
        self.fields["level"].choices = CarrierLevel.choices
