"""The chain pages' forms: the list filter, a chain's settings, a segment, a placement, a supply link.

Choices are limited to what the user sees (its regions, clusters, enterprises, the outside companies of the
chains it sees); every edit carries the version it was based on. The forms only parse: the services check the
rules, and a refusal is shown on the field it names.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.models import Role, User
from jiqun.chains.models import Chain, LocalScope, OutsideCompany, Position, Segment, SegmentKind
from jiqun.clusters.models import Cluster
from jiqun.core.forms import IdsChoiceField, TextRuleMixin
from jiqun.enterprises.models import Enterprise, MemberRole
from jiqun.regions.models import Region, scope_prefix
from jiqun.regions.selectors import regions_for, visible_regions

STALE_MESSAGE = _("修改须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE_MESSAGE, "invalid": STALE_MESSAGE, "min_value": STALE_MESSAGE})


class ChainFilterForm(TextRuleMixin, forms.Form):
    cluster = forms.ModelChoiceField(Cluster.objects.none(), label=_("集群"), required=False)
    region = forms.ModelChoiceField(Region.objects.none(), label=_("区划"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.for_user(user).order_by("programme_id", "name")
        self.fields["region"].queryset = visible_regions(user).order_by("code")


def _leaders_for(user, chain: Chain | None):
    """The leader accounts a chain's 链长 may be: leaders whose region lies inside the user's region (the
    province: all), and the chain's current 链长."""
    leaders = User.objects.filter(role=Role.LEADER, is_active=True)
    if user.role != Role.PROVINCE_ADMIN:
        leaders = leaders.filter(region__code__startswith=scope_prefix(user.region_id)) if user.region_id else \
            leaders.none()
    if chain is not None and chain.chief_id:
        leaders = leaders | User.objects.filter(pk=chain.chief_id)
    return leaders.distinct().order_by("username")


class ChainForm(TextRuleMixin, forms.Form):
    """A chain's settings (its tree is edited segment by segment)."""

    code = forms.CharField(label=_("产业链编码"), max_length=40, help_text=_("全省唯一，如 JN-GCJX"))
    name = forms.CharField(label=_("产业链名称"), max_length=100)
    region = forms.ModelChoiceField(Region.objects.none(), label=_("牵头区划"))
    clusters = IdsChoiceField(Cluster.objects.none(), label=_("所属集群"), required=False,
                              widget=forms.SelectMultiple(attrs={"size": 5}))
    chief = forms.ModelChoiceField(User.objects.none(), label=_("链长（账号）"), required=False,
                                   help_text=_("领导/链长角色的账号"))
    chief_name = forms.CharField(label=_("链长"), max_length=100, required=False, help_text=_("姓名和职务"))
    chain_leader = forms.ModelChoiceField(Enterprise.objects.none(), label=_("链主企业"), required=False)
    local_scope = forms.ChoiceField(label=_("本地范围"), choices=LocalScope.choices)
    local_radius_km = forms.DecimalField(label=_("本地半径（公里）"), required=False, max_digits=7, decimal_places=1)
    local_rate_target = forms.DecimalField(label=_("本地配套率目标（%）"), required=False, max_digits=5,
                                           decimal_places=2)
    description = forms.CharField(label=_("说明"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    clause = forms.CharField(label=_("依据条款"), required=False, max_length=120)
    version = _version_field()

    def __init__(self, *args, user, chain: Chain | None = None, **kwargs) -> None:
        if chain is not None:
            kwargs["initial"] = {
                "code": chain.code, "name": chain.name, "region": chain.region_id,
                "clusters": list(chain.clusters.values_list("pk", flat=True)), "chief": chain.chief_id,
                "chief_name": chain.chief_name, "chain_leader": chain.chain_leader_id,
                "local_scope": chain.local_scope, "local_radius_km": chain.local_radius_km,
                "local_rate_target": chain.local_rate_target, "description": chain.description,
                "clause": chain.clause, "version": chain.version}
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user).order_by("code")
        clusters = Cluster.objects.for_user(user)
        enterprises = Enterprise.objects.for_user(user)
        if chain is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
            # What the chain already has stays a valid choice even when outside the user's view.
            clusters = Cluster.objects.filter(pk__in=clusters.values("pk")) | chain.clusters.all()
            if chain.chain_leader_id:
                enterprises = Enterprise.objects.filter(pk__in=enterprises.values("pk")) | Enterprise.objects.filter(
                    pk=chain.chain_leader_id)
            self.fields["region"].queryset = Region.objects.filter(
                pk__in=self.fields["region"].queryset.values("pk")) | Region.objects.filter(pk=chain.region_id)
        else:
            del self.fields["version"]
        self.fields["clusters"].queryset = clusters.distinct().order_by("programme_id", "name")
        self.fields["chain_leader"].queryset = enterprises.distinct().order_by("name")
        self.fields["chief"].queryset = _leaders_for(user, chain)


class SegmentForm(TextRuleMixin, forms.Form):
    code = forms.CharField(label=_("环节编码"), max_length=20, help_text=_("链内稳定的编码，如 U1、U1.2；保存后不再改变"))
    name = forms.CharField(label=_("环节名称"), max_length=100)
    parent = forms.ModelChoiceField(Segment.objects.none(), label=_("上级环节"), required=False)
    position = forms.ChoiceField(label=_("链上位置"), choices=Position.choices)
    kind = forms.ChoiceField(label=_("环节类型"), choices=SegmentKind.choices, initial=SegmentKind.PRODUCT)
    industry_codes = forms.CharField(label=_("国民经济行业代码"), max_length=100, required=False,
                                     help_text=_("GB/T 4754-2017 行业代码，多个用逗号分隔"))
    is_extension = forms.BooleanField(label=_("延链环节"), required=False,
                                      help_text=_("本链尚未延伸到、规划延伸的环节"))
    sort = forms.IntegerField(label=_("排序"), min_value=0, max_value=100000, initial=0, required=False)
    description = forms.CharField(label=_("说明"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("调整说明"), required=False, max_length=200,
                           help_text=_("记入结构版本，如“按2026年链图调整”"))
    version = _version_field()

    def __init__(self, *args, chain: Chain, segment: Segment | None = None, **kwargs) -> None:
        if segment is not None:
            kwargs["initial"] = {
                "code": segment.code, "name": segment.name, "parent": segment.parent_id,
                "position": segment.position, "kind": segment.kind, "industry_codes": segment.industry_codes,
                "is_extension": segment.is_extension, "sort": segment.sort, "description": segment.description,
                "version": segment.version}
        super().__init__(*args, **kwargs)
        parents = Segment.objects.filter(chain=chain, retired=False).order_by("sort", "code")
        if segment is not None:
            parents = parents.exclude(pk=segment.pk)
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        else:
            del self.fields["version"]
        self.fields["parent"].queryset = parents


class SegmentRetireForm(TextRuleMixin, forms.Form):
    note = forms.CharField(label=_("撤销说明"), required=False, max_length=200)
    version = _version_field()


class PlacementForm(TextRuleMixin, forms.Form):
    """An enterprise of the registry, or an outside company (picked, or registered here), on a segment."""

    enterprise = forms.ModelChoiceField(Enterprise.objects.none(), label=_("名录企业"), required=False)
    company = forms.ModelChoiceField(OutsideCompany.objects.none(), label=_("外地企业"), required=False,
                                     help_text=_("已登记的外地企业"))
    new_company_name = forms.CharField(label=_("新外地企业名称"), max_length=200, required=False,
                                       help_text=_("未登记的外地企业：填写名称即登记"))
    new_company_place = forms.CharField(label=_("新外地企业所在地"), max_length=100, required=False,
                                        help_text=_("省市，如“江苏省徐州市”"))
    new_company_credit_code = forms.CharField(label=_("新外地企业统一社会信用代码"), max_length=18, required=False)
    role = forms.ChoiceField(label=_("链上角色"), choices=MemberRole.choices, initial=MemberRole.SUPPORTING)
    product = forms.CharField(label=_("主要产品"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).distinct().order_by("name")
        self.fields["company"].queryset = OutsideCompany.objects.for_user(user).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("new_company_name") and (data.get("new_company_place") or data.get("new_company_credit_code")):
            self.add_error("new_company_name", _("填写了新外地企业的所在地或信用代码，请同时填写其名称"))
            return data
        picked = [name for name in ("enterprise", "company", "new_company_name") if data.get(name)]
        if len(picked) != 1 and not self.errors:
            raise forms.ValidationError(_("请选择一家名录企业、选择一家外地企业或填写新外地企业名称（三选一）"))
        return data


class RemoveForm(forms.Form):
    """Removing a placement or a supply link: the version the removal was based on."""

    version = _version_field()


class SupplyLinkForm(TextRuleMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    buyer = forms.ModelChoiceField(Enterprise.objects.none(), label=_("采购方（名录企业）"), required=False)
    buyer_company = forms.ModelChoiceField(OutsideCompany.objects.none(), label=_("采购方（外地企业）"),
                                           required=False)
    supplier = forms.ModelChoiceField(Enterprise.objects.none(), label=_("供应方（名录企业）"), required=False)
    supplier_company = forms.ModelChoiceField(OutsideCompany.objects.none(), label=_("供应方（外地企业）"),
                                              required=False)
    product = forms.CharField(label=_("采购产品"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("采购金额（万元）"), required=False, max_digits=14, decimal_places=2,
                                min_value=0, help_text=_("不知道金额时留空：只计入按家数的配套率"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    version = _version_field()

    def __init__(self, *args, user, link=None, **kwargs) -> None:
        if link is not None:
            kwargs["initial"] = {"year": link.year, "product": link.product, "amount": link.amount,
                                 "note": link.note, "version": link.version}
        super().__init__(*args, **kwargs)
        if link is not None:  # a correction: the parties stay; remove the link and add another to change them
            for name in ("buyer", "buyer_company", "supplier", "supplier_company"):
                del self.fields[name]
            return
        del self.fields["version"]
        enterprises = Enterprise.objects.for_user(user).distinct().order_by("name")
        companies = OutsideCompany.objects.for_user(user).order_by("name")
        self.fields["buyer"].queryset = self.fields["supplier"].queryset = enterprises
        self.fields["buyer_company"].queryset = self.fields["supplier_company"].queryset = companies
