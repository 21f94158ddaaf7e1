"""The page of on-site 观摩 scores (现场观摩得分): for a project scheme and a year, the projects it evaluates with
each observer's score and their trimmed mean; the province enters, corrects (with the version it was based on) and
removes scores. Other roles see the scores of the projects they see (jiqun.accounts.scoping.observation_score_q)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.core.forms import TextRuleMixin
from jiqun.core.stale import StaleEdit
from jiqun.evaluation.models import ObservationScore
from jiqun.evaluation.observations import (
    observation_score_delete,
    observation_score_record,
    observed_projects,
    project_schemes,
)
from jiqun.evaluation.permissions import can_enter_observation
from jiqun.evaluation.project_inputs import trimmed_mean
from jiqun.projects.models import Project

SCORE_ERRORS = {"invalid": gettext_lazy("现场得分应为 0 至 100 之间的数，最多一位小数"),
                "min_value": gettext_lazy("现场得分应为 0 至 100 之间的数，最多一位小数"),
                "max_value": gettext_lazy("现场得分应为 0 至 100 之间的数，最多一位小数"),
                "max_decimal_places": gettext_lazy("现场得分应为 0 至 100 之间的数，最多一位小数"),
                "max_digits": gettext_lazy("现场得分应为 0 至 100 之间的数，最多一位小数"),
                "required": gettext_lazy("请填写现场得分")}
VERSION_ERRORS = {"required": gettext_lazy("缺少版本号，请刷新页面后重新操作"),
                  "invalid": gettext_lazy("版本号无效，请刷新页面后重新操作")}


class ScoreForm(TextRuleMixin, forms.Form):
    project = forms.TypedChoiceField(label=gettext_lazy("项目"), coerce=int,
                                     error_messages={"invalid_choice": gettext_lazy("所选项目不在本次观摩的参评项目中"),
                                                     "required": gettext_lazy("请选择项目")})
    observer = forms.CharField(label=gettext_lazy("观摩人员"), max_length=100,
                               error_messages={"required": gettext_lazy("请填写观摩人员")})
    score = forms.DecimalField(label=gettext_lazy("现场得分"), min_value=0, max_value=100, max_digits=4,
                               decimal_places=1, error_messages=SCORE_ERRORS)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)

    def __init__(self, *args, projects: list = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, f"{p.code} {p.name}") for p in projects]


class CorrectForm(TextRuleMixin, forms.Form):
    score = forms.DecimalField(label=gettext_lazy("现场得分"), min_value=0, max_value=100, max_digits=4,
                               decimal_places=1, error_messages=SCORE_ERRORS, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


def _year(text: str, default: int) -> int:
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise Http404
    return int(text)


def _errors(exc: ValidationError) -> list[str]:
    return [m for ms in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]) for m in ms]


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    schemes = project_schemes()
    code = request.GET.get("scheme", "")
    scheme = next((s for s in schemes if s.code == code), schemes[0] if schemes and not code else None)
    if code and scheme is None:
        raise Http404
    year = _year(request.GET.get("year", ""), 2025)
    may_enter = can_enter_observation(request.user)
    visible = set(Project.objects.for_user(request.user).values_list("pk", flat=True))
    subjects = [(p, why) for p, why in observed_projects(scheme, year) if p.pk in visible] if scheme else []
    form = ScoreForm(request.POST if request.method == "POST" and request.POST.get("action") == "add" else None,
                     projects=[p for p, _why in subjects])
    here = f"{reverse('evaluation:observations')}?scheme={scheme.code if scheme else ''}&year={year}"
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied(_("现场观摩得分由省级管理员录入"))
        if scheme is None:
            raise Http404
        action = request.POST.get("action", "")
        if action == "add":
            if form.is_valid():
                try:
                    observation_score_record(
                        actor=request.user, scheme_code=scheme.code, year=year,
                        project=Project.objects.get(pk=form.cleaned_data["project"]),
                        observer=form.cleaned_data["observer"], score=form.cleaned_data["score"],
                        note=form.cleaned_data["note"])
                except ValidationError as exc:
                    for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}).items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    messages.success(request, _("已录入现场观摩得分"))
                    return redirect(here)
        elif action in ("update", "delete"):
            pk = request.POST.get("score_id", "")
            found = (ObservationScore.objects.for_user(request.user)
                     .filter(pk=int(pk), scheme_code=scheme.code, year=year).select_related("project").first()
                     if pk.isascii() and pk.isdigit() and len(pk) <= 18 else None)
            if found is None:
                raise Http404
            correct = CorrectForm(request.POST)
            if not correct.is_valid():
                messages.error(request, "；".join(m for ms in correct.errors.values() for m in ms))
                return redirect(here)
            try:
                if action == "delete":
                    observation_score_delete(actor=request.user, score=found, base_version=correct.cleaned_data["version"])
                else:
                    if correct.cleaned_data["score"] is None:
                        raise ValidationError({"score": [_("请填写现场得分")]})
                    observation_score_record(
                        actor=request.user, scheme_code=scheme.code, year=year, project=found.project,
                        observer=found.observer, score=correct.cleaned_data["score"], note=correct.cleaned_data["note"],
                        base_version=correct.cleaned_data["version"])
            except (StaleEdit, ValidationError) as exc:
                messages.error(request, "；".join(_errors(exc)))
            else:
                messages.success(request, _("已删除现场观摩得分") if action == "delete" else _("已修改现场观摩得分"))
            return redirect(here)
        else:
            messages.error(request, _("操作无效：应为录入、修改或删除现场得分"))
            return redirect(here)
    scores: dict[int, list[ObservationScore]] = {}
    if scheme is not None:
        for s in (ObservationScore.objects.for_user(request.user).filter(scheme_code=scheme.code, year=year)
                  .order_by("observer", "pk")):
            scores.setdefault(s.project_id, []).append(s)
    rows = [{"project": p, "basis": why, "scores": scores.get(p.pk, []),
             "mean": trimmed_mean([Decimal(s.score) for s in scores.get(p.pk, [])])} for p, why in subjects]
    return render(request, "evaluation/observations.html", {
        "schemes": schemes, "scheme": scheme, "year": year, "rows": rows, "form": form if may_enter and subjects else None,
        "may_enter": may_enter})
