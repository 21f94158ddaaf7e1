"""Bonus items (加分项) in a run: each subject's decided claims from the snapshot become points on the 0–100
scale, added to its indicator score; the totals are ranked and graded again, and the rank interval is measured
on the totals under the same weight perturbation as the indicator scores (jiqun.scoring.rank_stability's draws).

Each item gives `points` per claim, at most `cap` per subject; the total is capped at 100 unless the scheme says
`bonus_may_exceed_100`. Pure apart from its input, like compute.evaluate.
"""

from decimal import Decimal
from typing import Any

import numpy as np

from jiqun.scoring import ScoreResult, grade, perturb_weights, rank
from jiqun.scoring.rank import rank_keys
from jiqun.scoring.robustness import scores_by_draw


def bonus_points(snapshot: dict[str, Any], subject: dict[str, Any]) -> tuple[Decimal, list[dict[str, Any]]]:
    """A subject's bonus (0–100 scale) and, per item, its claims, count, points before and after the cap."""
    items = (snapshot.get("bonus") or {}).get("items", [])
    claims = subject.get("bonus", [])
    total, lines = Decimal(0), []
    for item in items:
        counted = [c for c in claims if c["item"] == item["code"]]
        raw = Decimal(item["points"]) * len(counted)
        awarded = min(raw, Decimal(item["cap"]))
        total += awarded
        lines.append({**item, "count": len(counted), "raw": raw, "awarded": awarded, "claims": counted})
    return total, lines


def bonus_apply(snapshot: dict[str, Any], scored: list[dict], result: ScoreResult, params: dict) -> dict[str, Any]:
    """The scored subjects' bonus points, totals (0–1 like the engine's scores), ranks, grades and intervals."""
    exceed = bool(snapshot["bonus"].get("may_exceed_100"))
    points = np.array([float(bonus_points(snapshot, s)[0]) for s in scored])
    add = points / 100

    def totals(scores: np.ndarray) -> np.ndarray:
        out = scores + add
        return out if exceed else np.minimum(out, 1.0)

    p = result.params
    total = totals(np.asarray(result.scores, dtype=np.float64))
    ranks = rank(total, ties=p["ties"], digits=p["digits"])
    grades = grade(total, [t / 100 for t in params["thresholds"]], params["grade_labels"], digits=p["digits"])
    stability = params["stability"]
    rng = np.random.default_rng(stability["seed"])
    weights = perturb_weights(result.weights.weights, stability["draws"], rng, scheme=stability["scheme"],
                              spread=stability["spread"])
    drawn = totals(scores_by_draw(result, weights))
    drawn_ranks = rank_keys(-drawn, ties=p["ties"], digits=p["digits"])
    return {
        "points": points.tolist(), "scores": total.tolist(), "ranks": ranks.tolist(), "grades": list(grades),
        "rank_min": drawn_ranks.min(axis=0).tolist(), "rank_max": drawn_ranks.max(axis=0).tolist(),
        "keep_share": (drawn_ranks == ranks).mean(axis=0).tolist(), "may_exceed_100": exceed,
    }
