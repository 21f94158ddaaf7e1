"""The two-level AHP hierarchy of a scheme, and the arithmetic of experts' judgements on it.

A scheme's hierarchy is its dimensions (the goal's children) and, within each dimension, its indicators.
Each comparison matrix is entered as its upper triangle, row by row, on the Saaty scale ("9" … "1" … "1/9");
the reciprocal below the diagonal is implied. Judgements of several experts are aggregated per matrix by
the element-wise geometric mean (aggregation of individual judgements, AIJ: Aczél & Saaty 1983; Forman &
Peniwati 1998), which keeps the aggregate reciprocal; its priorities are the principal eigenvector
(jiqun.scoring.ahp) and the global weight of an indicator is its dimension's weight times its local weight
(jiqun.scoring.hierarchy).

References
----------
Aczél, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. *Journal of Mathematical
Psychology* 27(1), 93–102.
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the analytic
hierarchy process. *European Journal of Operational Research* 108(1), 165–169.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from jiqun.scoring import ahp
from jiqun.scoring.ahp import CR_THRESHOLD
from jiqun.scoring.hierarchy import AhpHierarchyResult, ahp_hierarchy

SAATY_SCALE: tuple[str, ...] = ("9", "8", "7", "6", "5", "4", "3", "2", "1",
                                "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/9")
TOP = "D"  # the key of the dimensions' matrix; the matrix within the k-th dimension is "D{k}" (k from 1)
GOAL = "goal"
FORM = "two-level"


@dataclass(frozen=True)
class Matrix:
    """One comparison matrix of the hierarchy: its key, title, and the codes and names it compares."""

    key: str
    title: str
    codes: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The upper-triangle cells (i < j), row by row: the order judgements are entered and stored in."""
        n = len(self.codes)
        return [(i, j) for i in range(n) for j in range(i + 1, n)]


def structure_of(items: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The hierarchy of a scheme's items given as (code, name, dimension) in scheme order: dimensions in the
    order they first appear, each with its indicators."""
    dimensions: list[str] = []
    groups: dict[str, list[list[str]]] = {}
    for code, name, dimension in items:
        if dimension not in groups:
            dimensions.append(dimension)
            groups[dimension] = []
        groups[dimension].append([code, name])
    return {"dimensions": dimensions, "groups": [groups[d] for d in dimensions]}


def matrices_of(structure: dict[str, Any]) -> list[Matrix]:
    """Every matrix with at least one judgement: the dimensions' (when there are two or more) and, for each
    dimension with two or more indicators, its indicators'."""
    dimensions = structure["dimensions"]
    found = []
    if len(dimensions) > 1:
        found.append(Matrix(TOP, _("维度之间"), tuple(dimensions), tuple(dimensions)))
    for k, (dimension, group) in enumerate(zip(dimensions, structure["groups"], strict=True), start=1):
        if len(group) > 1:
            found.append(Matrix(f"{TOP}{k}", _("维度“%(name)s”内的指标") % {"name": dimension},
                                tuple(c for c, _n in group), tuple(n for _c, n in group)))
    return found


def saaty_value(text: object) -> float:
    """The number a Saaty choice stands for; ValueError when it is not on the scale."""
    value = str(text).strip()
    if value not in SAATY_SCALE:
        raise ValueError(value)
    top, _slash, bottom = value.partition("/")
    return float(top) / float(bottom) if bottom else float(top)


def full_matrix(upper: list[str], n: int) -> np.ndarray:
    """The n×n reciprocal matrix of an upper triangle given row by row."""
    a = np.ones((n, n))
    pairs = [(row, col) for row in range(n) for col in range(row + 1, n)]
    for (i, j), text in zip(pairs, upper, strict=True):
        a[i, j] = saaty_value(text)
        a[j, i] = 1.0 / a[i, j]
    return a


def consistency_ratio(matrix: Matrix, upper: list[str]) -> float:
    """Saaty's CR of one expert's matrix (0 for n ≤ 2)."""
    return float(ahp(full_matrix(upper, len(matrix.codes)), names=matrix.codes).cr)


def geometric_mean(matrices: list[np.ndarray]) -> np.ndarray:
    """The element-wise geometric mean of several experts' matrices (AIJ); reciprocal when they are."""
    return np.exp(np.mean(np.log(np.stack(matrices)), axis=0))


def hierarchy(structure: dict[str, Any], matrices: dict[str, Any]) -> AhpHierarchyResult:
    """Synthesise the two-level hierarchy from full matrices by key (a missing one is a single element)."""
    dimensions = structure["dimensions"]
    nodes = {GOAL: ([f"dim:{d}" for d in dimensions], matrices.get(TOP, [[1.0]]))}
    for k, (dimension, group) in enumerate(zip(dimensions, structure["groups"], strict=True), start=1):
        nodes[f"dim:{dimension}"] = ([c for c, _n in group], matrices.get(f"{TOP}{k}", [[1.0]]))
    return ahp_hierarchy(nodes, root=GOAL)


def stored_form(structure: dict[str, Any], matrices: dict[str, np.ndarray], **about: Any) -> dict[str, Any]:
    """What a scheme version keeps in `ahp_judgements` so that a run reproduces: the hierarchy and its
    aggregated matrices (the single-matrix form of a YAML pack is a plain list instead)."""
    return {"form": FORM, "dimensions": structure["dimensions"],
            "groups": [[c for c, _n in group] for group in structure["groups"]],
            "matrices": {key: m.tolist() for key, m in matrices.items()}, **about}


def stored_hierarchy(stored: dict[str, Any]) -> AhpHierarchyResult:
    """The hierarchy of a stored two-level form (see `stored_form`)."""
    structure = {"dimensions": stored["dimensions"], "groups": [[[c, c] for c in g] for g in stored["groups"]]}
    return hierarchy(structure, stored["matrices"])


__all__ = ["CR_THRESHOLD", "SAATY_SCALE", "Matrix", "consistency_ratio", "full_matrix", "geometric_mean",
           "hierarchy", "matrices_of", "saaty_value", "stored_form", "stored_hierarchy", "structure_of"]
