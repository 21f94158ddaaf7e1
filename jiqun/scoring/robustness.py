"""Rank stability under weight perturbation (Monte Carlo, seeded, vectorised over the draws).

Perturbation schemes
--------------------
``multiplicative`` (default)  w'_j = w_j (1 + u_j), u_j ~ Uniform(−s, s) independently, then
                              w' / Σ w' ("each weight moves by up to ±s, then the weights are rescaled to
                              sum to 1"; s = 0.1 by default).
``dirichlet``                 w' ~ Dirichlet(κ w): centred on w with Var(w'_j) = w_j (1 − w_j)/(κ + 1);
                              κ = 100 by default.
Both keep a zero weight at zero.

For each draw the scores are recomputed with the same normalised matrix and method, and ranked with the
same tie rule. Because the weights are non-negative, the TOPSIS distances are
D_i² = Σ_j w_j² (r_ij − r*_j)², so a chunk of draws takes one matrix product instead of a loop.

References
----------
Butler, J., Jia, J. & Dyer, J. (1997). Simulation techniques for the sensitivity analysis of
multi-criteria decision models. *European Journal of Operational Research* 103(3), 531–546.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jiqun.scoring.aggregate import reference_points
from jiqun.scoring.errors import input_error
from jiqun.scoring.normalize import oriented_cost
from jiqun.scoring.rank import check_ties, rank_keys
from jiqun.scoring.result import ScoreResult

SCHEMES = ("multiplicative", "dirichlet")
# Distances per matrix product. Each product wakes the BLAS worker threads, which on a small shared machine
# may have to wait for a core, so the draws take few products (one for 1,000 alternatives × 1,000 draws)
# while the memory stays bounded whatever the number of draws (16 MiB of distances, 8 MiB of scores).
PRODUCT_ELEMENTS = 1 << 21
# Scores ranked at a time: about 512 KiB, so that sorting and counting stay in the processor's cache.
RANK_ELEMENTS = 1 << 16


@dataclass(frozen=True, eq=False)
class StabilityResult:
    """How the ranks hold under perturbed weights.

    Attributes
    ----------
    alternatives : tuple of str
    baseline_ranks : ndarray of int
        The ranks with the unperturbed weights.
    keep_share : ndarray
        Share of the draws in which each alternative keeps its baseline rank.
    rank_min, rank_max : ndarray of int
        The best and the worst rank each alternative reaches over the draws.
    rank_mean : ndarray
    params : dict
        'scheme', 'draws', 'seed', 'spread' or 'concentration', 'ties', 'digits', 'numpy' (version).
    """

    alternatives: tuple[str, ...]
    baseline_ranks: np.ndarray
    keep_share: np.ndarray
    rank_min: np.ndarray
    rank_max: np.ndarray
    rank_mean: np.ndarray
    params: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "alternatives": list(self.alternatives),
            "baseline_ranks": self.baseline_ranks.tolist(),
            "keep_share": self.keep_share.tolist(),
            "rank_min": self.rank_min.tolist(),
            "rank_max": self.rank_max.tolist(),
            "rank_mean": self.rank_mean.tolist(),
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StabilityResult:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            alternatives=tuple(data["alternatives"]),
            baseline_ranks=np.array(data["baseline_ranks"], dtype=np.int64),
            keep_share=np.array(data["keep_share"], dtype=np.float64),
            rank_min=np.array(data["rank_min"], dtype=np.int64),
            rank_max=np.array(data["rank_max"], dtype=np.int64),
            rank_mean=np.array(data["rank_mean"], dtype=np.float64),
            params=dict(data["params"]),
        )


def perturb_weights(
    weights: np.ndarray,
    draws: int,
    rng: np.random.Generator,
    *,
    scheme: str = "multiplicative",
    spread: float = 0.1,
    concentration: float = 100.0,
) -> np.ndarray:
    """Return `draws` perturbed weight vectors (rows), each summing to 1 (see the module docstring)."""
    w = np.asarray(weights, dtype=np.float64)
    if scheme == "multiplicative":
        if not 0.0 < spread < 1.0:
            raise input_error(f"spread must lie in (0, 1), got {spread:g}", "扰动幅度须在 0 到 1 之间")
        out = rng.uniform(-spread, spread, size=(draws, w.size))
        out += 1.0
        out *= w
    elif scheme == "dirichlet":
        if not concentration > 0:
            raise input_error(f"concentration must be positive, got {concentration:g}", "集中度参数须为正")
        positive = w > 0
        out = np.zeros((draws, w.size))
        out[:, positive] = rng.dirichlet(concentration * w[positive], size=draws)
    else:
        raise input_error(
            f"unknown perturbation scheme {scheme!r}; choose {' or '.join(SCHEMES)}",
            f"未知的扰动方案 {scheme!r}",
        )
    out /= out.sum(axis=1, keepdims=True)
    return out


class DrawScorer:
    """Scores of a result's alternatives under many weight vectors at once.

    The squared gaps to the ideal and the anti-ideal, (r_ij − r*_j)², do not depend on the weights, so
    they are computed once, side by side in one (n, 2m) array: one matrix product per chunk of draws then
    gives both distances.
    """

    def __init__(self, result: ScoreResult):
        r = result.normalized
        p = result.params
        self.method = p["method"]
        self.m = r.shape[0]
        if self.method == "wsum":
            self.columns = np.ascontiguousarray(r.T)
            return
        lower_is_better = oriented_cost(result.matrix.is_cost, p["cost_rule"])
        extremes = result.scaling.extremes(result.matrix, fixed=p["ideal"] == "fixed")
        best, worst = reference_points(extremes, lower_is_better)
        gaps = np.empty((r.shape[1], 2 * self.m))
        np.square((r - best).T, out=gaps[:, : self.m])
        np.square((r - worst).T, out=gaps[:, self.m :])
        self.columns = gaps

    def scores(self, draws: np.ndarray) -> np.ndarray:
        """Return the scores (draws × alternatives) under each row of weights `draws`."""
        if self.method == "wsum":
            return draws @ self.columns
        distances = np.square(draws) @ self.columns
        np.sqrt(distances, out=distances)
        d_plus, d_minus = distances[:, : self.m], distances[:, self.m :]
        total = d_plus + d_minus
        np.divide(d_minus, total, out=total)
        return total


def scores_by_draw(result: ScoreResult, draws: np.ndarray) -> np.ndarray:
    """Return the scores (draws × alternatives) of `result`'s method under each row of weights `draws`."""
    return DrawScorer(result).scores(draws)


def rank_stability(
    result: ScoreResult,
    *,
    draws: int = 1000,
    scheme: str = "multiplicative",
    spread: float = 0.1,
    concentration: float = 100.0,
    seed: int = 0,
) -> StabilityResult:
    """Perturb the weights of `result` and report how often each alternative keeps its rank.

    Parameters
    ----------
    result : ScoreResult
    draws : int
        Number of Monte Carlo draws (default 1000).
    scheme : {'multiplicative', 'dirichlet'}
    spread : float
        Half-width s of the multiplicative noise (default 0.1, i.e. ±10 %).
    concentration : float
        κ of the Dirichlet scheme (default 100).
    seed : int
        Seed of the numpy Generator (PCG64), so the same call gives the same numbers.
    """
    if draws < 1:
        raise input_error(f"draws must be at least 1, got {draws}", "抽样次数至少为 1")
    rng = np.random.default_rng(seed)
    # Draw every weight vector first, so that the numbers do not depend on the chunking below.
    weights = perturb_weights(
        result.weights.weights, draws, rng, scheme=scheme, spread=spread, concentration=concentration
    )
    p = result.params
    baseline = result.ranks
    m = baseline.size
    keep = np.zeros(m, dtype=np.int64)
    rank_min = np.full(m, m, dtype=np.int64)
    rank_max = np.zeros(m, dtype=np.int64)
    rank_sum = np.zeros(m, dtype=np.int64)
    check_ties(p["ties"], p["digits"])  # a result read from JSON has not been through score()
    scorer = DrawScorer(result)
    per_product = max(1, PRODUCT_ELEMENTS // (2 * m))
    per_rank = max(1, RANK_ELEMENTS // m)
    for start in range(0, draws, per_product):
        keys = scorer.scores(weights[start : start + per_product])
        np.negative(keys, out=keys)  # rank_keys puts the smallest first
        for first in range(0, keys.shape[0], per_rank):
            ranks = rank_keys(keys[first : first + per_rank], ties=p["ties"], digits=p["digits"])
            keep += (ranks == baseline).sum(axis=0)
            np.minimum(rank_min, ranks.min(axis=0), out=rank_min)
            np.maximum(rank_max, ranks.max(axis=0), out=rank_max)
            rank_sum += ranks.sum(axis=0)
    params: dict[str, Any] = {
        "scheme": scheme,
        "draws": draws,
        "seed": seed,
        "ties": p["ties"],
        "digits": p["digits"],
        "numpy": np.__version__,
    }
    if scheme == "multiplicative":
        params["spread"] = spread
    else:
        params["concentration"] = concentration
    return StabilityResult(
        alternatives=tuple(result.alternatives),
        baseline_ranks=baseline,
        keep_share=keep / draws,
        rank_min=rank_min,
        rank_max=rank_max,
        rank_mean=rank_sum / draws,
        params=params,
    )
