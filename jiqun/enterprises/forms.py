from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.clusters.models import Cluster
from jiqun.core.forms import TextRuleMixin
from jiqun.enterprises.creditcode import credit_code_error, normalise
from jiqun.enterprises.models import CarrierKind, CarrierLevel, Enterprise, HonourKind, InnovationCarrier
from jiqun.enterprises.services import credit_code_clash
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


STALE_VERSION = _("修改企业须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。")


class EnterpriseForm(TextRuleMixin, forms.ModelForm):
    # The version an edit is based on; enterprise_update refuses it once someone else has saved.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE_VERSION, "invalid": STALE_VERSION, "min_value": STALE_VERSION})

    class Meta:
        model = Enterprise
        fields = ["name", "full_name", "credit_code", "region", "zone", "industry_code"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.fields["region"].queryset = regions_for(user)
        self.fields["zone"].queryset = Zone.objects.for_user(user)
        self.fields["credit_code"].validators = []  # clean_credit_code words the refusal itself
        self.user = user

    def clean_credit_code(self) -> str | None:
        value = (self.cleaned_data.get("credit_code") or "").strip()
        if not value:
            return None
        message = credit_code_error(value)
        if message:
            raise forms.ValidationError(message, code="credit_code")
        code = normalise(value)
        clash = credit_code_clash(actor=self.user, code=code, exclude_pk=self.instance.pk)
        if clash:
            raise forms.ValidationError(clash, code="credit_code_taken")
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
