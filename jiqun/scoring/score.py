"""Score a decision matrix: weights, normalisation, aggregation, ranks and grades in one call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from jiqun.scoring.aggregate import (
    DEFAULT_NORMALIZATION,
    IDEALS,
    METHODS,
    closeness,
    reference_points,
    topsis_distances,
)
from jiqun.scoring.ahp import AhpResult
from jiqun.scoring.errors import input_error
from jiqun.scoring.hierarchy import AhpHierarchyResult
from jiqun.scoring.matrix import DecisionMatrix
from jiqun.scoring.normalize import Bounds, Scaling, check_method, fit, oriented_cost
from jiqun.scoring.rank import DEFAULT_DIGITS, check_grades, check_ties, grade, rank
from jiqun.scoring.result import ScoreResult
from jiqun.scoring.weights import OBJECTIVE_METHODS, WeightResult, fixed_weights, objective_weights

# Rows per block × criteria: blocks of about 64k values stay in the processor's cache, and the full
# normalised matrix is never held beside the input (a result rebuilds it exactly when it is asked for).
BLOCK_ELEMENTS = 1 << 16

WeightsSpec = str | Sequence[float] | np.ndarray | WeightResult | AhpResult | AhpHierarchyResult


def resolve_weights(
    matrix: DecisionMatrix, weights: WeightsSpec | None, *, entropy_variant: str = "raw"
) -> WeightResult:
    """Return the WeightResult for `weights`: a method name, a vector, or weights derived elsewhere.

    Weights derived elsewhere (AHP, a combination, …) must name exactly the matrix's criteria; they are
    re-ordered to the matrix's order. None takes the weights that came with the matrix.
    """
    if weights is None:
        if matrix.weights is None:
            raise input_error(
                "no weights: give weights, or a decision matrix that carries them",
                "未给出权重：请指定权重或赋权方法",
            )
        return fixed_weights(matrix.weights, matrix.criteria)
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
    weights: WeightsSpec | None = None,
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
    weights : str, sequence of float, WeightResult, AhpResult or AhpHierarchyResult, optional
        'equal', 'entropy', 'critic' or 'cv' to derive them from the data; a vector summing to 1; or
        weights derived elsewhere (e.g. :func:`~jiqun.scoring.ahp.ahp`, :func:`combine_weights`).
        Default: the weights that came with the matrix.
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
    scaling = fit(matrix, norm, cost_rule=rule, bounds=bounds)
    if method == "wsum":
        scores, tables = _weighted_sum_by_block(matrix, scaling, weight_result.weights), {}
    else:
        if ideal == "relative":
            matrix.require_alternatives(2, "TOPSIS with a relative ideal", "TOPSIS（相对理想解）")
        scores, tables = _topsis_by_block(matrix, scaling, weight_result.weights, lower_is_better, ideal)
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
    for array in (scores, ranks, *tables.values()):
        array.flags.writeable = False
    return ScoreResult(
        matrix=matrix,
        weights=weight_result,
        params=params,
        scaling=scaling,
        scores=scores,
        ranks=ranks,
        tables=tables,
        grades=grades,
    )


def row_blocks(m: int, n: int) -> Iterator[slice]:
    """Yield slices of rows of about BLOCK_ELEMENTS values each."""
    step = max(1, BLOCK_ELEMENTS // n)
    for start in range(0, m, step):
        yield slice(start, min(start + step, m))


def _weighted_sum_by_block(matrix: DecisionMatrix, scaling: Scaling, weights: np.ndarray) -> np.ndarray:
    """Return S_i = Σ_j w_j r_ij, normalising one block of rows at a time."""
    scores = np.empty(matrix.shape[0])
    for rows in row_blocks(*matrix.shape):
        np.matmul(scaling.apply(matrix.values[rows]), weights, out=scores[rows])
    return scores


def _topsis_by_block(
    matrix: DecisionMatrix,
    scaling: Scaling,
    weights: np.ndarray,
    lower_is_better: np.ndarray,
    ideal: str,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return TOPSIS closeness and its tables (see :func:`~jiqun.scoring.aggregate.topsis`), by block."""
    best, worst = reference_points(scaling.extremes(matrix, fixed=ideal == "fixed"), lower_is_better)
    ideal_point, anti_ideal = best * weights, worst * weights
    m = matrix.shape[0]
    d_plus, d_minus = np.empty(m), np.empty(m)
    for rows in row_blocks(*matrix.shape):
        d_plus[rows], d_minus[rows] = topsis_distances(
            scaling.apply(matrix.values[rows]), weights, ideal_point, anti_ideal
        )
    tables = {
        "ideal": ideal_point,
        "anti_ideal": anti_ideal,
        "distance_to_ideal": d_plus,
        "distance_to_anti_ideal": d_minus,
    }
    return closeness(d_plus, d_minus), tables
