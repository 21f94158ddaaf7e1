"""The comparison's GET form and the form that saves one under a name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin
from jiqun.dashboards.compare import (
    QUARTER_LABELS,
    comparable_programmes,
    indicator_choices,
    subject_choices,
    year_choices,
)
from jiqun.dashboards.models import MAX_SUBJECTS, ComparisonKind, FigureSummary
from jiqun.dashboards.selectors import Summaries


def _default_programme(user):
    """The first comparable programme with figures the user sees (else the first comparable one)."""
    programmes = comparable_programmes()
    seen = FigureSummary.objects.for_user(user).values("programme")
    return programmes.filter(pk__in=seen).first() or programmes.first()


class CompareForm(forms.Form):
    programme = forms.ModelChoiceField(comparable_programmes(), label=_("培育工程"), to_field_name="code",
                                       empty_label=None, error_messages={
                                           "invalid_choice": _("没有这个有报告期的培育工程，请从列表中选择")})
    kind = forms.ChoiceField(label=_("对比对象类型"), choices=ComparisonKind.choices, error_messages={
        "invalid_choice": _("“%(value)s”不是可选的对象类型，只能选集群或区域")})
    subjects = forms.MultipleChoiceField(label=_("对比对象"), required=False, error_messages={
        "invalid_choice": _("“%(value)s”不是您可以对比的对象（不存在、不属于所选培育工程或您无权查看）")},
        help_text=_("最多 10 个"), widget=forms.CheckboxSelectMultiple)
    indicators = forms.MultipleChoiceField(label=_("指标"), required=False, widget=forms.CheckboxSelectMultiple,
                                           error_messages={
        "invalid_choice": _("“%(value)s”不是所选培育工程的指标")})
    years = forms.TypedMultipleChoiceField(label=_("年份"), coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple, error_messages={
        "invalid_choice": _("“%(value)s”年没有您可见的审核通过数据")})
    quarter = forms.TypedChoiceField(label=_("报告期"), coerce=int, required=False,
                                     choices=[(q, label) for q, label in QUARTER_LABELS.items()],
                                     error_messages={"invalid_choice": _("“%(value)s”不是可选的报告期（1-4，4 为全年）")})

    def __init__(self, data=None, *, user, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        programme = None
        if data is not None and data.get("programme"):
            programme = comparable_programmes().filter(code=str(data.get("programme"))[:30]).first()
        self.programme = programme or _default_programme(user)
        kind = (data or {}).get("kind")
        self.kind = kind if kind in ComparisonKind.values else ComparisonKind.CLUSTER
        self.summaries = Summaries(user, self.programme) if self.programme is not None else None
        if self.summaries is None:
            return
        self.subject_choices = subject_choices(user, self.summaries, self.kind)
        self.fields["subjects"].choices = self.subject_choices
        self.fields["indicators"].choices = indicator_choices(self.summaries)
        years = year_choices(self.summaries)
        self.fields["years"].choices = [(y, str(y)) for y in years]
        latest = self.summaries.latest()
        self.latest = latest
        self.initial.setdefault("programme", self.programme.code)
        self.initial.setdefault("kind", self.kind)
        if latest is not None:
            self.initial.setdefault("years", [latest[0]])
            self.initial.setdefault("quarter", latest[1])

    def clean_subjects(self) -> list[str]:
        subjects = list(dict.fromkeys(self.cleaned_data["subjects"]))
        if len(subjects) > MAX_SUBJECTS:
            raise forms.ValidationError(_("最多可选 %(max)s 个对比对象，现选了 %(n)s 个") % {
                "max": MAX_SUBJECTS, "n": len(subjects)})
        return subjects

    def clean(self):
        data = super().clean()
        if self.summaries is None:
            raise forms.ValidationError(_("还没有可对比的培育工程（没有报告期）"))
        latest = getattr(self, "latest", None)
        if not data.get("years") and latest is not None:
            data["years"] = [latest[0]]
        if not data.get("quarter") and latest is not None:
            data["quarter"] = latest[1]
        data["indicators"] = list(dict.fromkeys(data.get("indicators") or []))
        return data

    @property
    def ready(self) -> bool:
        """Valid, with subjects, indicators and a period: a comparison to show."""
        return (self.is_valid() and bool(self.cleaned_data["subjects"]) and bool(self.cleaned_data["indicators"])
                and bool(self.cleaned_data.get("years")) and bool(self.cleaned_data.get("quarter")))


class SaveComparisonForm(TextRuleMixin, CompareForm):
    name = forms.CharField(label=_("对比名称"), max_length=50, error_messages={
        "required": _("请填写对比名称"), "max_length": _("对比名称最多 %(limit_value)d 个字（现为 %(show_value)d 个）")})
