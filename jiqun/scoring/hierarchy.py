"""AHP hierarchy synthesis: global weights of the leaves of a tree of pairwise comparisons.

The global weight of an element is the product of the local weights (priorities) on its path from the
goal. Consistency is reported per matrix, per level (层次总排序一致性比率: for the matrices at depth d,
CR_d = Σ g·CI / Σ g·RI, g the global weight of the element whose children are compared) and for the
whole hierarchy (the same ratio over all matrices; Saaty 1980, consistency of a hierarchy). Chinese
textbooks also accumulate the level ratios, CR⁽ᵏ⁾ = CR⁽ᵏ⁻¹⁾ + CR_k (姜启源《数学模型》, 层次总排序的组合一致性
检验); that sum is reported as the cumulative CR.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process.* McGraw-Hill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jiqun.scoring.ahp import CR_THRESHOLD, AhpResult, ahp
from jiqun.scoring.errors import input_error
from jiqun.scoring.weights import WeightResult


@dataclass(frozen=True, eq=False)
class AhpHierarchyResult:
    """Global weights of the leaves of an AHP hierarchy, with the consistency of every level.

    Attributes
    ----------
    root : str
    leaves : tuple of str
        The elements without a comparison matrix of their own, in depth-first order.
    global_weights : ndarray
        Product of the local weights along the path from the root; sums to 1.
    nodes : dict of str to AhpResult
        The comparison of the children of each node.
    node_weights : dict of str to float
        Global weight of every node that has children (the root has 1).
    level_cr : tuple of float
        For the matrices at depth d (the root's is depth 0): Σ g·CI / Σ g·RI, g the global weight of the
        node whose children are compared (层次总排序一致性比率).
    total_cr : float
        The same ratio over all matrices of the hierarchy (Saaty 1980, consistency of a hierarchy).
    threshold : float
        CR above which a matrix, a level or the hierarchy is flagged (0.1).
    """

    root: str
    leaves: tuple[str, ...]
    global_weights: np.ndarray
    nodes: dict[str, AhpResult]
    node_weights: dict[str, float]
    level_cr: tuple[float, ...]
    total_cr: float
    threshold: float = CR_THRESHOLD

    @property
    def cumulative_cr(self) -> float:
        """Return Σ_d CR_d over the levels, the combined ratio of the Chinese textbooks (组合一致性比率)."""
        return float(sum(self.level_cr))

    @property
    def consistent(self) -> bool:
        """Return True when every matrix, every level and the whole hierarchy have CR ≤ threshold."""
        ratios = [node.cr for node in self.nodes.values()] + list(self.level_cr) + [self.total_cr]
        return all(r <= self.threshold for r in ratios)

    def to_weights(self) -> WeightResult:
        """Return the leaves' global weights as a WeightResult (method 'ahp-hierarchy')."""
        params = {"root": self.root, "nodes": {k: v.to_dict() for k, v in self.nodes.items()}}
        tables = {"level_cr": list(self.level_cr), "total_cr": self.total_cr}
        return WeightResult(self.global_weights, "ahp-hierarchy", self.leaves, params, tables)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "root": self.root,
            "leaves": list(self.leaves),
            "global_weights": self.global_weights.tolist(),
            "nodes": {k: v.to_dict() for k, v in self.nodes.items()},
            "node_weights": self.node_weights,
            "level_cr": list(self.level_cr),
            "total_cr": self.total_cr,
            "cumulative_cr": self.cumulative_cr,
            "threshold": self.threshold,
            "consistent": self.consistent,
        }


def ahp_hierarchy(
    nodes: dict[str, tuple[Sequence[str], Any]],
    *,
    root: str,
    priority: str = "eigen",
    ri: str = "saaty",
    threshold: float = CR_THRESHOLD,
) -> AhpHierarchyResult:
    """Synthesise an AHP hierarchy into global weights of its leaves.

    Parameters
    ----------
    nodes : dict
        node name → (names of its children, pairwise matrix of the children). A child that is not a key
        of `nodes` is a leaf (an indicator). Trees of any depth are accepted.
    root : str
        The goal.
    priority, ri, threshold
        As in :func:`ahp`, used for every matrix.

    Examples
    --------
    >>> h = ahp_hierarchy({"goal": (["B1", "B2"], [[1, 3], [1/3, 1]]),
    ...                    "B1": (["C1", "C2"], [[1, 1], [1, 1]])}, root="goal")
    >>> dict(zip(h.leaves, h.global_weights.round(3).tolist()))
    {'C1': 0.375, 'C2': 0.375, 'B2': 0.25}
    """
    if root not in nodes:
        raise input_error(f"the root {root!r} has no comparison matrix", f"目标层 {root!r} 没有判断矩阵")
    results: dict[str, AhpResult] = {}
    node_weights: dict[str, float] = {}
    depth_of: dict[str, int] = {}
    leaves: list[str] = []
    weights: list[float] = []
    seen: set[str] = set()

    def visit(node: str, weight: float, depth: int) -> None:
        if node in seen:
            raise input_error(
                f"element {node!r} appears twice in the hierarchy", f"层次结构中元素 {node!r} 重复出现"
            )
        seen.add(node)
        if node not in nodes:
            leaves.append(node)
            weights.append(weight)
            return
        children, matrix = nodes[node]
        result = ahp(matrix, names=children, priority=priority, ri=ri, threshold=threshold)
        results[node] = result
        node_weights[node] = weight
        depth_of[node] = depth
        for child, local in zip(result.names, result.weights, strict=True):
            visit(child, weight * float(local), depth + 1)

    visit(root, 1.0, 0)
    unreached = [name for name in nodes if name not in results]
    if unreached:
        raise input_error(
            f"node {unreached[0]!r} is not under the root {root!r}", f"节点 {unreached[0]!r} 不在目标层之下"
        )

    def ratio(names: list[str]) -> float:
        ci = sum(node_weights[k] * results[k].ci for k in names)
        ri_sum = sum(node_weights[k] * results[k].ri for k in names)
        return ci / ri_sum if ri_sum > 0 else 0.0

    levels = [[k for k in results if depth_of[k] == d] for d in range(max(depth_of.values()) + 1)]
    global_weights = np.array(weights, dtype=np.float64)
    global_weights.flags.writeable = False
    return AhpHierarchyResult(
        root,
        tuple(leaves),
        global_weights,
        results,
        node_weights,
        tuple(ratio(level) for level in levels),
        ratio(list(results)),
        threshold,
    )
