"""The decision matrix: alternatives × criteria with names and directions, validated once on entry.

Every method downstream trusts what this module has checked (shape, names, finite values) and asks it
for the checks that depend on the method (non-negative values, a column that varies, …), so that each
message names the alternative and the criterion in the words of the user's own table.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from jiqun.scoring.errors import ScoringInputError, input_error

BENEFIT = "benefit"
COST = "cost"
WEIGHT_SUM_TOLERANCE = 1e-6

_DIRECTION_WORDS = {
    BENEFIT: ("+", "benefit", "max", "1", "+1", "正", "正向", "效益", "效益型"),
    COST: ("-", "cost", "min", "-1", "负", "负向", "逆向", "成本", "成本型"),
}


def parse_direction(token: str | int) -> str:
    """Return 'benefit' or 'cost' for a token such as '+', '-', 'max', 'min', 1, -1, '正向', '负向'.

    Raises
    ------
    ScoringInputError
        If the token is none of these.
    """
    text = str(token).strip().lower()
    for direction, words in _DIRECTION_WORDS.items():
        if text in words:
            return direction
    raise input_error(
        f"direction {token!r} is neither benefit ('+') nor cost ('-')",
        f"指标方向 {token!r} 应为正向（+）或负向（-）",
    )


class DefaultNames(Sequence[str]):
    """The names 'A1', 'A2', … made on access, so 500,000 unnamed alternatives cost no strings."""

    __slots__ = ("_count", "_prefix")

    def __init__(self, prefix: str, count: int):
        self._prefix = prefix
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self[k] for k in range(*index.indices(self._count)))
        k = operator.index(index)
        if k < 0:
            k += self._count
        if not 0 <= k < self._count:
            raise IndexError(index)
        return f"{self._prefix}{k + 1}"

    def __iter__(self) -> Iterator[str]:
        return (f"{self._prefix}{k + 1}" for k in range(self._count))

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """Return the position of a name such as 'A7' without making the others."""
        text = str(value)
        number = text[len(self._prefix) :]
        if text.startswith(self._prefix) and number.isdigit() and not number.startswith("0"):
            k = int(number) - 1
            if max(start, 0) <= k < min(self._count, self._count if stop is None else stop):
                return k
        raise ValueError(f"{value!r} is not a name here")

    def __contains__(self, value: object) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DefaultNames):
            return (self._prefix, self._count) == (other._prefix, other._count)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == self._count and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DefaultNames({self._prefix!r}, {self._count})"


def _names(given: Sequence[str] | None, count: int, prefix: str, what: str, what_zh: str) -> Sequence[str]:
    if given is None:
        return DefaultNames(prefix, count)
    names = tuple(given)
    if not all(isinstance(name, str) for name in names):
        names = tuple(str(name) for name in names)
    if len(names) != count:
        raise input_error(
            f"{len(names)} {what} names for {count} {what}s",
            f"{what_zh}名称有 {len(names)} 个，但数据有 {count} 个{what_zh}",
        )
    unique = set(names)
    if "" in unique:
        raise input_error(f"a {what} has an empty name", f"{what_zh}名称为空")
    if len(unique) != count:  # find the first repeated name only when there is one
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise input_error(f"{what} {name!r} appears twice", f"{what_zh} {name!r} 重复")
            seen.add(name)
    return names


def check_weights(values: Sequence[float] | np.ndarray, criteria: Sequence[str]) -> np.ndarray:
    """Return weights given by the user as a float64 array, checked; they are not rescaled here.

    Raises
    ------
    ScoringInputError
        Unless there is one finite weight ≥ 0 per criterion (naming the criterion of a bad one) and the
        weights sum to 1 within 1e-6 (giving the actual sum).
    """
    try:
        w = np.array(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise input_error("weights must be numbers", "权重须为数值") from None
    if w.shape != (len(criteria),):
        raise input_error(
            f"{w.size} weights for {len(criteria)} criteria",
            f"权重有 {w.size} 个，但指标有 {len(criteria)} 个",
        )
    for j, value in enumerate(w):
        if not np.isfinite(value) or value < 0:
            raise input_error(
                f"weight {value:g} must be a finite number ≥ 0", "权重须为非负有限数", criterion=criteria[j]
            )
    total = float(w.sum())
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise input_error(
            f"weights must sum to 1, they sum to {total:.10g}", f"权重之和须为 1，实际为 {total:.10g}"
        )
    w.flags.writeable = False
    return w


def _float_values(values: Any) -> np.ndarray:
    """Convert to a read-only float64 array, copying unless it already is a read-only float64 array."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64 and not values.flags.writeable:
        return values
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise input_error(
            f"the decision matrix holds values that are not numbers ({exc})",
            "决策矩阵含有非数值单元格",
        ) from None
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class DecisionMatrix:
    """A validated decision matrix (rows: alternatives, columns: criteria).

    Build it with :func:`decision_matrix`, which fills in default names and directions. The values are
    stored as a read-only float64 array, so results can keep a reference to the input without copying.

    Attributes
    ----------
    values : ndarray, shape (m, n)
        Finite values.
    alternatives, criteria : sequence of str
        Unique names of the rows and the columns (default names 'A1'…, 'C1'… are made on access).
    directions : tuple of str
        'benefit' (higher is better) or 'cost' (lower is better), one per criterion.
    labels : tuple of str
        Display names of the criteria (e.g. Chinese names), used in messages; default: the names.
    weights : ndarray, shape (n,), optional
        Weights that come with the data (checked: ≥ 0, summing to 1); :func:`~jiqun.scoring.score.score`
        uses them when it is given no other weights.
    column_min, column_max : ndarray, shape (n,)
        Computed once on entry; they check for NaN and infinity (both propagate into a minimum or a
        maximum) and serve every later check and min-max normalisation without another pass.
    """

    values: np.ndarray
    alternatives: Sequence[str]
    criteria: Sequence[str]
    directions: tuple[str, ...]
    labels: Sequence[str]
    weights: np.ndarray | None = None
    column_min: np.ndarray = field(init=False, repr=False)
    column_max: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = self.values
        if values.ndim != 2:
            raise input_error(
                f"the decision matrix must be 2-D (alternatives × criteria), got shape {values.shape}",
                "决策矩阵必须是二维表（方案×指标）",
            )
        m, n = values.shape
        if m == 0 or n == 0:
            raise input_error(
                f"the decision matrix is empty ({m} alternatives × {n} criteria)", "决策矩阵为空"
            )
        if (len(self.alternatives), len(self.criteria), len(self.directions), len(self.labels)) != (
            m,
            n,
            n,
            n,
        ):
            raise input_error(
                "names, directions and labels must match the matrix shape", "名称、方向与矩阵形状不符"
            )
        column_min = values.min(axis=0)
        column_max = values.max(axis=0)
        if not (np.isfinite(column_min).all() and np.isfinite(column_max).all()):
            i, j = np.argwhere(~np.isfinite(values))[0]
            missing = bool(np.isnan(values[i, j]))
            raise input_error(
                "value is missing (NaN)" if missing else f"value is infinite ({values[i, j]})",
                "值缺失" if missing else "值为无穷大",
                alternative=self.alternatives[i],
                criterion=self.criteria[j],
                label=self.labels[j],
            )
        column_min.flags.writeable = False
        column_max.flags.writeable = False
        object.__setattr__(self, "column_min", column_min)
        object.__setattr__(self, "column_max", column_max)

    @property
    def shape(self) -> tuple[int, int]:
        """Return (number of alternatives, number of criteria)."""
        return self.values.shape  # type: ignore[return-value]

    @property
    def is_cost(self) -> np.ndarray:
        """Return a boolean array, True where the criterion is a cost criterion."""
        return np.array([d == COST for d in self.directions], dtype=bool)

    def cell_error(self, i: int, j: int, problem: str, problem_zh: str) -> ScoringInputError:
        """Return an error about cell (i, j), named by its alternative and criterion."""
        return input_error(
            problem,
            problem_zh,
            alternative=self.alternatives[i],
            criterion=self.criteria[j],
            label=self.labels[j],
        )

    def column_error(self, j: int, problem: str, problem_zh: str) -> ScoringInputError:
        """Return an error about criterion j."""
        return input_error(problem, problem_zh, criterion=self.criteria[j], label=self.labels[j])

    def require_alternatives(self, minimum: int, method: str, method_zh: str) -> None:
        """Raise unless there are at least `minimum` alternatives."""
        if self.shape[0] < minimum:
            raise input_error(
                f"{method} needs at least {minimum} alternatives, got {self.shape[0]}",
                f"{method_zh}至少需要 {minimum} 个备选方案",
            )

    def _first_cell(self, bad_columns: np.ndarray, bad_values: Any) -> tuple[int, int]:
        """Locate the first offending cell, scanning only the columns known to hold one."""
        j = int(np.argmax(bad_columns))
        i = int(np.argmax(bad_values(self.values[:, j])))
        return i, j

    def require_nonnegative(self, method: str, method_zh: str, columns: np.ndarray | None = None) -> None:
        """Raise on the first negative value (in `columns`, a boolean mask, if given)."""
        bad = self.column_min < 0
        if columns is not None:
            bad &= columns
        if bad.any():
            i, j = self._first_cell(bad, lambda col: col < 0)
            raise self.cell_error(
                i,
                j,
                f"value {self.values[i, j]:g} is negative; {method} needs values ≥ 0",
                f"值为负数，{method_zh}要求非负值",
            )

    def require_positive(self, method: str, method_zh: str, columns: np.ndarray | None = None) -> None:
        """Raise on the first value ≤ 0 (in `columns`, a boolean mask, if given)."""
        bad = self.column_min <= 0
        if columns is not None:
            bad &= columns
        if bad.any():
            i, j = self._first_cell(bad, lambda col: col <= 0)
            raise self.cell_error(
                i,
                j,
                f"value {self.values[i, j]:g} is not positive; {method} needs values > 0",
                f"值不为正，{method_zh}要求正值",
            )

    def require_varying(self, method: str, method_zh: str) -> None:
        """Raise on the first criterion whose values are all equal."""
        constant = self.column_min == self.column_max
        if constant.any():
            j = int(np.argmax(constant))
            raise self.column_error(
                j,
                f"all alternatives have the same value {self.column_min[j]:g}, so {method} is undefined "
                "(it divides by the spread); drop the criterion or choose another method",
                f"所有方案取值相同，无法进行{method_zh}；请删除该指标或改用其他方法",
            )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "alternatives": list(self.alternatives),
            "criteria": list(self.criteria),
            "directions": list(self.directions),
            "labels": list(self.labels),
            "weights": None if self.weights is None else self.weights.tolist(),
            "values": self.values.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecisionMatrix:
        """Rebuild a matrix from :meth:`to_dict` output."""
        return decision_matrix(
            data["values"],
            alternatives=data["alternatives"],
            criteria=data["criteria"],
            directions=data["directions"],
            labels=data.get("labels"),
            weights=data.get("weights"),
        )


def decision_matrix(
    values: Any,
    *,
    alternatives: Sequence[str] | None = None,
    criteria: Sequence[str] | None = None,
    directions: Sequence[str | int] | str | None = None,
    labels: Sequence[str] | None = None,
    weights: Sequence[float] | np.ndarray | None = None,
) -> DecisionMatrix:
    """Validate and build a :class:`DecisionMatrix`.

    Parameters
    ----------
    values : array_like, shape (m, n)
        Alternatives in rows, criteria in columns.
    alternatives, criteria : sequence of str, optional
        Unique names; default 'A1'…'Am' and 'C1'…'Cn'.
    directions : sequence or str, optional
        One token per criterion ('+'/'-', 'benefit'/'cost', 'max'/'min', 1/-1, '正向'/'负向'),
        or a comma-separated string such as '+,-,+'. Default: every criterion is a benefit.
    labels : sequence of str, optional
        Display names of the criteria used in messages (e.g. Chinese names).
    weights : sequence of float, optional
        One weight per criterion, ≥ 0 and summing to 1 (within 1e-6).

    Raises
    ------
    ScoringInputError
        On a non-numeric, missing (NaN) or infinite value, a wrong shape, bad names or directions, or bad
        weights; the message names the alternative and the criterion.

    Examples
    --------
    >>> m = decision_matrix([[3.0, 200.0], [5.0, 150.0]], alternatives=["济南", "青岛"],
    ...                     criteria=["产值", "能耗"], directions="+,-", weights=[0.6, 0.4])
    >>> m.shape, m.directions
    ((2, 2), ('benefit', 'cost'))
    """
    array = _float_values(values)
    if array.ndim != 2:
        raise input_error(
            f"the decision matrix must be 2-D (alternatives × criteria), got shape {array.shape}",
            "决策矩阵必须是二维表（方案×指标）",
        )
    m, n = array.shape
    alt_names = _names(alternatives, m, "A", "alternative", "方案")
    crit_names = _names(criteria, n, "C", "criterion", "指标")
    if directions is None:
        tokens: Sequence[str | int] = [BENEFIT] * n
    elif isinstance(directions, str):
        tokens = directions.split(",")
    else:
        tokens = list(directions)
    if len(tokens) != n:
        raise input_error(
            f"{len(tokens)} directions for {n} criteria", f"指标方向有 {len(tokens)} 个，但指标有 {n} 个"
        )
    parsed = []
    for name, token in zip(crit_names, tokens, strict=True):
        try:
            parsed.append(parse_direction(token))
        except ScoringInputError:
            raise input_error(
                f"direction {token!r} is neither benefit ('+') nor cost ('-')",
                "指标方向应为正向（+）或负向（-）",
                criterion=name,
            ) from None
    label_names = crit_names if labels is None else tuple(str(x) for x in labels)
    checked = None if weights is None else check_weights(weights, crit_names)
    return DecisionMatrix(array, alt_names, crit_names, tuple(parsed), label_names, checked)
