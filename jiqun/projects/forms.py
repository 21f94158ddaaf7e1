"""The project library's forms: the list filter, the record, a stage move, a year plan and constraints.

Choices are limited to what the user sees (its regions, parks, clusters and enterprises); the services check
the rules again, and a refusal is shown on the field it names.
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.clusters.models import Cluster
from jiqun.core.forms import IdsChoiceField, TextRuleMixin
from jiqun.enterprises.models import Enterprise
from jiqun.projects.models import (
    STAGE_MOVES,
    ConstraintKind,
    ConstraintStatus,
    MajorLevel,
    Project,
    ProjectKind,
    Stage,
)
from jiqun.projects.services import EDITABLE_FIELDS
from jiqun.regions.models import Region, Zone
from jiqun.regions.selectors import regions_for, visible_regions

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STALE_MESSAGE = _("修改项目须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE_MESSAGE, "invalid": STALE_MESSAGE, "min_value": STALE_MESSAGE})


class ProjectFilterForm(TextRuleMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    cluster = forms.ModelChoiceField(Cluster.objects.none(), label=_("集群"), required=False)
    region = forms.ModelChoiceField(Region.objects.none(), label=_("区划"), required=False)
    zone = forms.ModelChoiceField(Zone.objects.none(), label=_("园区"), required=False)
    stage = forms.ChoiceField(label=_("阶段"), choices=[("", _("全部"))] + Stage.choices, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部"))] + ProjectKind.choices, required=False)
    major_level = forms.ChoiceField(label=_("重大项目级别"), choices=[("", _("全部"))] + MajorLevel.choices,
                                    required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.for_user(user).order_by("programme_id", "name")
        self.fields["region"].queryset = visible_regions(user).order_by("code")
        self.fields["zone"].queryset = Zone.objects.for_user(user).distinct().order_by("region_id", "name")


class ProjectForm(TextRuleMixin, forms.ModelForm):
    """A project's record; its stage changes only through the stage-move form."""

    version = _version_field()  # the version the edit is based on; project_update refuses it once changed
    stage_reached_on = forms.DateField(label=_("入库（谋划）日期"), required=False, widget=DATE,
                                       help_text=_("不填为今天"))

    class Meta:
        model = Project
        fields = ["code", *EDITABLE_FIELDS[:1], "clusters", *EDITABLE_FIELDS[1:]]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "clusters": forms.SelectMultiple(attrs={"size": 6}),
            "signed_on": DATE, "planned_start_on": DATE, "planned_completion_on": DATE, "planned_production_on": DATE,
        }
        field_classes = {"clusters": IdsChoiceField}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clusters"].queryset = Cluster.objects.for_user(user).order_by("programme_id", "name")
        self.fields["region"].queryset = regions_for(user).order_by("code")
        self.fields["zone"].queryset = Zone.objects.for_user(user).distinct().order_by("region_id", "name")
        self.fields["investor"].queryset = Enterprise.objects.for_user(user).distinct().order_by("name")
        self.fields["code"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["version"].initial = self.instance.version
            # A cluster outside the user's view that the project already has stays a valid choice.
            own = self.instance.clusters.values("pk")
            self.fields["clusters"].queryset = Cluster.objects.filter(
                pk__in=self.fields["clusters"].queryset.values("pk")) | Cluster.objects.filter(pk__in=own)
            del self.fields["stage_reached_on"]
        else:
            del self.fields["version"]

    def clean_stage_reached_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("stage_reached_on")
        if day and day > datetime.date.today():
            raise forms.ValidationError(_("入库日期不能晚于今天"))
        return day

    def _post_clean(self) -> None:
        # The services run full_clean and the project rules; the form only parses, so nothing is checked twice
        # with two wordings (the instance is never saved by the form).
        pass


class StageMoveForm(TextRuleMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("转入阶段"))
    reached_on = forms.DateField(label=_("达到日期"), widget=DATE,
                                 help_text=_("实际达到该阶段的日期（开工令、竣工验收等文件的日期），不能晚于今天"))
    evidence = forms.CharField(label=_("依据"), max_length=200, required=False,
                               help_text=_("开工令、竣工验收、投产公告、会议纪要等"))
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("停缓建、退出时必填"))
    version = _version_field()

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        order = list(Stage.values)
        moves = sorted(STAGE_MOVES[project.stage], key=order.index)
        self.fields["to_stage"].choices = [(s, labels[s]) for s in moves]
        self.fields["version"].initial = project.version


class YearPlanForm(TextRuleMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    planned = forms.DecimalField(label=_("年度计划投资（万元）"), min_value=0, max_digits=14, decimal_places=2)


class ConstraintForm(TextRuleMixin, forms.Form):
    kind = forms.ChoiceField(label=_("制约类型"), choices=ConstraintKind.choices)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    responsible_unit = forms.CharField(label=_("责任单位"), max_length=100)
    deadline = forms.DateField(label=_("解决时限"), widget=DATE)


class ConstraintCloseForm(TextRuleMixin, forms.Form):
    status = forms.ChoiceField(label=_("结果"), choices=[
        (ConstraintStatus.RESOLVED, ConstraintStatus.RESOLVED.label),
        (ConstraintStatus.CLOSED, ConstraintStatus.CLOSED.label)])
    decision = forms.CharField(label=_("解决措施/决定"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    decided_by = forms.CharField(label=_("决定会议或文件"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("解决日期"), widget=DATE, required=False, help_text=_("不填为今天"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE_MESSAGE, "invalid": STALE_MESSAGE, "min_value": STALE_MESSAGE})
