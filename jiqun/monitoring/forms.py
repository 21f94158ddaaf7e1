import datetime
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin
from jiqun.monitoring.importer.package import mib
from jiqun.monitoring.services import period_default_codes, period_indicators
from jiqun.programmes.models import Indicator, IndicatorLevel, Programme
from jiqun.programmes.packs import REPORTED_KINDS


class IndicatorCodesField(forms.MultipleChoiceField):
    """The ticked indicator codes, taken as sent: which codes a period may collect is `period_indicators`' rule,
    which names every code it refuses (a forged code included) instead of Django's bare "not a valid choice"."""

    def valid_value(self, value: str) -> bool:
        return True


def targets_measured_on(programme: Programme) -> dict[str, list[str]]:
    """{reported indicator code: the codes of the programme's targets whose figure is computed from it}, read from
    the installed catalogue the way `jiqun.programmes.packs.target_needs` reads a pack."""
    catalogue = {i.code: (i.kind, i.numerator_id and i.numerator.code, i.denominator_id and i.denominator.code)
                 for i in Indicator.objects.select_related("numerator", "denominator")}

    def parts(code: str) -> set[str]:
        kind, numerator, denominator = catalogue.get(code, ("count", None, None))
        if kind in REPORTED_KINDS:
            return {code}
        return set() if kind == "count" else parts(numerator or "") | parts(denominator or "")

    needs: dict[str, list[str]] = {}
    for target in programme.targets.select_related("indicator").order_by("code"):
        code = target.indicator.code
        measured = parts(str(target.params.get("measure") or "revenue")) if code == "count_clusters_over" else parts(code)
        for part in sorted(measured):
            needs.setdefault(part, []).append(target.code)
    return needs


@dataclass(frozen=True)
class IndicatorOption:
    code: str
    name: str
    unit: str
    kind: str  # 累计值 or 期末值
    checked: bool
    default: bool  # in the programme's reporting list
    targets: tuple[str, ...] = ()  # the programme's targets measured on it, so the province sees what a removal costs


@dataclass(frozen=True)
class IndicatorGroup:
    level: str
    label: str
    defaults: list[IndicatorOption]
    others: list[IndicatorOption]

    @property
    def others_ticked(self) -> bool:
        return any(o.checked for o in self.others)


class PeriodOpenForm(TextRuleMixin, forms.Form):
    """Open a period of a programme; the indicator set starts as the programme's reporting list.

    The page shows the checkboxes only once a programme is chosen, and posts `indicators_shown` with them: a post
    without it (a client that never saw the list) collects the programme's default set, a post with it and
    nothing ticked is refused.
    """

    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("培育工程"), widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100,
                              initial=lambda: datetime.date.today().year)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int,
                                     choices=[(1, "1-3月"), (2, "1-6月"), (3, "1-9月"), (4, "1-12月")])
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    enterprise_level = forms.BooleanField(label=_("同时生成成员企业报表"), required=False)
    indicators = IndicatorCodesField(label=_("填报指标"), required=False)
    indicators_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, programme: Programme | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = programme
        if programme is not None and not self.is_bound:
            self.initial.update(programme=programme.pk, indicators_shown=True)

    def clean(self) -> dict:
        data = super().clean()
        programme = data.get("programme")
        if programme is None:
            return data
        codes = data.get("indicators") if data.get("indicators_shown") else period_default_codes(programme)
        try:
            data["indicators"] = period_indicators(codes or [])
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def open_arguments(self) -> dict:
        """The keyword arguments of `period_open` (after `is_valid`)."""
        return {name: self.cleaned_data[name]
                for name in ("programme", "year", "quarter", "deadline", "enterprise_level", "indicators")}

    def indicator_groups(self) -> list[IndicatorGroup]:
        """Every reported indicator of the catalogue by level, the programme's defaults first in its order, ticked
        as posted or, on a fresh form, as the programme's defaults."""
        defaults = period_default_codes(self.chosen) if self.chosen else []
        posted = self.is_bound and self.data.get("indicators_shown") not in (None, "", "False")
        ticked = set(self.data.getlist("indicators")) if posted else set(defaults)
        needs = targets_measured_on(self.chosen) if self.chosen else {}
        groups = []
        for level, label in IndicatorLevel.choices:
            options = [IndicatorOption(i.code, i.name, i.unit, i.get_kind_display(), i.code in ticked,
                                       i.code in defaults, tuple(needs.get(i.code, ())))
                       for i in Indicator.objects.filter(level=level, kind__in=REPORTED_KINDS).order_by("kind", "code")]
            chosen = sorted((o for o in options if o.default), key=lambda o: defaults.index(o.code))
            groups.append(IndicatorGroup(level, label, chosen, [o for o in options if not o.default]))
        return groups


class UploadForm(TextRuleMixin, forms.Form):
    file = forms.FileField(label=_("填好的统计季报（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.JIQUN_UPLOAD_MAX_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未导入") % {
                "file": upload.name, "size": mib(upload.size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)})
        return upload


class ReturnForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class IndicatorForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "aggregation", "direction", "precision", "min_value", "max_value", "description",
                  "clause"]
