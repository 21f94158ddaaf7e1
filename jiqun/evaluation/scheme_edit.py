"""Copying and editing a scheme version in the platform, and exporting it as a YAML pack.

A copy is the next free version of the same code (复制为新版本) or version 1 of a new code (另存为新方案), an
unlocked draft. An edit is checked by the YAML loader's own rules (jiqun.evaluation.packs): the scheme is
turned into pack data, the edit applied, and the result parsed as a pack would be, so a scheme edited here
can always be exported and shipped. A locked version refuses every edit; `revision` refuses a stale one.
"""

import re
from decimal import Decimal
from typing import Any

import numpy as np
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.stale import ChangeSince, stale_edit, version_missing
from jiqun.evaluation.models import Scheme, SchemeItem
from jiqun.evaluation.packs import SchemeSpec, _content_problems, _entry, _message, _text_problems
from jiqun.evaluation.permissions import can_edit_scheme

# The fields an edit may change; the rest (code, version, programme, indicators, eligibility, consequences)
# make a different scheme and are changed in its pack.
SCHEME_FIELDS = ("name", "weight_method", "combine_alpha", "normalisation", "aggregation", "grades",
                 "missing_rule", "weights_note", "clause")
ITEM_FIELDS = ("weight", "direction", "label", "clause")
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def _require(actor) -> None:
    if actor is not None and not can_edit_scheme(actor):
        raise PermissionDenied(_("只有省级管理员可以复制和修改评价方案"))


def _number(value: Decimal) -> float | int:
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def ahp_as_matrix(scheme: Scheme) -> list[list[float]] | None:
    """The scheme's AHP judgements as one matrix over its items: the pack's own list, or for a two-level
    form from a consultation the consistent matrix w_i / w_j of its global weights (same weights, CR 0)."""
    stored = scheme.ahp_judgements
    if stored is None:
        return None
    if isinstance(stored, list):
        return stored
    from jiqun.evaluation.ahp_matrices import stored_hierarchy

    result = stored_hierarchy(stored)
    weights = dict(zip(result.leaves, result.global_weights.tolist(), strict=True))
    w = np.array([weights.get(item.code, 0.0) for item in scheme.items.order_by("order")])
    if (w <= 0).any():
        return None
    return (w[:, None] / w[None, :]).round(6).tolist()


def pack_data(scheme: Scheme) -> dict[str, Any]:
    """The scheme version as the data of a YAML pack (the format of jiqun/evaluation/schemes/*.yaml)."""
    data: dict[str, Any] = {
        "code": scheme.code, "version": scheme.version, "name": scheme.name, "programme": scheme.programme.code,
        "subject_kind": scheme.subject_kind, "weight_method": scheme.weight_method,
    }
    if scheme.weight_method == "ahp":
        data["ahp"] = ahp_as_matrix(scheme)
    if scheme.weight_method == "combined":
        data["combine_alpha"] = _number(scheme.combine_alpha)
    data.update({
        "normalisation": scheme.normalisation, "aggregation": scheme.aggregation,
        "grades": {"优秀": _number(scheme.grade_excellent), "良好": _number(scheme.grade_good),
                   "合格": _number(scheme.grade_pass)},
        "missing_rule": scheme.missing_rule, "clause": scheme.clause, "weights_note": scheme.weights_note,
        "description": scheme.description,
        "items": [{k: v for k, v in {
            "code": item.code if item.code != item.indicator.code else None, "dimension": item.dimension,
            "indicator": item.indicator.code, "params": item.params or None, "label": item.label or None,
            "direction": item.direction, "weight": _number(item.weight), "clause": item.clause}.items()
            if v is not None} for item in scheme.items.select_related("indicator").order_by("order")],
    })
    if scheme.eligibility:
        data["eligibility"] = [{k: v for k, v in {
            "indicator": t["indicator"], "params": t.get("params") or None,
            "min": None if t["min"] is None else _number(Decimal(t["min"])),
            "max": None if t["max"] is None else _number(Decimal(t["max"])), "clause": t["clause"]}.items()
            if v is not None} for t in scheme.eligibility]
    if scheme.regions:
        data["regions"] = dict(scheme.regions)
    if scheme.projects:
        data["projects"] = {k: v for k, v in scheme.projects.items() if v}
    if scheme.bonus:
        data["bonus"] = [{k: (_number(Decimal(v)) if k in ("points", "cap") else
                              {rk: rv for rk, rv in v.items() if rv} if k == "projects" else v)
                          for k, v in item.items()} for item in scheme.bonus.get("items", [])]
        if scheme.bonus.get("may_exceed_100"):
            data["bonus_may_exceed_100"] = True
    if scheme.warn_grade:
        data["consequences"] = {k: v for k, v in {"warn_grade": scheme.warn_grade, "exit_after": scheme.exit_after,
                                                  "clause": scheme.consequences_clause}.items() if v is not None}
    return data


def scheme_yaml(scheme: Scheme) -> str:
    """The scheme version as a YAML pack that `jiqun evaluate load` accepts."""
    head = [f"# {scheme.name}（第{scheme.version}版），由平台导出。"]
    if scheme.weight_method == "ahp" and isinstance(scheme.ahp_judgements, dict):
        head.append(f"# 层次分析法权重来自专家征询 #{scheme.ahp_judgements.get('consultation', '')}（几何平均集结，"
                    f"集结后 CR = {scheme.ahp_cr}）；下面的判断矩阵 a_ij = w_i / w_j 给出相同的全局权重。")
    body = yaml.safe_dump(pack_data(scheme), allow_unicode=True, sort_keys=False, width=120)
    return "\n".join(head) + "\n" + body


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The YAML loader's problems with pack data (empty when it would load)."""
    problems = _text_problems(data, ())
    if problems:
        return problems
    try:
        spec = SchemeSpec.model_validate(data)
    except PydanticError as exc:
        return [(_entry(tuple(e["loc"]), data), _message(e)) for e in exc.errors()]
    return _content_problems(spec)


def _field_of(entry: str) -> str:
    top = entry.split(".", 1)[0]
    if top in SCHEME_FIELDS or top == "combine_alpha":
        return top
    if top == "ahp":
        return "weight_method"
    return "items" if entry.startswith(("第", "items")) else "__all__"


def _refuse_locked(scheme: Scheme) -> None:
    if scheme.locked:
        raise ValidationError(_("评价方案“%(code)s”第%(v)s版已被发布的评价使用，不能修改；请先“复制为新版本”，再修改副本")
                              % {"code": scheme.code, "v": scheme.version}, code="locked")


@transaction.atomic
def scheme_copy(*, actor, scheme: Scheme, code: str = "") -> Scheme:
    """Copy a version as an unlocked draft: the next free version of its code, or version 1 of `code`."""
    _require(actor)
    code = (code or "").strip()
    if code and (not re.fullmatch(CODE_PATTERN, code) or len(code) > 60):
        raise ValidationError({"code": [_("新方案编码“%(code)s”只能由小写字母、数字和连字符组成（60 个字符以内）")
                                        % {"code": code}]})
    if code and code != scheme.code and Scheme.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("方案编码“%(code)s”已存在；复制为该方案的新版本请在该方案页面操作")
                                        % {"code": code}]})
    target = code or scheme.code
    highest = Scheme.objects.select_for_update().filter(code=target).aggregate(v=Max("version"))["v"] or 0
    items = list(scheme.items.order_by("order"))
    copy = Scheme.objects.get(pk=scheme.pk)
    copy.pk, copy._state.adding = None, True
    copy.code, copy.version = target, highest + 1
    copy.locked, copy.pack_hash, copy.revision = False, "", 1
    copy.full_clean()
    copy.save()
    for item in items:
        item.pk, item._state.adding, item.scheme = None, True, copy
        item.full_clean()
        item.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=copy,
                 after={"copied_from": f"{scheme.code} v{scheme.version}", "code": copy.code,
                        "version": copy.version, "items": len(items), "revision": copy.revision})
    return copy


def _current(scheme: Scheme) -> dict[str, Any]:
    return {"name": scheme.name, "weight_method": scheme.weight_method, "combine_alpha": str(scheme.combine_alpha),
            "normalisation": scheme.normalisation, "aggregation": scheme.aggregation,
            "grades": {"优秀": str(scheme.grade_excellent), "良好": str(scheme.grade_good), "合格": str(scheme.grade_pass)},
            "missing_rule": scheme.missing_rule, "weights_note": scheme.weights_note, "clause": scheme.clause,
            "items": {i.code: {"weight": str(i.weight), "direction": i.direction, "label": i.label, "clause": i.clause}
                      for i in scheme.items.order_by("order")}}


def _request_errors(locked: Scheme, changes: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with the shape of an edit, before the loader's rules: unknown fields and item codes."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(changes) - set(SCHEME_FIELDS) - {"combine_alpha", "items", "add", "remove"})
    if unknown:
        errors["__all__"] = [_("不能修改的字段：%(names)s") % {"names": "、".join(unknown)}]
    known_items = set(locked.items.values_list("code", flat=True))
    items = changes.get("items") or {}
    if not isinstance(items, dict):
        errors["items"] = [_("items 应为“指标编码 → 修改内容”的键值表")]
        items = {}
    for code, item in items.items():
        if code not in known_items:
            errors.setdefault("items", []).append(_("方案中没有指标“%(code)s”") % {"code": code})
        elif not isinstance(item, dict) or set(item) - set(ITEM_FIELDS):
            errors.setdefault("items", []).append(_("指标“%(code)s”只能修改 权重、方向、显示名称、依据") % {"code": code})
    remove = changes.get("remove") or []
    if not isinstance(remove, list) or any(code not in known_items for code in remove):
        errors.setdefault("remove", []).append(_("要删除的指标不在方案中：%(codes)s") % {
            "codes": "、".join(str(c) for c in (remove if isinstance(remove, list) else [remove]) if c not in known_items)})
    add = changes.get("add") or []
    if not isinstance(add, list) or not all(isinstance(a, dict) for a in add):
        errors.setdefault("add", []).append(_("add 应为新增指标的列表（indicator、dimension、weight 等）"))
    return errors


def _edited_data(locked: Scheme, changes: dict[str, Any]) -> dict[str, Any]:
    """The version's pack data with the edit applied, ready for the loader's checks."""
    data = pack_data(locked)
    data.update({k: v for k, v in changes.items() if k not in ("items", "add", "remove")})
    if data["weight_method"] == "ahp" and not data.get("ahp"):
        data["ahp"] = ahp_as_matrix(locked)
    if data["weight_method"] != "ahp":
        data.pop("ahp", None)
    items = changes.get("items") or {}
    remove = set(changes.get("remove") or [])
    data["items"] = [row for row in data["items"] if (row.get("code") or row["indicator"]) not in remove]
    for row in data["items"]:
        row.update(items.get(row.get("code") or row["indicator"], {}))
    data["items"] += [dict(a) for a in changes.get("add") or []]
    return data


def _structure_problems(locked: Scheme, data: dict[str, Any], changes: dict[str, Any]) -> list[tuple[str, str]]:
    """Adding or removing indicators is refused while experts are consulted, and under AHP weights (whose
    judgements were made on the old indicators)."""
    if not (changes.get("add") or changes.get("remove")):
        return []
    from jiqun.evaluation.models import ConsultationStatus

    if locked.ahp_consultations.filter(status=ConsultationStatus.OPEN).exists():
        return [("items", _("该版本有进行中的层次分析法征询，不能增删指标；请先结束征询"))]
    if data["weight_method"] == "ahp":
        return [("weight_method", _("增删指标后原有的层次分析法判断不再适用：请改用其他赋权方法，增删后再开展征询"))]
    return []


def _places(value: object) -> int:
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except ArithmeticError:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _places_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The decimal places the scheme's columns keep: weights 4, α 3, grade lines 2."""
    problems = [(f"第{n}项指标（{row['indicator']}）.weight", _("权重最多保留四位小数"))
                for n, row in enumerate(data["items"], start=1) if _places(row.get("weight")) > 4]
    if _places(data.get("combine_alpha", 0)) > 3:
        problems.append(("combine_alpha", _("主观权重占比 α 最多保留三位小数")))
    problems += [("grades", _("%(grade)s线最多保留两位小数") % {"grade": g})
                 for g, v in (data.get("grades") or {}).items() if _places(v) > 2]
    return problems


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, changes: dict[str, Any], base_revision: int | None) -> Scheme:
    """Edit an unlocked version: `changes` holds any of SCHEME_FIELDS (grades as {优秀, 良好, 合格}), `items`
    as {item code: {weight, direction, label, clause}}, `remove` (item codes) and `add` (new items as in a
    pack: indicator, dimension, weight, direction, label, clause, code); checked by the YAML loader's rules."""
    _require(actor)
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _refuse_locked(locked)
    errors = _request_errors(locked, changes)
    if errors:
        raise ValidationError(errors)
    if base_revision is None:
        raise version_missing(kind=_("评价方案"))
    if base_revision != locked.revision:
        raise _stale(locked, base_revision)
    data = _edited_data(locked, changes)
    problems = _structure_problems(locked, data, changes) or _problems(data) or _places_problems(data)
    if data["weight_method"] == "ahp" and data.get("ahp") is None:
        problems = [p for p in problems if p[0] != "ahp"] + [("weight_method", _(
            "层次分析法的权重来自专家判断：请先开展“层次分析法征询”并结束，或在数据包中给出判断矩阵"))]
    if problems:
        found: dict[str, list[str]] = {}
        for entry, reason in problems:
            found.setdefault(_field_of(entry), []).append(f"{entry}：{reason}")
        raise ValidationError(found)
    spec = SchemeSpec.model_validate(data)
    before = _current(locked)
    locked.name, locked.weight_method, locked.combine_alpha = spec.name, spec.weight_method, spec.combine_alpha
    locked.normalisation, locked.aggregation, locked.missing_rule = spec.normalisation, spec.aggregation, spec.missing_rule
    locked.grade_excellent, locked.grade_good, locked.grade_pass = (
        spec.grades["优秀"], spec.grades["良好"], spec.grades["合格"])
    locked.weights_note, locked.clause = spec.weights_note, spec.clause
    if changes.get("add") or changes.get("remove"):  # the old judgements no longer fit (see _structure_problems)
        locked.ahp_judgements, locked.ahp_cr = None, None
    locked.revision += 1
    locked.full_clean()
    locked.save()
    _items_write(locked, spec)
    after = _current(locked)
    changed = {k for k in after if before[k] != after[k]}
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked,
                 before={**{k: before[k] for k in changed}, "revision": base_revision},
                 after={**{k: after[k] for k in changed}, "revision": locked.revision})
    return locked


def _items_write(scheme: Scheme, spec: SchemeSpec) -> None:
    """Make the version's items those of `spec`, in its order: update kept ones, delete removed, add new."""
    from jiqun.programmes.models import Indicator

    wanted = {(s.code or s.indicator): s for s in spec.items}
    scheme.items.exclude(code__in=list(wanted)).delete()
    existing = {item.code: item for item in scheme.items.all()}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[s.indicator for s in spec.items])}
    for order, (code, s) in enumerate(wanted.items(), start=1):
        item = existing.get(code) or SchemeItem(scheme=scheme, code=code, dimension=s.dimension,
                                                indicator=indicators[s.indicator], params=s.params)
        item.order, item.weight, item.direction, item.label, item.clause = order, s.weight, s.direction, s.label, s.clause
        item.full_clean()
        item.save()


def _stale(scheme: Scheme, base_revision: int):
    """The refusal of an edit based on an older revision, naming who changed it since (from the audit log)."""
    from jiqun.audit.models import AuditEvent

    events = AuditEvent.objects.filter(object_type=scheme._meta.label_lower, object_id=str(scheme.pk),
                                       action=AuditAction.UPDATE, after__revision__gt=base_revision).order_by("id")
    labels = {"name": _("名称"), "weight_method": _("赋权方法"), "combine_alpha": _("主观权重占比"),
              "normalisation": _("标准化方法"), "aggregation": _("综合方法"), "grades": _("等级分数线"),
              "missing_rule": _("缺失数据规则"), "weights_note": _("权重说明"), "clause": _("依据"), "items": _("指标")}
    labels["pack_hash"] = _("数据包")
    changes = [ChangeSince(e.at, e.actor_name, tuple(str(labels[k]) for k in (e.after or {}) if k in labels))
               for e in events]
    return stale_edit(kind=_("评价方案"), changes=changes)
