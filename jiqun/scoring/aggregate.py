"""Aggregation of a normalised matrix into one score per alternative: weighted sum and TOPSIS.

References
----------
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and Applications.*
Springer. Simple additive weighting (SAW) and TOPSIS, pp. 128–134 (fighter-aircraft example p. 133).
García-Cascales, M. S. & Lamata, M. T. (2012). On rank reversal and TOPSIS method. *Mathematical and
Computer Modelling* 56(5–6), 123–132 (an absolute ideal fixed in advance instead of the best observed).
"""

from __future__ import annotations

import numpy as np

from jiqun.scoring.errors import input_error

METHODS = ("topsis", "wsum")
DEFAULT_NORMALIZATION = {"topsis": "vector", "wsum": "minmax"}
IDEALS = ("relative", "fixed")


def weighted_sum(normalized: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return S_i = Σ_j w_j r_ij (simple additive weighting; every column oriented "higher is better")."""
    return normalized @ weights


def reference_points(
    normalized: np.ndarray,
    lower_is_better: np.ndarray,
    reference: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the unweighted ideal and anti-ideal points.

    Parameters
    ----------
    normalized : ndarray, shape (m, n)
    lower_is_better : ndarray of bool, shape (n,)
        Criteria whose normalised values are still "lower is better" (cost rule 'none').
    reference : ndarray, shape (2, n), optional
        The normalised lower and upper bounds; when given the ideal is fixed by them ("fixed" ideal),
        otherwise it is the best and worst value observed among the alternatives ("relative" ideal).

    Returns
    -------
    (ideal, anti_ideal) : ndarrays of shape (n,)
    """
    rows = normalized if reference is None else reference
    high, low = rows.max(axis=0), rows.min(axis=0)
    return np.where(lower_is_better, low, high), np.where(lower_is_better, high, low)


def topsis_distances(
    normalized: np.ndarray, weights: np.ndarray, ideal: np.ndarray, anti_ideal: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return D⁺_i = ‖w∘r_i − A⁺‖₂ and D⁻_i = ‖w∘r_i − A⁻‖₂ for rows `normalized` (any block of rows)."""
    weighted = normalized * weights
    gap = weighted - ideal
    d_plus = np.sqrt(np.einsum("ij,ij->i", gap, gap))
    np.subtract(weighted, anti_ideal, out=gap)
    d_minus = np.sqrt(np.einsum("ij,ij->i", gap, gap))
    return d_plus, d_minus


def closeness(d_plus: np.ndarray, d_minus: np.ndarray) -> np.ndarray:
    """Return C_i = D⁻_i / (D⁺_i + D⁻_i), refusing alternatives that no criterion separates."""
    total = d_plus + d_minus
    if (total == 0).any():
        raise input_error(
            "no criterion with a positive weight separates the alternatives, so TOPSIS closeness is undefined",
            "没有权重为正且有区分度的指标，无法计算 TOPSIS 贴近度",
        )
    np.divide(d_minus, total, out=total)
    return total


def topsis(
    normalized: np.ndarray,
    weights: np.ndarray,
    lower_is_better: np.ndarray,
    reference: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return TOPSIS closeness C_i = D⁻_i / (D⁺_i + D⁻_i) and the intermediate tables (Hwang & Yoon 1981).

    v_ij = w_j r_ij;  A⁺ = best v per criterion, A⁻ = worst;  D⁺_i = ‖v_i − A⁺‖₂,  D⁻_i = ‖v_i − A⁻‖₂.

    Since w_j ≥ 0, the weighted ideal is w_j times the unweighted one, which is how it is computed here.

    Returns
    -------
    (closeness, tables)
        tables: 'ideal', 'anti_ideal' (weighted, as Hwang & Yoon tabulate them), 'distance_to_ideal',
        'distance_to_anti_ideal'.

    Raises
    ------
    ScoringInputError
        When no criterion with a positive weight separates the alternatives (D⁺ + D⁻ = 0).
    """
    best, worst = reference_points(normalized, lower_is_better, reference)
    ideal = best * weights
    anti_ideal = worst * weights
    d_plus, d_minus = topsis_distances(normalized, weights, ideal, anti_ideal)
    tables = {
        "ideal": ideal,
        "anti_ideal": anti_ideal,
        "distance_to_ideal": d_plus,
        "distance_to_anti_ideal": d_minus,
    }
    return closeness(d_plus, d_minus), tables
