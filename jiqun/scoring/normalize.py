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
from dataclasses import dataclass
from typing import Any

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
    name, name_zh = f"{method} normalisation", _NAMES_ZH[method]
    cost = matrix.is_cost
    bounded = lower is not None
    if method in ("vector", "sum", "max"):
        # Ratio-scale normalisations: a negative value or a zero column has no meaning.
        matrix.require_nonnegative(name, name_zh)
        if rule == "reciprocal":
            matrix.require_positive(
                f"{name} with the reciprocal cost rule", f"{name_zh}（倒数法）", columns=cost
            )
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
        matrix.require_alternatives(2, name, name_zh)
        matrix.require_varying(name, name_zh)
    elif not bounded:
        matrix.require_varying(name, name_zh)


@dataclass(frozen=True, eq=False)
class Scaling:
    """The column statistics of one normalisation, taken once from whole columns (or from fixed bounds).

    Every step that remains is element by element, so applying a Scaling to any block of rows gives
    exactly those rows of the normalised matrix, bit for bit. A large matrix is therefore scored block by
    block, and a result rebuilds its normalised matrix on demand instead of holding a second copy.

    Attributes
    ----------
    method : str
        'vector', 'minmax', 'sum', 'max' or 'zscore'.
    cost_rule : str
        'complement', 'reciprocal', 'negate' or 'none'.
    is_cost : ndarray of bool, shape (n,)
    bounded : bool
        True when 'lower' and 'upper' are fixed bounds given by the user, not the observed extremes.
    statistics : dict of str to ndarray
        minmax and max: 'lower', 'upper' (column minimum and maximum, or the bounds); vector: 'norm'
        (√Σy²); sum: 'total' (Σy); zscore: 'mean', 'std' (ddof = 1). y is x, or 1/x for a cost criterion
        under the reciprocal rule.
    """

    method: str
    cost_rule: str
    is_cost: np.ndarray
    bounded: bool
    statistics: dict[str, np.ndarray]

    @property
    def flipped(self) -> np.ndarray:
        """Return the criteria this normalisation turns around (cost criteria, unless the rule is 'none')."""
        return self.is_cost & (self.cost_rule != "none")

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Return rows `x` (shape (k, n), in the units of the data) normalised; a new array."""
        s = self.statistics
        flip = self.flipped
        if self.method in ("minmax", "zscore"):
            if self.method == "minmax":  # (x − lo)/(hi − lo), reflected (hi − x)/(hi − lo)
                low, high, spread = s["lower"], s["upper"], s["upper"] - s["lower"]
            else:  # (x − x̄)/s, negated (x̄ − x)/s = −z
                low, high, spread = s["mean"], s["mean"], s["std"]
            if flip.any():
                # −x + hi is hi − x exactly, and +0.0 where x = hi (x − hi over a negative spread gives −0.0).
                out = x * np.where(flip, -1.0, 1.0)
                out += np.where(flip, high, -low)
            else:
                out = x - low
            out /= spread
            return out
        divisor = s[_DIVISOR[self.method]]
        out = x / divisor
        if not flip.any():
            return out
        if self.cost_rule == "complement":
            out[:, flip] = 1.0 - out[:, flip]
        elif self.method == "max":  # Hwang & Yoon's min/x
            out[:, flip] = s["lower"][flip] / x[:, flip]
        else:  # reciprocal: the divisor of these columns was taken from 1/x
            out[:, flip] = (1.0 / x[:, flip]) / divisor[flip]
        return out

    def extremes(self, matrix: DecisionMatrix, *, fixed: bool = False) -> np.ndarray:
        """Return the lower and upper extremes of every criterion, normalised (rows 0 and 1).

        The extremes are the observed minimum and maximum, or with `fixed` the bounds. Every
        normalisation is monotone in x and works element by element, so for the observed extremes these
        two rows hold exactly the largest and the smallest value of each normalised column: TOPSIS takes
        its ideal from them without another pass over the data.
        """
        if fixed:
            if not self.bounded:
                raise input_error("a fixed ideal needs bounds", "固定理想解需要给出上下限")
            rows = np.vstack([self.statistics["lower"], self.statistics["upper"]])
        else:
            rows = np.vstack([matrix.column_min, matrix.column_max])
        return self.apply(rows)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "method": self.method,
            "cost_rule": self.cost_rule,
            "is_cost": self.is_cost.tolist(),
            "bounded": self.bounded,
            "statistics": {k: v.tolist() for k, v in self.statistics.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scaling:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            data["method"],
            data["cost_rule"],
            np.array(data["is_cost"], dtype=bool),
            bool(data["bounded"]),
            {k: _frozen(np.array(v, dtype=np.float64)) for k, v in data["statistics"].items()},
        )


_DIVISOR = {"vector": "norm", "sum": "total", "max": "upper"}


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def fit(
    matrix: DecisionMatrix,
    method: str = "vector",
    *,
    cost_rule: str | None = None,
    bounds: Bounds | None = None,
) -> Scaling:
    """Validate `matrix` for the normalisation and return its column statistics (see :func:`normalize`)."""
    rule = check_method(method, cost_rule)
    if bounds is None:
        _validate(matrix, method, rule, None)
        # The extremes the matrix computed on entry save two passes over the data.
        lower, upper = matrix.column_min, matrix.column_max
    else:
        lower, upper = _bounds_arrays(matrix, method, bounds)
        _validate(matrix, method, rule, lower)
    x = matrix.values
    is_cost = matrix.is_cost
    if method in ("minmax", "max"):
        statistics = {"lower": lower, "upper": upper}
    elif method == "zscore":
        statistics = {"mean": x.mean(axis=0), "std": x.std(axis=0, ddof=1)}
    else:
        reciprocal = is_cost & (rule == "reciprocal")
        if method == "vector":
            column = np.sqrt(np.einsum("ij,ij->j", x, x))
        else:
            column = x.sum(axis=0)
        if reciprocal.any():
            inv = 1.0 / x[:, reciprocal]
            column[reciprocal] = (
                np.sqrt(np.einsum("ij,ij->j", inv, inv)) if method == "vector" else inv.sum(axis=0)
            )
        statistics = {_DIVISOR[method]: column}
    return Scaling(
        method, rule, _frozen(is_cost), bounds is not None, {k: _frozen(v) for k, v in statistics.items()}
    )


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

    Examples
    --------
    >>> from jiqun.scoring import decision_matrix
    >>> m = decision_matrix([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0]], directions="+,-")
    >>> normalize(m, "minmax").tolist()
    [[0.0, 0.0], [0.3333333333333333, 0.6666666666666666], [1.0, 1.0]]
    """
    return fit(matrix, method, cost_rule=cost_rule, bounds=bounds).apply(matrix.values)
