"""Writes of a 赛马 round. Each is atomic, validated, permission-checked and audited.

A call moves along TRANSITIONS, one service per move and one audit entry each: 草拟 → 申报中 → 评审中 → 公示中
→ 已完成, or 已撤销 from the first three. Finalising records the winners' recognition only through the cluster lifecycle services
(`cluster_change_tier`, `cluster_change_status`) with the round as basis.
"""

from jiqun.recognition.services.applications import application_create, figures_draw
from jiqun.recognition.services.attachments import (
    attachment_add,
    attachment_delete,
    attachment_downloaded,
    attachment_refusal,
)
from jiqun.recognition.services.calls import (
    MOVES,
    call_cancel,
    call_close,
    call_create,
    call_finalise,
    call_open,
    call_publicise,
    results_compute,
)
from jiqun.recognition.services.common import TRANSITIONS
from jiqun.recognition.services.experts import (
    assignment_create,
    assignment_refusal,
    conflict_declare,
    expert_create,
    scores_submit,
)
from jiqun.recognition.services.objections import objection_answer, objection_record

__all__ = [
    "MOVES", "TRANSITIONS", "application_create", "attachment_add", "attachment_delete", "attachment_downloaded",
    "attachment_refusal", "call_cancel", "assignment_create", "assignment_refusal", "call_close",
    "call_create", "call_finalise", "call_open", "call_publicise", "conflict_declare", "expert_create",
    "figures_draw", "objection_answer", "objection_record", "results_compute", "scores_submit",
]
