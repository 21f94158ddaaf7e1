"""jiqun's pure numeric evaluation engine (numpy only; it never imports Django).

Every method follows a published definition, every variant is named, and every result carries its
intermediate tables and parameters; docs/methods.md gives the formulas and references.

Typical use::

    from jiqun.scoring import decision_matrix, score, rank_stability

    m = decision_matrix(values, alternatives=names, criteria=indicators, directions="+,+,-")
    result = score(m, weights="entropy", method="topsis")
    result.scores, result.ranks, result.tables["distance_to_ideal"], result.normalized
    stability = rank_stability(result, draws=1000, seed=0)
    stored = result.to_json(); same = ScoreResult.from_json(stored).rerun()

Large matrices are scored a block of rows at a time; the normalised matrix a result carries is rebuilt
exactly from its column statistics (:class:`Scaling`) when it is first asked for.
"""

from jiqun.scoring.agglomeration import (
    EllisonGlaeserResult,
    HhiResult,
    KrugmanResult,
    LocationQuotientResult,
    ellison_glaeser,
    hhi,
    krugman_index,
    krugman_specialisation,
    location_quotient,
)
from jiqun.scoring.aggregate import reference_points, topsis, weighted_sum
from jiqun.scoring.ahp import (
    RANDOM_INDEX,
    AhpResult,
    ahp,
    pairwise_matrix,
    random_index,
)
from jiqun.scoring.errors import ScoringInputError
from jiqun.scoring.hierarchy import AhpHierarchyResult, ahp_hierarchy
from jiqun.scoring.matrix import BENEFIT, COST, DecisionMatrix, decision_matrix, parse_direction
from jiqun.scoring.normalize import COST_RULES, DEFAULT_COST_RULE, NORMALIZATIONS, Scaling, normalize
from jiqun.scoring.rank import TIE_RULES, grade, rank, rank_columns, rank_rows, tied
from jiqun.scoring.result import ScoreResult
from jiqun.scoring.robustness import StabilityResult, perturb_weights, rank_stability
from jiqun.scoring.score import resolve_weights, score
from jiqun.scoring.weights import (
    WeightResult,
    combine_weights,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    fixed_weights,
    objective_weights,
)

__all__ = [
    "BENEFIT",
    "COST",
    "COST_RULES",
    "DEFAULT_COST_RULE",
    "NORMALIZATIONS",
    "RANDOM_INDEX",
    "TIE_RULES",
    "AhpHierarchyResult",
    "AhpResult",
    "DecisionMatrix",
    "EllisonGlaeserResult",
    "HhiResult",
    "KrugmanResult",
    "LocationQuotientResult",
    "Scaling",
    "ScoreResult",
    "ScoringInputError",
    "StabilityResult",
    "WeightResult",
    "ahp",
    "ahp_hierarchy",
    "combine_weights",
    "critic_weights",
    "cv_weights",
    "decision_matrix",
    "ellison_glaeser",
    "entropy_weights",
    "equal_weights",
    "fixed_weights",
    "grade",
    "hhi",
    "krugman_index",
    "krugman_specialisation",
    "location_quotient",
    "normalize",
    "objective_weights",
    "pairwise_matrix",
    "parse_direction",
    "perturb_weights",
    "random_index",
    "rank",
    "rank_columns",
    "rank_rows",
    "rank_stability",
    "reference_points",
    "resolve_weights",
    "score",
    "tied",
    "topsis",
    "weighted_sum",
]
