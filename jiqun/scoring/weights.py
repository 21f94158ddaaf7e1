"""Criterion weights: fixed, equal, entropy, CRITIC, coefficient of variation, and their combination.

Every function returns a :class:`WeightResult` carrying the weights, the method and its parameters,
and the intermediate tables an analyst needs to defend the numbers.

References
----------
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical Journal* 27.
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making.* Springer, the entropy method.
Zeleny, M. (1982). *Multiple Criteria Decision Making.* McGraw-Hill, ch. 7 (entropy as contrast intensity).
Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in multiple
criteria problems: the CRITIC method. *Computers & Operations Research* 22(7), 763–770.
郭亚军 (2002). 《综合评价理论与方法》. 科学出版社 (变异系数法; 主客观组合赋权).
Ma, J., Fan, Z.-P. & Huang, L.-H. (1999). A subjective and objective integrated approach to determine
attribute weights. *European Journal of Operational Research* 112(2), 397–404.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jiqun.scoring.errors import input_error
from jiqun.scoring.matrix import DecisionMatrix, check_weights
from jiqun.scoring.normalize import normalize

OBJECTIVE_METHODS = ("equal", "entropy", "critic", "cv")
ENTROPY_VARIANTS = ("raw", "minmax")


@dataclass(frozen=True, eq=False)
class WeightResult:
    """Weights with the method that produced them, its parameters and its intermediate tables.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        Non-negative, summing to 1.
    method : str
        'fixed', 'equal', 'entropy', 'critic', 'cv', 'ahp' or 'combined'.
    criteria : tuple of str
    params : dict
        The parameters of the method (JSON-ready).
    tables : dict of str to ndarray or float
        Intermediate tables, e.g. for entropy: 'proportions', 'entropy', 'divergence'.
    """

    weights: np.ndarray
    method: str
    criteria: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, *, omit: Collection[str] = ()) -> dict[str, Any]:
        """Return a JSON-ready dict, without the tables named in `omit`."""
        return {
            "weights": self.weights.tolist(),
            "method": self.method,
            "criteria": list(self.criteria),
            "params": self.params,
            "tables": {
                k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in self.tables.items()
                if k not in omit
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WeightResult:
        """Rebuild from :meth:`to_dict` output."""
        tables = {k: (np.array(v) if isinstance(v, list) else v) for k, v in data.get("tables", {}).items()}
        return cls(
            np.array(data["weights"], dtype=np.float64),
            data["method"],
            tuple(data["criteria"]),
            dict(data.get("params", {})),
            tables,
        )


# The tables of a method that are as large as the matrix (one value per alternative and criterion). A result
# stored without them (ScoreResult.to_dict(derived=False)) has them rebuilt from its matrix by `matrix_tables`.
MATRIX_TABLES: dict[str, tuple[str, ...]] = {"entropy": ("proportions",), "critic": ("normalized",)}


def _entropy_proportions(y: np.ndarray) -> np.ndarray:
    return y / y.sum(axis=0)


def matrix_tables(method: str, params: dict[str, Any], matrix: DecisionMatrix) -> dict[str, np.ndarray]:
    """Return the tables of `method` that are as large as the matrix, rebuilt bit for bit from `matrix`.

    Valid only for weights that `method` computed from this very matrix: entropy's proportions p (on the
    values, or on their min-max normalisation for the 'minmax' variant) and CRITIC's normalised matrix r.
    """
    if method == "entropy":
        y = matrix.values if params.get("variant", "raw") == "raw" else normalize(matrix, "minmax")
        return {"proportions": _entropy_proportions(y)}
    if method == "critic":
        return {"normalized": normalize(matrix, "minmax")}
    return {}


def _result(
    weights: np.ndarray, method: str, criteria: Sequence[str], params: dict, tables: dict
) -> WeightResult:
    weights = np.asarray(weights, dtype=np.float64)
    weights.flags.writeable = False
    return WeightResult(weights, method, tuple(criteria), params, tables)


def fixed_weights(values: Sequence[float] | np.ndarray, criteria: Sequence[str]) -> WeightResult:
    """Check weights given by the user and return them.

    The weights must be finite, non-negative, one per criterion and sum to 1 within 1e-6; they are then
    divided by their sum so that they sum to 1 to the last bit.

    Raises
    ------
    ScoringInputError
        Naming the criterion with a bad weight, or giving the actual sum.
    """
    w = check_weights(values, criteria)
    return _result(w / w.sum(), "fixed", criteria, {"given": w.tolist()}, {})


def equal_weights(matrix: DecisionMatrix) -> WeightResult:
    """Return w_j = 1/n for every criterion."""
    n = matrix.shape[1]
    return _result(np.full(n, 1.0 / n), "equal", matrix.criteria, {}, {})


_NO_SPREAD = ("no criterion separates the alternatives", "没有指标能区分各方案")


def _normalised_divergence(
    d: np.ndarray, method: str, method_zh: str, why: tuple[str, str] = _NO_SPREAD
) -> np.ndarray:
    """Return d / Σd, refusing an all-zero d with a message that says why."""
    total = d.sum()
    if not total > 0:
        raise input_error(
            f"{why[0]}, so {method} weights are undefined", f"{why[1]}，无法计算{method_zh}权重"
        )
    return d / total


def entropy_weights(matrix: DecisionMatrix, *, variant: str = "raw") -> WeightResult:
    """Return Shannon-entropy weights.

    p_ij = y_ij / Σ_i y_ij,  E_j = −k Σ_i p_ij ln p_ij with k = 1/ln m and 0·ln 0 = 0,
    d_j = 1 − E_j,  w_j = d_j / Σ_k d_k.

    Parameters
    ----------
    matrix : DecisionMatrix
        At least two alternatives.
    variant : {'raw', 'minmax'}
        ``raw`` (default): y = x, the values as given (Hwang & Yoon 1981; Zeleny 1982). The values
        must be ≥ 0 and each column must have a positive sum. The direction of a criterion does not
        matter: entropy measures how unevenly a criterion spreads over the alternatives.
        ``minmax``: y = min-max normalised x, cost criteria reflected as (max − x)/(max − min), the
        variant common in Chinese evaluation practice (熵值法, 郭亚军 2002); it accepts negative
        values but no constant column.

    Returns
    -------
    WeightResult
        Tables 'proportions' (p), 'entropy' (E), 'divergence' (d).

    Raises
    ------
    ScoringInputError
        On fewer than two alternatives, a negative value or a zero column (raw), a constant column
        (minmax), or when no criterion varies.
    """
    if variant not in ENTROPY_VARIANTS:
        raise input_error(
            f"unknown entropy variant {variant!r}; choose raw or minmax", f"未知的熵权法数据口径 {variant!r}"
        )
    matrix.require_alternatives(2, "the entropy method", "熵权法")
    if variant == "raw":
        matrix.require_nonnegative("the entropy method on raw data", "熵权法（原始数据）")
        y = matrix.values
        zero = y.sum(axis=0) == 0
        if zero.any():
            raise matrix.column_error(
                int(np.argmax(zero)),
                "every value is 0, so its entropy is undefined",
                "所有值均为 0，无法计算熵值",
            )
    else:
        y = normalize(matrix, "minmax")
    m = y.shape[0]
    p = _entropy_proportions(y)
    k = 1.0 / np.log(m)
    # p ln p in place, with 0 · ln 0 = 0: the logarithm is taken only where p > 0, the rest stays 0.
    plogp = np.zeros_like(p)
    np.log(p, out=plogp, where=p > 0)
    plogp *= p
    entropy = -k * plogp.sum(axis=0)
    divergence = 1.0 - entropy
    w = _normalised_divergence(divergence, "entropy", "熵权法")
    tables = {"proportions": p, "entropy": entropy, "divergence": divergence}
    return _result(w, "entropy", matrix.criteria, {"variant": variant, "k": k}, tables)


def critic_weights(matrix: DecisionMatrix) -> WeightResult:
    """Return CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    r_ij = (x_ij − worst_j)/(best_j − worst_j) (min-max with the cost criteria reflected),
    σ_j the standard deviation of column j of r, ρ_jk the Pearson correlation of columns j and k,
    C_j = σ_j Σ_k (1 − ρ_jk),  w_j = C_j / Σ_k C_k.

    The standard deviation uses ddof = 1; any ddof gives the same weights (it scales every σ_j alike).

    Returns
    -------
    WeightResult
        Tables 'normalized', 'std', 'correlation', 'conflict' (Σ_k (1 − ρ_jk)), 'information' (C).

    Raises
    ------
    ScoringInputError
        On a constant criterion (its correlation is undefined).
    """
    matrix.require_varying("the CRITIC method", "CRITIC 法")
    r = normalize(matrix, "minmax")
    std = r.std(axis=0, ddof=1)
    correlation = np.atleast_2d(np.corrcoef(r, rowvar=False))
    conflict = (1.0 - correlation).sum(axis=0)
    information = std * conflict
    why = ("every criterion is perfectly correlated with the others", "各指标之间完全相关")
    w = _normalised_divergence(information, "CRITIC", "CRITIC 法", why)
    tables = {
        "normalized": r,
        "std": std,
        "correlation": correlation,
        "conflict": conflict,
        "information": information,
    }
    return _result(w, "critic", matrix.criteria, {}, tables)


def cv_weights(matrix: DecisionMatrix) -> WeightResult:
    """Return coefficient-of-variation weights (变异系数法, 郭亚军 2002).

    v_j = s_j / x̄_j (sample standard deviation over the mean),  w_j = v_j / Σ_k v_k.
    The values must be ≥ 0 with a positive mean (a ratio scale); the direction does not matter.

    Returns
    -------
    WeightResult
        Tables 'mean', 'std', 'cv'.
    """
    matrix.require_alternatives(2, "the coefficient-of-variation method", "变异系数法")
    matrix.require_nonnegative("the coefficient-of-variation method", "变异系数法")
    mean = matrix.values.mean(axis=0)
    zero = mean == 0
    if zero.any():
        raise matrix.column_error(
            int(np.argmax(zero)),
            "every value is 0, so its coefficient of variation is undefined",
            "所有值均为 0，无法计算变异系数",
        )
    std = matrix.values.std(axis=0, ddof=1)
    cv = std / mean
    w = _normalised_divergence(cv, "coefficient-of-variation", "变异系数法")
    return _result(w, "cv", matrix.criteria, {}, {"mean": mean, "std": std, "cv": cv})


def objective_weights(matrix: DecisionMatrix, method: str, *, entropy_variant: str = "raw") -> WeightResult:
    """Return weights computed from the data by `method` ('equal', 'entropy', 'critic' or 'cv')."""
    if method == "equal":
        return equal_weights(matrix)
    if method == "entropy":
        return entropy_weights(matrix, variant=entropy_variant)
    if method == "critic":
        return critic_weights(matrix)
    if method == "cv":
        return cv_weights(matrix)
    raise input_error(
        f"unknown weighting method {method!r}; choose one of {', '.join(OBJECTIVE_METHODS)}",
        f"未知的赋权方法 {method!r}",
    )


def combine_weights(
    subjective: WeightResult,
    objective: WeightResult,
    *,
    method: str = "linear",
    alpha: float = 0.5,
) -> WeightResult:
    """Combine subjective (e.g. AHP) and objective (e.g. entropy) weights.

    ``linear``          w = α·w_s + (1 − α)·w_o (Ma, Fan & Huang 1999; 线性加权组合).
    ``multiplicative``  w = w_s·w_o / Σ_k w_s,k·w_o,k (乘法合成归一化, 郭亚军 2002).

    Both must weight the same criteria; the objective weights are re-ordered to the subjective
    criteria's order by name.

    Returns
    -------
    WeightResult
        Method 'combined'; tables 'subjective', 'objective'; params name both methods and α.
    """
    if method not in ("linear", "multiplicative"):
        raise input_error(
            f"unknown combination {method!r}; choose linear or multiplicative", f"未知的组合方式 {method!r}"
        )
    if sorted(subjective.criteria) != sorted(objective.criteria):
        raise input_error(
            "subjective and objective weights must cover the same criteria", "主观与客观权重的指标须一致"
        )
    order = [objective.criteria.index(c) for c in subjective.criteria]
    ws, wo = subjective.weights, objective.weights[order]
    params: dict[str, Any] = {
        "combination": method,
        "subjective": subjective.method,
        "objective": objective.method,
    }
    if method == "linear":
        if not 0.0 <= alpha <= 1.0:
            raise input_error(f"alpha must lie in [0, 1], got {alpha:g}", "α 须在 0 到 1 之间")
        w = alpha * ws + (1.0 - alpha) * wo
        params["alpha"] = alpha
    else:
        w = _normalised_divergence(
            ws * wo,
            "multiplicative combined",
            "乘法合成",
            ("no criterion has both weights above 0", "没有指标的主客观权重同时为正"),
        )
    return _result(w, "combined", subjective.criteria, params, {"subjective": ws, "objective": wo})
