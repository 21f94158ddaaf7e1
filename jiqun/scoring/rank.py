"""Ranks with an explicit tie rule, decided at a stated tolerance, and grades by thresholds.

Two scores are tied when they differ by at most 10^−digits of the larger magnitude (digits = 12 by
default): |a − b| ≤ 10^−12 · max(|a|, |b|). So floating-point noise in the last bits (0.1 + 0.2 against
0.3, or a sum taken in another order) does not break a tie that is exact on paper, while any difference
a person can see is kept. Ties are found between neighbours in sorted order, so a run of scores each
within the tolerance of the next forms one tie.

Tie rules (rank 1 = best):

``min``      competition ranking, "1224": tied alternatives share the best of their places and the
             next place is skipped. The default: it is how Chinese rankings announce 并列.
``dense``    "1223": no place is skipped.
``max``      "1334".
``ordinal``  "1234": ties are broken by the order of the input (use only when a strict order is needed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jiqun.scoring.errors import input_error

TIE_RULES = ("min", "dense", "max", "ordinal")
DEFAULT_DIGITS = 12


def tied(a: np.ndarray | float, b: np.ndarray | float, digits: int = DEFAULT_DIGITS) -> np.ndarray:
    """Return True where a and b are equal within the tie tolerance 10^−digits (relative)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.abs(a - b) <= 10.0**-digits * np.maximum(np.abs(a), np.abs(b))


def check_ties(ties: str, digits: int) -> None:
    """Raise on an unknown tie rule or a tolerance outside 1–15 digits."""
    if ties not in TIE_RULES:
        raise input_error(
            f"unknown tie rule {ties!r}; choose one of {', '.join(TIE_RULES)}", f"未知的并列规则 {ties!r}"
        )
    if not 1 <= digits <= 15:
        raise input_error(f"digits must be between 1 and 15, got {digits}", "有效数字位数须在 1 到 15 之间")


def rank_rows(
    scores: np.ndarray,
    *,
    ties: str = "min",
    digits: int = DEFAULT_DIGITS,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Rank each row of a 2-D array of scores (one row per draw); return int64 ranks, 1 = best.

    Vectorised over the rows, so it ranks many Monte Carlo draws at once; rows are contiguous in
    memory, which is what makes the sort fast.
    """
    check_ties(ties, digits)
    key = np.negative(scores) if higher_is_better else np.asarray(scores, dtype=np.float64)
    return rank_keys(key, ties=ties, digits=digits)


def rank_keys(key: np.ndarray, *, ties: str, digits: int) -> np.ndarray:
    """Rank each row of `key` from its smallest value (rank 1); the rules as in :func:`rank_rows`.

    `key` must be a C-contiguous float64 array of shape (rows, m); it is not modified.
    """
    rows, m = key.shape
    # Only 'ordinal' depends on the order within a tie, so only it pays for a stable sort.
    order = np.argsort(key, axis=1, kind="stable" if ties == "ordinal" else None)
    # Flat positions: one gather and one scatter on the raveled arrays, cheaper than *_along_axis.
    order += (m * np.arange(rows, dtype=order.dtype))[:, None]
    ranks = np.empty(key.shape, dtype=np.int64)
    flat_ranks = ranks.reshape(-1)
    places = np.arange(1, m + 1, dtype=np.int64)
    if ties == "ordinal" or m <= 1:
        flat_ranks[order] = places
        return ranks
    ordered = np.take(key.reshape(-1), order)
    gaps = np.diff(ordered, axis=1)  # sorted ascending, so every gap is ≥ 0
    tolerance = 10.0**-digits
    # A row has no tie when even its smallest gap exceeds the tolerance at its largest magnitude, which
    # sits at one end of the sorted row; in the common case this settles every row in two passes.
    largest = np.maximum(np.abs(ordered[:, 0]), np.abs(ordered[:, -1]))
    if (gaps.min(axis=1) > tolerance * largest).all():
        flat_ranks[order] = places
        return ranks
    low, high = ordered[:, :-1], ordered[:, 1:]
    # Sorted ascending, so |high − low| = high − low and max(|low|, |high|) = max(−low, high).
    scale = np.negative(low)
    np.maximum(scale, high, out=scale)
    scale *= tolerance
    starts = np.ones(key.shape, dtype=bool)
    np.greater(gaps, scale, out=starts[:, 1:])
    del ordered, low, high, scale, gaps
    if ties == "dense":
        in_order = np.cumsum(starts, axis=1, dtype=np.int64)
    elif ties == "min":  # the first place of each group
        in_order = np.where(starts, places, 0)
        np.maximum.accumulate(in_order, axis=1, out=in_order)
    else:  # max: the last place of each group
        ends = np.ones(key.shape, dtype=bool)
        ends[:, :-1] = starts[:, 1:]
        in_order = np.where(ends, places, m)[:, ::-1]
        np.minimum.accumulate(in_order, axis=1, out=in_order)
        in_order = in_order[:, ::-1]
    flat_ranks[order] = in_order
    return ranks


def rank_columns(
    scores: np.ndarray,
    *,
    ties: str = "min",
    digits: int = DEFAULT_DIGITS,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Rank each column of a 2-D array of scores (rows: alternatives); see :func:`rank_rows`."""
    rows = np.ascontiguousarray(np.asarray(scores, dtype=np.float64).T)
    return rank_rows(rows, ties=ties, digits=digits, higher_is_better=higher_is_better).T


def rank(
    scores: Sequence[float] | np.ndarray,
    *,
    ties: str = "min",
    digits: int = DEFAULT_DIGITS,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Return the rank of each score (1 = best) under the tie rule `ties`.

    Parameters
    ----------
    scores : array_like, shape (m,)
    ties : {'min', 'dense', 'max', 'ordinal'}
        See the module docstring; default 'min' (1, 2, 2, 4).
    digits : int
        Scores within a relative 10^−digits of each other are tied (default 12).
    higher_is_better : bool
        False ranks the smallest score first.

    Examples
    --------
    >>> rank([0.9, 0.5, 0.5, 0.1]).tolist()
    [1, 2, 2, 4]
    >>> rank([0.9, 0.5, 0.5, 0.1], ties="dense").tolist()
    [1, 2, 2, 3]
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1:
        raise input_error("scores must be one-dimensional", "得分须为一维数组")
    if not np.isfinite(values).all():
        raise input_error("scores must be finite numbers", "得分须为有限数值")
    return rank_rows(values[None, :], ties=ties, digits=digits, higher_is_better=higher_is_better)[0]


def check_grades(thresholds: Sequence[float], labels: Sequence[str]) -> None:
    """Raise unless thresholds strictly decrease and there is one more label than thresholds."""
    if len(labels) != len(thresholds) + 1:
        raise input_error(
            f"{len(thresholds)} thresholds need {len(thresholds) + 1} grade labels, got {len(labels)}",
            "等级名称数须比阈值数多一个",
        )
    limits = np.asarray(thresholds, dtype=np.float64)
    if not np.isfinite(limits).all() or (np.diff(limits) >= 0).any():
        raise input_error(
            "grade thresholds must be finite and strictly decreasing", "等级阈值须为有限值且严格递减"
        )


def grade(
    scores: Sequence[float] | np.ndarray,
    thresholds: Sequence[float],
    labels: Sequence[str],
    *,
    digits: int = DEFAULT_DIGITS,
) -> tuple[str, ...]:
    """Return the grade of each score: labels[k] for the first threshold k the score reaches.

    A score reaches a threshold when it is above it or tied with it (within the tie tolerance); a score
    below the last threshold gets the last label.

    Examples
    --------
    >>> grade([0.91, 0.8, 0.42], [0.8, 0.6], ["优秀", "良好", "一般"])
    ('优秀', '优秀', '一般')
    """
    check_grades(thresholds, labels)
    s = np.asarray(scores, dtype=np.float64)[:, None]
    limits = np.asarray(thresholds, dtype=np.float64)[None, :]
    reached = (s >= limits) | tied(s, limits, digits)
    reached = np.hstack([reached, np.ones((reached.shape[0], 1), dtype=bool)])
    return tuple(str(labels[k]) for k in np.argmax(reached, axis=1))
