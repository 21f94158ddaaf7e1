"""Score a decision matrix: weights, normalisation, aggregation, ranks and grades in one call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from jiqun.scoring.aggregate import DEFAULT_NORMALIZATION, IDEALS, METHODS, topsis, weighted_sum
from jiqun.scoring.ahp import AhpResult
from jiqun.scoring.errors import input_error
from jiqun.scoring.hierarchy import AhpHierarchyResult
from jiqun.scoring.matrix import DecisionMatrix
from jiqun.scoring.normalize import Bounds, check_method, normalize, normalize_bounds, oriented_cost
from jiqun.scoring.rank import DEFAULT_DIGITS, check_grades, check_ties, grade, rank
from jiqun.scoring.result import ScoreResult
from jiqun.scoring.weights import OBJECTIVE_METHODS, WeightResult, fixed_weights, objective_weights

WeightsSpec = str | Sequence[float] | np.ndarray | WeightResult | AhpResult | AhpHierarchyResult


def resolve_weights(
    matrix: DecisionMatrix, weights: WeightsSpec, *, entropy_variant: str = "raw"
) -> WeightResult:
    """Return the WeightResult for `weights`: a method name, a vector, or weights derived elsewhere.

    Weights derived elsewhere (AHP, a combination, …) must name exactly the matrix's criteria; they are
    re-ordered to the matrix's order.
    """
    if isinstance(weights, str):
        return objective_weights(matrix, weights, entropy_variant=entropy_variant)
    if isinstance(weights, AhpResult | AhpHierarchyResult):
        weights = weights.to_weights()
    if not isinstance(weights, WeightResult):
        return fixed_weights(weights, matrix.criteria)
    missing = [c for c in matrix.criteria if c not in weights.criteria]
    extra = [c for c in weights.criteria if c not in matrix.criteria]
    if missing or extra:
        name = (missing or extra)[0]
        problem = "has no weight" if missing else "has a weight but is not in the matrix"
        raise input_error(f"criterion {name!r} {problem}", "权重与决策矩阵的指标不一致", criterion=name)
    order = [weights.criteria.index(c) for c in matrix.criteria]
    checked = fixed_weights(weights.weights[order], matrix.criteria)
    return WeightResult(checked.weights, weights.method, matrix.criteria, weights.params, weights.tables)


def score(
    matrix: DecisionMatrix,
    *,
    weights: WeightsSpec,
    method: str = "topsis",
    normalization: str | None = None,
    cost_rule: str | None = None,
    entropy_variant: str = "raw",
    bounds: Bounds | None = None,
    ideal: str = "relative",
    ties: str = "min",
    digits: int = DEFAULT_DIGITS,
    grade_thresholds: Sequence[float] | None = None,
    grade_labels: Sequence[str] | None = None,
) -> ScoreResult:
    """Score and rank the alternatives of `matrix`.

    Parameters
    ----------
    matrix : DecisionMatrix
    weights : str, sequence of float, WeightResult, AhpResult or AhpHierarchyResult
        'equal', 'entropy', 'critic' or 'cv' to derive them from the data; a vector summing to 1; or
        weights derived elsewhere (e.g. :func:`~jiqun.scoring.ahp.ahp`, :func:`combine_weights`).
    method : {'topsis', 'wsum'}
        TOPSIS closeness (Hwang & Yoon 1981) or the weighted sum (simple additive weighting).
    normalization : {'vector', 'minmax', 'sum', 'max', 'zscore'}, optional
        Default 'vector' for TOPSIS (Hwang & Yoon's definition) and 'minmax' for the weighted sum
        (every criterion on [0, 1], so the weights alone set each criterion's influence).
    cost_rule : str, optional
        Default 'none' for TOPSIS (a cost criterion keeps its values and takes its ideal at the
        minimum, as Hwang & Yoon do); for the weighted sum the normalisation's default (see
        :mod:`jiqun.scoring.normalize`).
    entropy_variant : {'raw', 'minmax'}
        Data used by entropy weights (see :func:`entropy_weights`).
    bounds : (lower, upper), optional
        Fixed per-criterion bounds for min-max or max normalisation.
    ideal : {'relative', 'fixed'}
        TOPSIS only. 'relative': ideal and anti-ideal are the best and worst observed values.
        'fixed': they are the bounds (García-Cascales & Lamata 2012), so a score depends only on the
        alternative itself and stays comparable from one year to the next; needs `bounds`.
    ties : {'min', 'dense', 'max', 'ordinal'}
        Tie rule of the ranks; default 'min' (1, 2, 2, 4).
    digits : int
        Scores equal to this many significant digits are tied (default 12).
    grade_thresholds, grade_labels : optional
        Strictly decreasing thresholds and one more label than thresholds (see :func:`grade`).

    Returns
    -------
    ScoreResult
    """
    if method not in METHODS:
        raise input_error(f"unknown method {method!r}; choose topsis or wsum", f"未知的综合方法 {method!r}")
    if ideal not in IDEALS:
        raise input_error(f"unknown ideal {ideal!r}; choose relative or fixed", f"未知的理想解口径 {ideal!r}")
    norm = DEFAULT_NORMALIZATION[method] if normalization is None else normalization
    if cost_rule is None and method == "topsis":
        cost_rule = "none"
    rule = check_method(norm, cost_rule)
    lower_is_better = oriented_cost(matrix.is_cost, rule)
    if method == "wsum" and lower_is_better.any():
        raise matrix.column_error(
            int(np.argmax(lower_is_better)),
            "is a cost criterion, but cost rule 'none' leaves it 'lower is better' and a weighted sum needs "
            "'higher is better'",
            "为成本型指标，加权求和须先将其转为正向",
        )
    if ideal == "fixed" and (method != "topsis" or bounds is None):
        raise input_error(
            "a fixed ideal needs method 'topsis' and bounds", "固定理想解需要 TOPSIS 方法并给出上下限"
        )
    check_ties(ties, digits)
    if (grade_thresholds is None) != (grade_labels is None):
        raise input_error(
            "give both grade thresholds and grade labels, or neither", "等级阈值与等级名称须同时给出"
        )
    if grade_thresholds is not None and grade_labels is not None:
        check_grades(grade_thresholds, grade_labels)
    weight_result = resolve_weights(matrix, weights, entropy_variant=entropy_variant)
    normalized = normalize(matrix, norm, cost_rule=rule, bounds=bounds)
    w = weight_result.weights
    if method == "wsum":
        scores, tables = weighted_sum(normalized, w), {}
    else:
        reference = None
        if ideal == "fixed" and bounds is not None:
            reference = normalize_bounds(matrix, norm, rule, bounds)
        else:
            matrix.require_alternatives(2, "TOPSIS with a relative ideal")
        scores, tables = topsis(normalized, w, lower_is_better, reference)
    ranks = rank(scores, ties=ties, digits=digits)
    grades = None
    if grade_thresholds is not None and grade_labels is not None:
        grades = grade(scores, grade_thresholds, grade_labels, digits=digits)
    params: dict[str, Any] = {
        "method": method,
        "normalization": norm,
        "cost_rule": rule,
        "ideal": ideal,
        "bounds": None if bounds is None else [[float(x) for x in bounds[0]], [float(x) for x in bounds[1]]],
        "ties": ties,
        "digits": digits,
        "grade_thresholds": None if grade_thresholds is None else [float(t) for t in grade_thresholds],
        "grade_labels": None if grade_labels is None else [str(label) for label in grade_labels],
        "weights": weights if isinstance(weights, str) and weights in OBJECTIVE_METHODS else "given",
        "entropy_variant": entropy_variant,
    }
    for array in (normalized, scores, ranks, *tables.values()):
        array.flags.writeable = False
    return ScoreResult(matrix, weight_result, params, normalized, scores, ranks, tables, grades)
