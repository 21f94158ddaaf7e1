"""Forms of the scheme pages: copy a version, edit an unlocked version (the scheme and each of its items)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import TextRuleMixin
from jiqun.evaluation.models import Aggregation, Direction, MissingRule, Normalisation, Scheme, WeightMethod

STALE = _("修改评价方案须带上所依据的修订号，请刷新页面后重新填写；您的修改未保存。")


def _grade(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_value=100, decimal_places=2, error_messages={
        "invalid": _("%(label)s应为数字") % {"label": label},
        "min_value": _("%(label)s应在 0 至 100 之间") % {"label": label},
        "max_value": _("%(label)s应在 0 至 100 之间") % {"label": label},
        "max_decimal_places": _("%(label)s最多保留两位小数") % {"label": label}})


class SchemeCopyForm(TextRuleMixin, forms.Form):
    code = forms.CharField(label=_("新方案编码"), required=False, max_length=60,
                           help_text=_("留空为本方案的下一个版本；填写则另存为新方案（第1版）"))


class SchemeEditForm(TextRuleMixin, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE, "invalid": STALE, "min_value": STALE})
    name = forms.CharField(label=_("名称"), max_length=100)
    weight_method = forms.ChoiceField(label=_("赋权方法"), choices=WeightMethod.choices)
    combine_alpha = forms.DecimalField(label=_("主观权重占比 α"), min_value=0, max_value=1, decimal_places=3,
                                       help_text=_("主客观组合时固定权重所占比例"), error_messages={
                                           "invalid": _("主观权重占比 α 应为 0 至 1 之间的数"),
                                           "min_value": _("主观权重占比 α 应在 0 至 1 之间"),
                                           "max_value": _("主观权重占比 α 应在 0 至 1 之间"),
                                           "max_decimal_places": _("主观权重占比 α 最多保留三位小数")})
    normalisation = forms.ChoiceField(label=_("标准化方法"), choices=Normalisation.choices)
    aggregation = forms.ChoiceField(label=_("综合方法"), choices=Aggregation.choices)
    grade_excellent = _grade(_("优秀线"))
    grade_good = _grade(_("良好线"))
    grade_pass = _grade(_("合格线"))
    missing_rule = forms.ChoiceField(label=_("缺失数据规则"), choices=MissingRule.choices)
    weights_note = forms.CharField(label=_("权重说明"), max_length=200, required=False)
    clause = forms.CharField(label=_("依据"), max_length=200, required=False)

    def __init__(self, *args, scheme: Scheme, **kwargs) -> None:
        self.items = list(scheme.items.select_related("indicator").order_by("order"))
        initial = {"revision": scheme.revision, "name": scheme.name, "weight_method": scheme.weight_method,
                   "combine_alpha": scheme.combine_alpha, "normalisation": scheme.normalisation,
                   "aggregation": scheme.aggregation, "grade_excellent": scheme.grade_excellent,
                   "grade_good": scheme.grade_good, "grade_pass": scheme.grade_pass,
                   "missing_rule": scheme.missing_rule, "weights_note": scheme.weights_note, "clause": scheme.clause}
        for item in self.items:
            initial.update({f"weight_{item.code}": item.weight, f"direction_{item.code}": item.direction,
                            f"label_{item.code}": item.label, f"clause_{item.code}": item.clause})
        super().__init__(*args, initial=initial, **kwargs)
        for item in self.items:
            name = item.name
            self.fields[f"weight_{item.code}"] = forms.DecimalField(
                label=_("%(name)s 权重") % {"name": name}, min_value=0, max_value=1, decimal_places=4,
                error_messages={"invalid": _("“%(name)s”的权重应为 0 至 1 之间的数") % {"name": name},
                                "min_value": _("“%(name)s”的权重应在 0 至 1 之间") % {"name": name},
                                "max_value": _("“%(name)s”的权重应在 0 至 1 之间") % {"name": name},
                                "max_decimal_places": _("“%(name)s”的权重最多保留四位小数") % {"name": name}})
            self.fields[f"direction_{item.code}"] = forms.ChoiceField(
                label=_("%(name)s 方向") % {"name": name}, choices=Direction.choices)
            self.fields[f"label_{item.code}"] = forms.CharField(
                label=_("%(name)s 显示名称") % {"name": name}, max_length=100, required=False)
            self.fields[f"clause_{item.code}"] = forms.CharField(
                label=_("%(name)s 依据") % {"name": name}, max_length=200, required=False)
            self.fields[f"remove_{item.code}"] = forms.BooleanField(
                label=_("删除“%(name)s”") % {"name": name}, required=False)
        # One new indicator from the catalogue per save.
        from jiqun.programmes.models import Indicator

        self.fields["add_indicator"] = forms.ChoiceField(
            label=_("新增指标"), required=False,
            choices=[("", "—")] + [(i.code, f"{i.name}（{i.code}，{i.unit}）") for i in Indicator.objects.order_by("name")],
            error_messages={"invalid_choice": _("新增指标不在指标目录中")})
        self.fields["add_dimension"] = forms.CharField(label=_("新增指标的维度"), max_length=40, required=False)
        self.fields["add_weight"] = forms.DecimalField(
            label=_("新增指标的权重"), min_value=0, max_value=1, decimal_places=4, required=False,
            error_messages={"invalid": _("新增指标的权重应为 0 至 1 之间的数"),
                            "min_value": _("新增指标的权重应在 0 至 1 之间"),
                            "max_value": _("新增指标的权重应在 0 至 1 之间"),
                            "max_decimal_places": _("新增指标的权重最多保留四位小数")})
        self.fields["add_direction"] = forms.ChoiceField(label=_("新增指标的方向"), choices=Direction.choices,
                                                         required=False)
        self.fields["add_clause"] = forms.CharField(label=_("新增指标的依据"), max_length=200, required=False)

    def scheme_fields(self) -> list:
        """The scheme's own fields, in the order of the page."""
        return [self[name] for name in ("name", "weight_method", "combine_alpha", "normalisation", "aggregation",
                                        "grade_excellent", "grade_good", "grade_pass", "missing_rule",
                                        "weights_note", "clause")]

    def rows(self) -> list[tuple]:
        """Per item: the item and its fields, for the table of the page."""
        return [(item, self[f"weight_{item.code}"], self[f"direction_{item.code}"], self[f"label_{item.code}"],
                 self[f"clause_{item.code}"], self[f"remove_{item.code}"]) for item in self.items]

    def add_fields(self) -> list:
        return [self[name] for name in ("add_indicator", "add_dimension", "add_weight", "add_direction", "add_clause")]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("add_indicator"):
            if not data.get("add_dimension"):
                self.add_error("add_dimension", _("请填写新增指标所属的维度"))
            if data.get("add_weight") is None:
                self.add_error("add_weight", _("请填写新增指标的权重"))
        return data

    def changes(self) -> dict:
        """The cleaned form as the `changes` of jiqun.evaluation.scheme_edit.scheme_update."""
        data = self.cleaned_data
        changes = {k: data[k] for k in ("name", "weight_method", "normalisation", "aggregation", "missing_rule",
                                        "weights_note", "clause")}
        changes["combine_alpha"] = str(data["combine_alpha"])
        changes["grades"] = {"优秀": str(data["grade_excellent"]), "良好": str(data["grade_good"]),
                             "合格": str(data["grade_pass"])}
        changes["items"] = {item.code: {"weight": str(data[f"weight_{item.code}"]),
                                        "direction": data[f"direction_{item.code}"],
                                        "label": data[f"label_{item.code}"], "clause": data[f"clause_{item.code}"]}
                            for item in self.items if not data[f"remove_{item.code}"]}
        changes["remove"] = [item.code for item in self.items if data[f"remove_{item.code}"]]
        if data.get("add_indicator"):
            changes["add"] = [{"indicator": data["add_indicator"], "dimension": data["add_dimension"],
                               "weight": str(data["add_weight"]), "direction": data["add_direction"] or "benefit",
                               "clause": data["add_clause"]}]
        return changes

    def show_refusal(self, errors: dict[str, list[str]]) -> None:
        """Put a service's refusal on the fields it names (grades on the grade lines, items above the table)."""
        for field, texts in errors.items():
            if field == "grades":
                field = "grade_excellent"
            if field == "add":
                field = "add_indicator"
            self.add_error(field if field in self.fields else None, texts)
