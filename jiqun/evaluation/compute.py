"""The bridge from a run's snapshot to the engine (jiqun.scoring) and back: the matrix the scheme's
missing-data rule makes, the weights its method gives, the scores, ranks, grades and rank stability.

Pure apart from its input: the same snapshot and parameters give the same result bit for bit, which is
what `rerun` checks.
"""

from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import translation

from jiqun.evaluation.cells import cell_value, snapshot_column, subject_cell
from jiqun.evaluation.reasons import INELIGIBLE, MISSING, VETO, failures_text, stored_text
from jiqun.scoring import (
    Scaling,
    ScoreResult,
    ScoringInputError,
    ahp,
    combine_weights,
    decision_matrix,
    fixed_weights,
    objective_weights,
    rank_stability,
    score,
)

STABILITY = {"draws": 1000, "scheme": "multiplicative", "spread": 0.1, "seed": 0}
METHODS = {"weighted_sum": "wsum", "topsis": "topsis"}


class RunInputError(ValueError):
    """The snapshot cannot be scored under the scheme; the message is Chinese and names what and where."""


SUBJECT_FIELDS = ("cluster", "region", "project")  # a snapshot subject's key field, by the run's subject kind


def subject_key(subject: dict) -> int | str:
    """A snapshot subject's key: a cluster's pk, a region's code (a region run) or a project's pk (a project run)."""
    for field in SUBJECT_FIELDS:
        if field in subject:
            return subject[field]
    raise KeyError(SUBJECT_FIELDS)


def subject_ref(subject: dict) -> dict:
    """The subject's key under its own name, as the stored result lists it."""
    field = next(f for f in SUBJECT_FIELDS if f in subject)
    return {field: subject[field]}


def _noun(snapshot: dict) -> str:
    return {"region": "地区", "project": "项目"}.get(snapshot.get("subject_kind", ""), "集群")


def scheme_parameters(scheme) -> dict[str, Any]:
    """Everything about the scheme a run depends on, frozen into the run."""
    return {
        "scheme": scheme.code, "version": scheme.version, "weight_method": scheme.weight_method,
        "combine_alpha": float(scheme.combine_alpha), "normalisation": scheme.normalisation,
        "aggregation": scheme.aggregation, "thresholds": scheme.thresholds, "grade_labels": list(_labels()),
        "missing_rule": scheme.missing_rule, "stability": dict(STABILITY),
        "ahp": scheme.ahp_judgements if scheme.weight_method == "ahp" else None,
        "eligibility": scheme.eligibility, "veto": scheme.veto,
    }


def _ineligible(subject: dict, thresholds: list[dict]) -> str:
    """Why the subject does not meet the scheme's eligibility thresholds, or "" (in the platform's language)."""
    failed = _failures(subject, thresholds)
    if not failed:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return failures_text(failed)


def _failures(subject: dict, thresholds: list[dict]) -> list[dict]:
    """The scheme's eligibility thresholds the subject fails or cannot be judged on (jiqun.evaluation.reasons)."""
    failed = []
    for n, t in enumerate(thresholds):
        stored = subject.get("eligibility", {}).get(str(n))
        # A threshold "in each of the last N years" has one cell per year; each year that fails is named.
        cells = ({y: c for y, c in stored["years"].items()} if stored is not None and "years" in stored
                 else {"": stored})
        for when, cell in cells.items():
            text = None if cell is None else cell_value(cell)
            if text is None:
                failed.append({"kind": "unknown", "year": when, "name": t["name"],
                               "missing": cell["missing"] if cell else ""})
                continue
            value = Decimal(text)
            common = {"year": when, "name": t["name"], "value": str(text), "unit": t["unit"],
                      "clause": t["clause"] or ""}
            if t["min"] is not None and value < Decimal(t["min"]):
                failed.append({"kind": "below", "limit": str(t["min"]), **common})
            elif t["max"] is not None and value > Decimal(t["max"]):
                failed.append({"kind": "above", "limit": str(t["max"]), **common})
    return failed


def _labels() -> tuple[str, ...]:
    from jiqun.evaluation.models import GRADE_LABELS

    return GRADE_LABELS


def _chinese(exc: ScoringInputError) -> str:
    text = str(exc)
    return text.rsplit(" / ", 1)[-1] if " / " in text else text


def _excluded(subject: dict, reason: dict) -> dict:
    """An excluded subject with its reason: the code and parameters, and the text in the platform's language."""
    return {**subject, "reason": stored_text(reason), "reason_code": reason}


def prepare(snapshot: dict[str, Any], params: dict[str, Any]) -> tuple[list[dict], list[dict], np.ndarray, dict]:
    """Apply the missing-data rule: the scored subjects, the excluded ones (with reasons), the matrix, and
    per (subject, criterion) how a missing value was filled."""
    criteria = snapshot["criteria"]
    codes = [c["code"] for c in criteria]
    rule = params["missing_rule"]
    subjects = snapshot["subjects"]
    # Each cell's value read once, a criterion's column at a time (a national run has 15,000 cells).
    columns = [snapshot_column(snapshot, code) for code in codes]
    gaps_of: dict[int, list[dict]] = {}  # subject index → the criteria it has no value of, in criteria order
    for c, column in zip(criteria, columns, strict=True):
        if None not in column:
            continue
        if all(value is None for value in column):
            what = {"registry": "名录数据", "quality": "可评分报表", "project": "项目库数据"}.get(c.get("source"), "省级审核数据")
            raise RunInputError(f"指标“{c['name']}”（{c['code']}）在{snapshot['year']}年没有任何{_noun(snapshot)}的{what}，无法评价")
        for i, value in enumerate(column):
            if value is None:
                gaps_of.setdefault(i, []).append(c)
    scored, excluded, kept = [], [], []
    for i, subject in enumerate(subjects):
        if subject.get("veto"):  # 一票否决: not scored, whatever its figures
            excluded.append(_excluded(subject, {"code": VETO, "hits": subject["veto"]}))
            continue
        refused = _failures(subject, params.get("eligibility") or [])
        if refused:
            excluded.append(_excluded(subject, {"code": INELIGIBLE, "failed": refused}))
            continue
        gaps = gaps_of.get(i)
        if gaps and rule == "excluded":
            excluded.append(_excluded(subject, {"code": MISSING, "gaps": [
                {"name": c["name"], "missing": subject_cell(snapshot, i, c["code"])["missing"]} for c in gaps]}))
        else:
            scored.append(subject)
            kept.append(i)
    if len(scored) < 2:
        raise RunInputError(f"参评{_noun(snapshot)}不足 2 个（共 {len(snapshot['subjects'])} 个，{len(excluded)} 个因缺少数据不参评），无法排名")
    filled: dict[tuple[int, str], str] = {}
    matrix = np.empty((len(scored), len(codes)))
    every = len(kept) == len(subjects)
    for j, (code, all_values) in enumerate(zip(codes, columns, strict=True)):
        column = all_values if every else [all_values[i] for i in kept]
        if None not in column:  # nothing to fill: the column as it is
            matrix[:, j] = list(map(float, column))
            continue
        present = [float(value) for value in column if value is not None]
        mean = sum(present) / len(present) if present else 0.0
        for i, (subject, value) in enumerate(zip(scored, column, strict=True)):
            if value is None:
                matrix[i, j] = 0.0 if rule == "zero" else mean
                filled[(subject_key(subject), code)] = "按零计" if rule == "zero" else f"以 {len(present)} 个{_noun(snapshot)}均值补"
            else:
                matrix[i, j] = float(value)
    return scored, excluded, matrix, filled


def evaluate(snapshot: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Score the snapshot; return the stored result: the engine's result, stability, rows and fills."""
    scored, excluded, values, filled = prepare(snapshot, params)
    criteria = snapshot["criteria"]
    codes = [c["code"] for c in criteria]
    try:
        matrix = decision_matrix(values, alternatives=[str(subject_key(s)) for s in scored], criteria=codes,
                                 directions=[c["direction"] for c in criteria],
                                 labels=[c["name"] for c in criteria])
        fixed = fixed_weights([float(c["weight"]) for c in criteria], codes)
        method = params["weight_method"]
        if method == "fixed":
            weights: Any = fixed
        elif method == "ahp" and isinstance(params["ahp"], dict):  # two-level: from an experts' consultation
            from jiqun.evaluation.ahp_matrices import stored_hierarchy

            weights = stored_hierarchy(params["ahp"])
        elif method == "ahp":  # one matrix over every indicator, from a YAML pack
            weights = ahp(params["ahp"], names=codes).to_weights()
        elif method == "combined":
            weights = combine_weights(fixed, objective_weights(matrix, "entropy"), alpha=params["combine_alpha"])
        else:
            weights = method
        result = score(matrix, weights=weights, method=METHODS[params["aggregation"]],
                       normalization=params["normalisation"],
                       grade_thresholds=[t / 100 for t in params["thresholds"]],
                       grade_labels=params["grade_labels"])
        stability = rank_stability(result, **params["stability"])
    except ScoringInputError as exc:
        names = {str(subject_key(s)): s["name"] for s in scored}
        message = _chinese(exc)
        where = "、".join(x for x in (names.get(exc.alternative or ""), dict(zip(codes, [c["name"] for c in criteria], strict=True)).get(exc.criterion or "")) if x)
        raise RunInputError(f"{where + '：' if where else ''}{message}") from None
    engine = result.to_dict(derived=False)
    # Nor the input matrix itself: it is the snapshot's values under the missing-data rule, which `prepare` makes
    # again bit for bit (`engine_input`), as a rerun does; a national run's 15,000 floats, 0.15 MB of JSON.
    engine["matrix"] = {key: value for key, value in engine["matrix"].items() if key != "values"}
    stored = {
        # Without the tables derived from the input bit for bit (normalised and weighted matrices, entropy's
        # proportions): three quarters of the engine's numbers, rebuilt by `normalized_row` and `engine_result`.
        "engine": engine,
        "stability": stability.to_dict(),
        "excluded": [{**subject_ref(s), "name": s["name"], "reason": s["reason"], "reason_code": s["reason_code"],
                      **({"veto": s["veto"]} if s.get("veto") else {})} for s in excluded],
        "filled": [{(snapshot.get("subject_kind") if snapshot.get("subject_kind") in SUBJECT_FIELDS else "cluster"): k[0], "indicator": k[1],
                    "how": v} for k, v in sorted(filled.items())],
    }
    if snapshot.get("bonus"):
        from jiqun.evaluation.bonus_points import bonus_apply

        stored["bonus"] = bonus_apply(snapshot, scored, result, params)
    return stored


def outcome(result: dict[str, Any]) -> dict[str, list]:
    """The comparable part of a result: scores, ranks and grades per cluster, and rank intervals."""
    engine, stability = result["engine"], result["stability"]
    final = result.get("bonus") or {**engine, **stability}  # with bonus items, the totals decide
    compared = {
        "alternatives": engine["matrix"]["alternatives"] if "alternatives" in engine["matrix"] else [],
        "scores": final["scores"], "ranks": final["ranks"], "grades": final["grades"],
        "rank_min": final["rank_min"], "rank_max": final["rank_max"],
        "excluded": [subject_key(e) for e in result["excluded"]],
    }
    if result.get("bonus"):
        compared["bonus"] = result["bonus"]["points"]
    return compared


def engine_input(result: dict[str, Any], snapshot: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The stored engine result with its input matrix: as stored by an older run, else made again from the run's
    snapshot and parameters by `prepare`, as the engine was given it."""
    engine = result["engine"]
    if "values" in engine["matrix"]:
        return engine
    values = prepare(snapshot, params)[2]
    return {**engine, "matrix": {**engine["matrix"], "values": values.tolist()}}


def engine_result(result: dict[str, Any], snapshot: dict[str, Any], params: dict[str, Any]) -> ScoreResult:
    """The engine's result as it was computed, from what a run stored."""
    return ScoreResult.from_dict(engine_input(result, snapshot, params))


def normalized_row(engine: dict[str, Any], i: int) -> list[float]:
    """Row `i` of the engine's normalised matrix (`engine` as `engine_input` gives it): as stored by an older run,
    else rebuilt from the input and the normalisation's column statistics (element by element, so bit for bit what
    the engine used)."""
    if "normalized" in engine:
        return engine["normalized"][i]
    row = np.array([engine["matrix"]["values"][i]], dtype=np.float64)
    return Scaling.from_dict(engine["normalization"]).apply(row)[0].tolist()
