"""The dispatch page's form: the figure, the progress, the stage reached and the new constraints (rows c-N-…)."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.core.forms import TextRuleMixin
from jiqun.monitoring.forms import UploadForm
from jiqun.projects.dispatch_checks import COLUMNS, next_stage
from jiqun.projects.models import ConstraintKind, Stage

CONSTRAINT_ROWS = 5  # at most this many new constraints a quarter from the page; more by Excel or the API


class DispatchForm(TextRuleMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    completed_ytd = forms.DecimalField(label=COLUMNS["completed_ytd"], required=False, min_value=0,
                                       max_digits=14, decimal_places=2)
    progress = forms.CharField(label=COLUMNS["progress"], required=False, widget=forms.Textarea(attrs={"rows": 3}))
    stage_to = forms.ChoiceField(label=COLUMNS["stage_to"], required=False)
    stage_on = forms.DateField(label=COLUMNS["stage_on"], required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    stage_evidence = forms.CharField(label=COLUMNS["stage_evidence"], required=False, max_length=200)

    def __init__(self, *args, dispatch, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        following = next_stage(dispatch.project.stage)
        choices = [("", gettext_lazy("（本季度未达到新阶段）"))]
        if following:
            choices.append((following, labels[following]))
        if dispatch.stage_to and dispatch.stage_to != following:
            choices.append((dispatch.stage_to, labels.get(dispatch.stage_to, dispatch.stage_to)))
        self.fields["stage_to"].choices = choices
        self.constraint_rows = self._constraint_rows(dispatch)

    def _constraint_rows(self, dispatch) -> list[dict]:
        """The rows shown: the constraints on file (or as posted) and blank ones up to CONSTRAINT_ROWS."""
        if self.is_bound:
            rows = [{key: self.data.get(f"c-{n}-{key}", "") for key in ("kind", "description", "responsible_unit",
                                                                         "deadline")}
                    for n in range(CONSTRAINT_ROWS)]
        else:
            rows = [dict(entry, deadline=entry.get("deadline") or "") for entry in dispatch.new_constraints]
            rows += [{"kind": "", "description": "", "responsible_unit": "", "deadline": ""}
                     for _n in range(max(CONSTRAINT_ROWS - len(rows), 1))]
        return [dict(row, n=n) for n, row in enumerate(rows)]

    def clean(self) -> dict:
        data = super().clean()
        constraints = []
        for row in self.constraint_rows:
            if not any(str(row[key]).strip() for key in ("kind", "description", "responsible_unit", "deadline")):
                continue
            deadline = str(row["deadline"]).strip()
            if deadline:
                try:
                    datetime.date.fromisoformat(deadline)
                except ValueError:
                    self.add_error(None, _("新增要素制约第 %(n)s 条：解决时限“%(value)s”不是日期（如 2026-09-30）")
                                   % {"n": row["n"] + 1, "value": deadline})
            constraints.append({key: str(row[key]) for key in ("kind", "description", "responsible_unit", "deadline")})
        data["new_constraints"] = constraints
        return data

    def save_arguments(self) -> dict:
        data = self.cleaned_data
        return {"base_version": data["version"], "completed_ytd": data["completed_ytd"], "progress": data["progress"],
                "stage_to": data["stage_to"], "stage_on": data["stage_on"], "stage_evidence": data["stage_evidence"],
                "new_constraints": data["new_constraints"]}


CONSTRAINT_KINDS = ConstraintKind.choices


class DispatchUploadForm(UploadForm):
    file = forms.FileField(label=gettext_lazy("填好的项目调度表（.xlsx）"))
