"""Normalisation of a decision matrix: vector, min-max, sum, max and z-score, each with a named cost rule.

A *cost rule* says how a cost criterion (lower is better) is turned around:

``complement``  r' = 1 − r. For min-max this is (max − x)/(max − min).
``reciprocal``  normalise 1/x instead of x. For max: min(x)/x (Hwang & Yoon's linear scale
                transformation); for sum: (1/x)/Σ(1/x).
``negate``      z' = −z (z-score only; the z-score of −x).
``none``        keep the orientation; the aggregation handles the direction (TOPSIS takes the
                minimum as the ideal of a cost criterion, as in Hwang & Yoon 1981).

References
----------
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and Applications.*
Springer (Lecture Notes in Economics and Mathematical Systems 186), normalisation in ch. III.
Jahan, A. & Edwards, K. L. (2015). A state-of-the-art survey on the influence of normalization
techniques in ranking. *Materials & Design* 65, 335–342.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jiqun.scoring.errors import input_error
from jiqun.scoring.matrix import DecisionMatrix

NORMALIZATIONS = ("vector", "minmax", "sum", "max", "zscore")

# The default turns every criterion into "higher is better", as a weighted sum needs.
DEFAULT_COST_RULE = {
    "vector": "complement",
    "minmax": "complement",
    "sum": "reciprocal",
    "max": "reciprocal",
    "zscore": "negate",
}
COST_RULES = {
    "vector": ("complement", "reciprocal", "none"),
    "minmax": ("complement", "none"),
    "sum": ("reciprocal", "complement", "none"),
    "max": ("reciprocal", "complement", "none"),
    "zscore": ("negate", "none"),
}
# Normalisations whose parameters can be fixed in advance, so a score no longer depends on the others.
BOUNDED = ("minmax", "max")

Bounds = tuple[Sequence[float], Sequence[float]]

_NAMES_ZH = {
    "vector": "向量归一化",
    "minmax": "极差标准化",
    "sum": "比重归一化",
    "max": "极大值归一化",
    "zscore": "Z-score 标准化",
}


def check_method(method: str, cost_rule: str | None) -> str:
    """Return the cost rule to use (the default when None), raising on an unknown name."""
    if method not in NORMALIZATIONS:
        raise input_error(
            f"unknown normalisation {method!r}; choose one of {', '.join(NORMALIZATIONS)}",
            f"未知的标准化方法 {method!r}",
        )
    rule = DEFAULT_COST_RULE[method] if cost_rule is None else cost_rule
    if rule not in COST_RULES[method]:
        raise input_error(
            f"cost rule {rule!r} does not apply to {method} normalisation; choose one of "
            f"{', '.join(COST_RULES[method])}",
            f"{_NAMES_ZH[method]}不支持成本型处理方式 {rule!r}",
        )
    return rule


def oriented_cost(is_cost: np.ndarray, cost_rule: str) -> np.ndarray:
    """Return the criteria that are still "lower is better" after normalising with `cost_rule`."""
    return is_cost & (cost_rule == "none")


def _bounds_arrays(matrix: DecisionMatrix, method: str, bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    if method not in BOUNDED:
        raise input_error(
            f"fixed bounds need a normalisation that does not depend on the other alternatives "
            f"({' or '.join(BOUNDED)}), not {method}",
            f"固定上下限只能用于极差标准化或极大值归一化，不能用于{_NAMES_ZH[method]}",
        )
    lower = np.asarray(bounds[0], dtype=np.float64)
    upper = np.asarray(bounds[1], dtype=np.float64)
    n = matrix.shape[1]
    if lower.shape != (n,) or upper.shape != (n,):
        raise input_error(
            f"bounds need one lower and one upper value per criterion ({n})",
            f"上下限需为每个指标各给一个（共 {n} 个）",
        )
    for j in range(n):
        if not (np.isfinite(lower[j]) and np.isfinite(upper[j]) and lower[j] < upper[j]):
            raise matrix.column_error(
                j, f"bounds ({lower[j]:g}, {upper[j]:g}) need lower < upper", "下限须小于上限"
            )
    if ((matrix.column_min < lower) | (matrix.column_max > upper)).any():
        i, j = np.argwhere((matrix.values < lower) | (matrix.values > upper))[0]
        raise matrix.cell_error(
            i,
            j,
            f"value {matrix.values[i, j]:g} lies outside the fixed bounds [{lower[j]:g}, {upper[j]:g}]; widen them",
            "取值超出固定上下限，请放宽上下限",
        )
    return lower, upper


def _validate(matrix: DecisionMatrix, method: str, rule: str, lower: np.ndarray | None) -> None:
    name = f"{method} normalisation"
    cost = matrix.is_cost
    bounded = lower is not None
    if method in ("vector", "sum", "max"):
        # Ratio-scale normalisations: a negative value or a zero column has no meaning.
        matrix.require_nonnegative(name)
        if rule == "reciprocal":
            matrix.require_positive(f"{name} with the reciprocal cost rule", columns=cost)
        if lower is not None:
            need_positive = cost & (rule == "reciprocal")
            bad = (lower < 0) | (need_positive & (lower <= 0))
            if bad.any():
                j = int(np.argmax(bad))
                raise matrix.column_error(
                    j, f"lower bound {lower[j]:g} is too small for {name}", "下限过小（须非负，倒数法须为正）"
                )
        if not bounded:
            zero = matrix.column_max == 0
            if zero.any():
                j = int(np.argmax(zero))
                raise matrix.column_error(
                    j,
                    f"every value is 0, so {name} divides by zero",
                    f"所有值均为 0，无法{_NAMES_ZH[method]}",
                )
    elif method == "zscore":
        matrix.require_alternatives(2, name)
        matrix.require_varying(name)
    elif not bounded:
        matrix.require_varying(name)


def _kernel(
    x: np.ndarray, cost: np.ndarray, method: str, rule: str, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Normalise the columns of `x`, with `lower`/`upper` the column extremes or the fixed bounds."""
    flip = cost if rule != "none" else np.zeros_like(cost)
    if method == "minmax":
        # One new array, then in place: (x − lo)/(hi − lo), or (hi − x)/(hi − lo) for a reflected cost.
        out = x - np.where(flip, upper, lower)
        out *= np.where(flip, -1.0, 1.0) / (upper - lower)
        return out
    if method == "zscore":
        out = x - x.mean(axis=0)
        out /= x.std(axis=0, ddof=1)
        if flip.any():
            out[:, flip] *= -1.0
        return out
    if method == "vector":
        out = x / np.sqrt(np.einsum("ij,ij->j", x, x))
    elif method == "sum":
        out = x / x.sum(axis=0)
    else:  # max
        out = x / upper
    if not flip.any():
        return out
    if rule == "complement":
        out[:, flip] = 1.0 - out[:, flip]
    else:  # reciprocal
        inv = 1.0 / x[:, flip]
        if method == "vector":
            out[:, flip] = inv / np.sqrt(np.einsum("ij,ij->j", inv, inv))
        elif method == "sum":
            out[:, flip] = inv / inv.sum(axis=0)
        else:
            out[:, flip] = inv * lower[flip]
    return out


def normalize(
    matrix: DecisionMatrix,
    method: str = "vector",
    *,
    cost_rule: str | None = None,
    bounds: Bounds | None = None,
) -> np.ndarray:
    """Return the normalised matrix (a new array; the input is not modified).

    Parameters
    ----------
    matrix : DecisionMatrix
    method : {'vector', 'minmax', 'sum', 'max', 'zscore'}
        ``vector``  r = x / √Σx² (Hwang & Yoon 1981, the TOPSIS normalisation).
        ``minmax``  r = (x − min)/(max − min).
        ``sum``     r = x / Σx.
        ``max``     r = x / max (Hwang & Yoon's linear scale transformation).
        ``zscore``  z = (x − mean)/s with the sample standard deviation s (ddof = 1, as SPSS and
        Excel's STANDARDIZE with STDEV.S).
    cost_rule : {'complement', 'reciprocal', 'negate', 'none'}, optional
        How cost criteria are turned around (see the module docstring). Default: ``complement`` for
        vector and minmax, ``reciprocal`` for sum and max, ``negate`` for zscore.
    bounds : (lower, upper), optional
        Fixed per-criterion bounds in the units of the data, used instead of the column minimum and
        maximum (minmax and max only), so that a score does not depend on the other alternatives and
        stays comparable from one year to the next. Every value must lie within its bounds.

    Raises
    ------
    ScoringInputError
        On a negative value for vector, sum or max normalisation; a value ≤ 0 for the reciprocal rule;
        a constant criterion for minmax or zscore; an all-zero criterion; a value outside its bounds.
    """
    rule = check_method(method, cost_rule)
    if bounds is None:
        _validate(matrix, method, rule, None)
        # The extremes the matrix computed on entry save two passes over the data.
        lower, upper = matrix.column_min, matrix.column_max
    else:
        lower, upper = _bounds_arrays(matrix, method, bounds)
        _validate(matrix, method, rule, lower)
    return _kernel(matrix.values, matrix.is_cost, method, rule, lower, upper)


def normalize_bounds(matrix: DecisionMatrix, method: str, cost_rule: str, bounds: Bounds) -> np.ndarray:
    """Return the bounds themselves normalised like the data: row 0 the lower, row 1 the upper bound."""
    lower, upper = _bounds_arrays(matrix, method, bounds)
    _validate(matrix, method, cost_rule, lower)
    return _kernel(np.vstack([lower, upper]), matrix.is_cost, method, cost_rule, lower, upper)
