"""Pages of the bonus claims (加分事项): the list with the filing form (a region's officer), one claim with the
province's decision (核定 / 不予核定) or the region's withdrawal."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.core.forms import TextRuleMixin
from jiqun.core.stale import StaleEdit
from jiqun.evaluation.bonus import (
    bonus_claim_create,
    bonus_claim_decide,
    claimable_regions,
    claims_for,
    items_for_region,
)
from jiqun.evaluation.models import CLAIM_MOVES, ClaimState
from jiqun.evaluation.permissions import can_claim_bonus, can_decide_bonus

YEAR_ERRORS = {"invalid": gettext_lazy("年度应为四位数年份"),
               "min_value": gettext_lazy("年度应在 2000 年至 2100 年之间"),
               "max_value": gettext_lazy("年度应在 2000 年至 2100 年之间"),
               "required": gettext_lazy("请填写年度")}


class ClaimForm(TextRuleMixin, forms.Form):
    item = forms.ChoiceField(label=gettext_lazy("加分项"),
                             error_messages={"invalid_choice": gettext_lazy("所选加分项不存在"),
                                             "required": gettext_lazy("请选择加分项")})
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100, error_messages=YEAR_ERRORS)
    description = forms.CharField(label=gettext_lazy("事项说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=gettext_lazy("项目名称、投资额、所属集群和产业链环节、落地时间"),
                                  error_messages={"required": gettext_lazy("请填写事项说明")})
    evidence = forms.CharField(label=gettext_lazy("证明材料"), max_length=300,
                               help_text=gettext_lazy("文件文号或材料说明，如 备案证明 2025-370811-xx"),
                               error_messages={"required": gettext_lazy("请填写证明材料")})

    def __init__(self, *args, region_code: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.key, i.title) for i in items_for_region(region_code)] if region_code else []


class DecideForm(TextRuleMixin, forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("处理"), choices=[
        ("approve", gettext_lazy("核定")), ("reject", gettext_lazy("不予核定")), ("withdraw", gettext_lazy("撤回"))],
        error_messages={"invalid_choice": gettext_lazy("处理方式无效"), "required": gettext_lazy("请选择处理方式")})
    reason = forms.CharField(label=gettext_lazy("不予核定理由"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": gettext_lazy("缺少版本号，请刷新页面后重新操作"), "invalid": gettext_lazy("版本号无效，请刷新页面后重新操作")})


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}).items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    regions = claimable_regions(request.user)
    region = regions[0] if regions else None
    form = ClaimForm(request.POST if request.method == "POST" else None, region_code=region.code if region else "")
    if request.method == "POST":
        if region is None:
            raise PermissionDenied(_("加分事项由本地区（市或县区）的工作人员申报"))
        if form.is_valid():
            try:
                claim = bonus_claim_create(actor=request.user, region=region, year=form.cleaned_data["year"],
                                           item=form.cleaned_data["item"],
                                           description=form.cleaned_data["description"],
                                           evidence=form.cleaned_data["evidence"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已申报加分事项，待省级核定"))
                return redirect("evaluation:bonus_claim", pk=claim.pk)
    claims = claims_for(request.user)
    state = request.GET.get("state", "")
    if state in ClaimState.values:
        claims = claims.filter(state=state)
    return render(request, "evaluation/bonus_claims.html", {
        "claims": claims, "form": form if region else None, "region": region, "states": ClaimState.choices,
        "state": state})


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(claims_for(request.user), pk=pk)
    may_decide = can_decide_bonus(request.user) and bool(
        CLAIM_MOVES[claim.state] & {ClaimState.APPROVED, ClaimState.REJECTED})
    may_withdraw = can_claim_bonus(request.user, claim.region_id) and ClaimState.WITHDRAWN in CLAIM_MOVES[claim.state]
    form = DecideForm(request.POST if request.method == "POST" else None, initial={"version": claim.version})
    if request.method == "POST":
        if not (may_decide or may_withdraw):
            raise PermissionDenied(_("您不能处理此加分事项"))
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            if (decision == "withdraw") != may_withdraw or (decision != "withdraw" and not may_decide):
                raise PermissionDenied(_("您不能对此加分事项执行该操作"))
            try:
                bonus_claim_decide(actor=request.user, claim=claim, decision=decision,
                                   reason=form.cleaned_data["reason"], base_version=form.cleaned_data["version"])
            except StaleEdit as exc:
                messages.error(request, "；".join(exc.messages))
                return redirect("evaluation:bonus_claim", pk=claim.pk)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已处理加分事项"))
                return redirect("evaluation:bonus_claim", pk=claim.pk)
    return render(request, "evaluation/bonus_claim.html", {
        "claim": claim, "form": form, "may_decide": may_decide, "may_withdraw": may_withdraw})
