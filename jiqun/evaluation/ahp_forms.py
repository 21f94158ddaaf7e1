"""Forms of the AHP consultation pages: the experts the province invites, and an expert's judgements."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiqun.core.forms import IdsChoiceField
from jiqun.evaluation.ahp_matrices import SAATY_SCALE, Matrix
from jiqun.recognition.models import Expert

STALE = _("修改判断须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。")
# What each choice says about the row element compared with the column element (Saaty 1980, Table 1).
MEANING = {"1": _("同等重要"), "3": _("稍微重要"), "5": _("明显重要"), "7": _("强烈重要"), "9": _("极端重要")}


def scale_choices() -> list[tuple[str, str]]:
    choices = [("", "—")]
    for value in SAATY_SCALE:
        if "/" in value:
            meaning = MEANING.get(value.split("/")[1])
            label = f"{value}（{_('后者')}{meaning}）" if meaning else value
        else:
            meaning = MEANING.get(value)
            label = f"{value}（{_('前者') if value != '1' else ''}{meaning}）" if meaning else value
        choices.append((value, label))
    return choices


class OpenConsultationForm(forms.Form):
    experts = IdsChoiceField(
        label=_("邀请专家"), queryset=Expert.objects.filter(user__isnull=False).order_by("name"),
        widget=forms.CheckboxSelectMultiple, error_messages={
            "required": _("请至少邀请一位专家"), "invalid_choice": _("所选专家不在专家库中或没有评审专家账号"),
            "invalid_pk_value": _("所选专家不在专家库中或没有评审专家账号")})


class JudgementsForm(forms.Form):
    """One select per upper-triangle pair of every matrix; a matrix left blank is saved later."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE, "invalid": STALE, "min_value": STALE})

    def __init__(self, *args, matrices: list[Matrix], judgements: dict[str, list[str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.matrices = matrices
        for matrix in matrices:
            saved = judgements.get(matrix.key) or []
            for n, (i, j) in enumerate(matrix.pairs):
                self.fields[f"{matrix.key}_{i}_{j}"] = forms.ChoiceField(
                    label=f"{matrix.names[i]} / {matrix.names[j]}", choices=scale_choices(), required=False,
                    initial=saved[n] if n < len(saved) else "",
                    error_messages={"invalid_choice": _("“%(a)s”与“%(b)s”的判断不在 1/9 至 9 的标度上")
                                    % {"a": matrix.names[i], "b": matrix.names[j]}})

    def tables(self) -> list[tuple[Matrix, list[tuple[str, object, str]]]]:
        """Per matrix: its rows (row element, select, column element)."""
        return [(m, [(m.names[i], self[f"{m.key}_{i}_{j}"], m.names[j]) for i, j in m.pairs]) for m in self.matrices]

    def clean(self) -> dict:
        data = super().clean()
        judgements = {}
        for matrix in self.matrices:
            values = [data.get(f"{matrix.key}_{i}_{j}") or "" for i, j in matrix.pairs]
            if all(values):
                judgements[matrix.key] = values
            elif any(values):
                self.add_error(None, _("%(matrix)s：请填写全部 %(n)s 个判断（或全部留空，以后再填）")
                               % {"matrix": matrix.title, "n": len(values)})
        data["judgements"] = judgements
        return data
