"""The analytic hierarchy process: priorities from a pairwise comparison matrix and their consistency.

Priority methods
----------------
``eigen``      the principal right eigenvector of A, normalised to sum 1 (Saaty 1977, 1980); λmax is
               the principal eigenvalue.
``mean``       the row means of A after dividing each column by its sum ("normalised-column
               arithmetic mean", 和积法; Saaty 1980 gives it as an approximation).
``geometric``  the normalised geometric means of the rows (方根法; the logarithmic least-squares
               solution, Crawford & Williams 1985).
For ``mean`` and ``geometric`` λmax is estimated as (1/n) Σ_i (A w)_i / w_i, as the textbooks do.

Consistency: CI = (λmax − n)/(n − 1), CR = CI / RI(n); CR ≤ 0.1 is acceptable (Saaty 1980). For n ≤ 2
every reciprocal matrix is consistent and CR = 0.

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. *Journal of
Mathematical Psychology* 15(3), 234–281.
Saaty, T. L. (1980). *The Analytic Hierarchy Process.* McGraw-Hill.
Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. *European Journal of
Operational Research* 48(1), 9–26.
Crawford, G. & Williams, C. (1985). A note on the analysis of subjective judgment matrices.
*Journal of Mathematical Psychology* 29(4), 387–405.
Alonso, J. A. & Lamata, M. T. (2006). Consistency in the analytic hierarchy process: a new approach.
*International Journal of Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4), 445–459.
Tummala, V. M. R. & Ling, H. (1998). A note on the computation of the mean random consistency index
of the AHP. *Theory and Decision* 44(3), 221–230.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jiqun.scoring.errors import input_error
from jiqun.scoring.weights import WeightResult

PRIORITY_METHODS = ("eigen", "mean", "geometric")
CR_THRESHOLD = 0.1
RECIPROCAL_TOLERANCE = 0.01

# Random consistency index RI(n) for n = 1, 2, 3, …
RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    # Saaty (1980), the table most software reproduces (n ≤ 15), including the non-monotone 1.48 at n = 12.
    "saaty": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
    # Alonso & Lamata (2006), 100,000 random matrices per order.
    "alonso-lamata": (
        0.0,
        0.0,
        0.5245,
        0.8815,
        1.1086,
        1.2479,
        1.3417,
        1.4056,
        1.4499,
        1.4854,
        1.5141,
        1.5365,
        1.5551,
        1.5713,
        1.5838,
    ),
    # Tummala & Ling (1998); the table pymcdm uses.
    "tummala-ling": (
        0.0,
        0.0,
        0.5799,
        0.8921,
        1.1159,
        1.2358,
        1.3322,
        1.3952,
        1.4537,
        1.4882,
        1.5117,
        1.5356,
        1.5571,
        1.5714,
        1.5831,
    ),
    # The table in Chinese textbooks (1,000 random matrices per order; commonly attributed to 龚木森、许树柏).
    "cn-textbook": (0.0, 0.0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59),
}


@dataclass(frozen=True, eq=False)
class AhpResult:
    """Priorities of one pairwise comparison matrix with its consistency.

    Attributes
    ----------
    names : tuple of str
    pairwise : ndarray, shape (n, n)
        The matrix used (blank cells filled with reciprocals).
    weights : ndarray, shape (n,)
    priority : str
        'eigen', 'mean' or 'geometric'.
    lambda_max, ci, ri, cr : float
    ri_table : str
        Key of :data:`RANDOM_INDEX`.
    threshold : float
        CR above which the judgements are flagged as inconsistent (0.1).
    tables : dict of str to ndarray
        'normalized_columns' (A with each column divided by its sum), 'weighted_sum' (A w) and
        'consistency_vector' ((A w)_i / w_i).
    """

    names: tuple[str, ...]
    pairwise: np.ndarray
    weights: np.ndarray
    priority: str
    lambda_max: float
    ci: float
    ri: float
    cr: float
    ri_table: str
    threshold: float = CR_THRESHOLD
    tables: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        """Return True when CR ≤ threshold."""
        return self.cr <= self.threshold

    def to_weights(self) -> WeightResult:
        """Return the priorities as a WeightResult (method 'ahp') that records how they were derived."""
        params = {"priority": self.priority, "ri_table": self.ri_table, "pairwise": self.pairwise.tolist()}
        tables = {"lambda_max": self.lambda_max, "ci": self.ci, "ri": self.ri, "cr": self.cr}
        return WeightResult(self.weights, "ahp", self.names, params, tables)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "names": list(self.names),
            "pairwise": self.pairwise.tolist(),
            "weights": self.weights.tolist(),
            "priority": self.priority,
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "ri": self.ri,
            "cr": self.cr,
            "ri_table": self.ri_table,
            "threshold": self.threshold,
            "consistent": self.consistent,
            "tables": {k: v.tolist() for k, v in self.tables.items()},
        }


def pairwise_matrix(values: Any, names: Sequence[str] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Check a pairwise comparison matrix and fill its blank (NaN) cells.

    A blank cell a_ij takes 1/a_ji; a blank diagonal cell takes 1. Every cell must be positive and
    finite, the diagonal 1, and a_ij·a_ji = 1 within 1 % (so 0.33 passes for 1/3).

    Returns
    -------
    (ndarray, tuple of str)
        The completed matrix and the names ('C1'… by default).
    """
    try:
        a = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise input_error(
            "the pairwise matrix holds values that are not numbers", "判断矩阵含有非数值单元格"
        ) from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise input_error(f"the pairwise matrix must be square, got shape {a.shape}", "判断矩阵须为方阵")
    n = a.shape[0]
    labels = tuple(f"C{i + 1}" for i in range(n)) if names is None else tuple(str(x) for x in names)
    if len(labels) != n or len(set(labels)) != n:
        raise input_error(f"the pairwise matrix needs {n} unique names", f"判断矩阵需要 {n} 个互不相同的名称")

    def cell(i: int, j: int) -> str:
        return f"pairwise cell ({labels[i]!r}, {labels[j]!r})"

    # Check the judgements given before filling the blanks, so an error names the cell the user wrote.
    for i, j in np.argwhere(~np.isnan(a) & (~np.isfinite(a) | (a <= 0))):
        raise input_error(f"{cell(i, j)} is {a[i, j]:g}; judgements must be positive", "判断值须为正数")
    diagonal = np.isnan(np.diag(a))
    a[diagonal, diagonal] = 1.0
    blank = np.isnan(a)
    a[blank] = 1.0 / a.T[blank]
    for i, j in np.argwhere(np.isnan(a)):
        raise input_error(f"{cell(i, j)} and its mirror are both blank", "判断矩阵对称位置同时为空")
    for i in range(n):
        if abs(a[i, i] - 1.0) > RECIPROCAL_TOLERANCE + 1e-12:
            raise input_error(f"{cell(i, i)} is {a[i, i]:g}; the diagonal must be 1", "对角线须为 1")
    product = a * a.T
    for i, j in np.argwhere(np.abs(product - 1.0) > RECIPROCAL_TOLERANCE + 1e-12):
        raise input_error(
            f"{cell(i, j)} = {a[i, j]:g} but its mirror is {a[j, i]:g}; a_ij·a_ji must be 1",
            "判断矩阵须满足互反性 a_ij·a_ji = 1",
        )
    a.flags.writeable = False
    return a, labels


def random_index(n: int, table: str = "saaty") -> float:
    """Return RI(n) from a named table."""
    if table not in RANDOM_INDEX:
        raise input_error(
            f"unknown random-index table {table!r}; choose one of {', '.join(RANDOM_INDEX)}",
            f"未知的 RI 表 {table!r}",
        )
    values = RANDOM_INDEX[table]
    if n > len(values):
        raise input_error(
            f"the {table} RI table stops at n = {len(values)}, got n = {n}", f"RI 表最多支持 {len(values)} 阶"
        )
    return values[n - 1]


def _principal_eigen(a: np.ndarray) -> tuple[np.ndarray, float]:
    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    return vector / vector.sum(), float(eigenvalues[k].real)


def ahp(
    pairwise: Any,
    *,
    names: Sequence[str] | None = None,
    priority: str = "eigen",
    ri: str = "saaty",
    threshold: float = CR_THRESHOLD,
) -> AhpResult:
    """Derive priorities and the consistency ratio from a pairwise comparison matrix.

    Parameters
    ----------
    pairwise : array_like, shape (n, n)
        a_ij = how much more important element i is than j (Saaty's 1–9 scale); NaN cells are filled
        with reciprocals (see :func:`pairwise_matrix`).
    names : sequence of str, optional
    priority : {'eigen', 'mean', 'geometric'}
        See the module docstring; default 'eigen' (Saaty's definition).
    ri : str
        Random-index table, a key of :data:`RANDOM_INDEX`; default 'saaty'.
    threshold : float
        CR above which the result is flagged inconsistent (default 0.1).

    Examples
    --------
    A consistent matrix (a_ik = a_ij a_jk) gives its priorities exactly, with λmax = n:

    >>> r = ahp([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]])
    >>> r.weights.round(4).tolist(), round(r.lambda_max, 9), r.consistent
    ([0.5714, 0.2857, 0.1429], 3.0, True)

    Saaty's (1990) house example gives λmax = 9.669, CI = 0.238, CR = 0.169 (with RI = 1.41).
    """
    if priority not in PRIORITY_METHODS:
        raise input_error(
            f"unknown priority method {priority!r}; choose one of {', '.join(PRIORITY_METHODS)}",
            f"未知的排序向量算法 {priority!r}",
        )
    a, labels = pairwise_matrix(pairwise, names)
    n = a.shape[0]
    ri_value = random_index(n, ri)
    normalized_columns = a / a.sum(axis=0)
    if priority == "eigen":
        w, lambda_max = _principal_eigen(a)
    elif priority == "mean":
        w = normalized_columns.mean(axis=1)
    else:
        g = np.exp(np.log(a).mean(axis=1))
        w = g / g.sum()
    weighted_sum = a @ w
    consistency_vector = weighted_sum / w
    if priority != "eigen":
        lambda_max = float(consistency_vector.mean())
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    cr = ci / ri_value if ri_value > 0 else 0.0
    w.flags.writeable = False
    tables = {
        "normalized_columns": normalized_columns,
        "weighted_sum": weighted_sum,
        "consistency_vector": consistency_vector,
    }
    return AhpResult(
        labels, a, w, priority, float(lambda_max), float(ci), ri_value, float(cr), ri, threshold, tables
    )
