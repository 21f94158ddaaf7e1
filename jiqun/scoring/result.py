"""The result of a scoring run: scores, ranks, weights, every intermediate table and the parameters.

A result round-trips through JSON (:meth:`ScoreResult.to_json` / :meth:`ScoreResult.from_json`), so a
stored run can be shown again and re-run (:meth:`ScoreResult.rerun`) from its own input snapshot.

Stored formats: 2 always carries the normalised and weighted matrices and every weight table; 3 (written now)
may leave out what is derived from the input bit for bit (``to_dict(derived=False)``): the normalised and
weighted matrices and the weight tables as large as the matrix (entropy's proportions, CRITIC's normalised
matrix). Both are read; a table that is stored is shown as stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from jiqun.scoring.matrix import DecisionMatrix
from jiqun.scoring.normalize import Scaling
from jiqun.scoring.weights import MATRIX_TABLES, WeightResult, matrix_tables

FORMAT = 3
READ_FORMATS = (2, 3)


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Scores and ranks of the alternatives with everything needed to explain and repeat them.

    Attributes
    ----------
    matrix : DecisionMatrix
        The input snapshot.
    weights : WeightResult
        The weights used, with their own method, parameters and tables.
    params : dict
        The parameters of the run: 'method', 'normalization', 'cost_rule', 'ideal', 'bounds', 'ties',
        'digits', 'grade_thresholds', 'grade_labels', 'weights' (the weighting method, or 'given'),
        'entropy_variant'.
    scaling : Scaling
        The column statistics of the normalisation (e.g. each column's √Σx²), from which
        :attr:`normalized` is rebuilt exactly.
    scores : ndarray, shape (m,)
        Higher is better (TOPSIS closeness, or the weighted sum).
    ranks : ndarray of int, shape (m,)
        1 = best, under params['ties'].
    tables : dict of str to ndarray
        Method tables; for TOPSIS 'ideal', 'anti_ideal', 'distance_to_ideal', 'distance_to_anti_ideal'.
    grades : tuple of str, optional
        One grade per alternative when thresholds were given.
    stored_normalized : ndarray, optional
        The normalised matrix as read from a stored result; None until :attr:`normalized` is first used
        on a fresh result.
    """

    matrix: DecisionMatrix
    weights: WeightResult
    params: dict[str, Any]
    scaling: Scaling
    scores: np.ndarray
    ranks: np.ndarray
    tables: dict[str, np.ndarray]
    grades: tuple[str, ...] | None = None
    stored_normalized: np.ndarray | None = field(default=None, repr=False)

    @property
    def normalized(self) -> np.ndarray:
        """Return the normalised matrix r (shape (m, n)), rebuilt from the input on first use.

        Scoring works through the matrix a block of rows at a time and does not keep r, which for a
        large matrix would double the memory; the same element-by-element steps rebuild it bit for bit.
        """
        if self.stored_normalized is None:
            normalized = self.scaling.apply(self.matrix.values)
            normalized.flags.writeable = False
            object.__setattr__(self, "stored_normalized", normalized)
        return self.stored_normalized  # type: ignore[return-value]

    @property
    def alternatives(self) -> tuple[str, ...]:
        """Return the names of the alternatives."""
        return self.matrix.alternatives

    @property
    def weighted(self) -> np.ndarray:
        """Return the weighted normalised matrix v_ij = w_j r_ij (computed on demand, not stored)."""
        return self.normalized * self.weights.weights

    def ranking(self) -> list[tuple[int, str, float]]:
        """Return (rank, alternative, score) from best to worst; ties keep the input order."""
        order = np.argsort(self.ranks, kind="stable")
        return [(int(self.ranks[i]), self.alternatives[i], float(self.scores[i])) for i in order]

    def _weights_derived(self) -> bool:
        """Whether the weights were computed from this result's matrix (not given), so their tables as large as
        the matrix can be rebuilt from it."""
        return self.params["weights"] == self.weights.method

    def to_dict(self, *, derived: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict holding the input, the parameters and every table.

        With ``derived=False`` the tables that :meth:`from_dict` rebuilds bit for bit from the input are left
        out: the normalised and weighted matrices, and the weight tables as large as the matrix when the
        weights were computed from it (three quarters of a large result's numbers).
        """
        omit = MATRIX_TABLES.get(self.weights.method, ()) if not derived and self._weights_derived() else ()
        data = {
            "format": FORMAT,
            "matrix": self.matrix.to_dict(),
            "weights": self.weights.to_dict(omit=omit),
            "params": self.params,
            "normalization": self.scaling.to_dict(),
        }
        if derived:
            data["normalized"] = self.normalized.tolist()
            data["weighted"] = self.weighted.tolist()
        data.update({
            "scores": self.scores.tolist(),
            "ranks": self.ranks.tolist(),
            "tables": {k: v.tolist() for k, v in self.tables.items()},
            "grades": None if self.grades is None else list(self.grades),
        })
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreResult:
        """Rebuild a result from :meth:`to_dict` output, of this format or of format 2.

        The weighted matrix is always derived, not read; the normalised matrix and the weight tables as large
        as the matrix are read when stored and rebuilt from the input when not.
        """
        if data.get("format") not in READ_FORMATS:
            raise ValueError(f"unsupported result format {data.get('format')!r}")
        arrays = {
            "stored_normalized": np.array(data["normalized"], dtype=np.float64) if "normalized" in data else None,
            "scores": np.array(data["scores"], dtype=np.float64),
            "ranks": np.array(data["ranks"], dtype=np.int64),
        }
        tables = {k: np.array(v, dtype=np.float64) for k, v in data["tables"].items()}
        for array in (*arrays.values(), *tables.values()):
            if array is not None:
                array.flags.writeable = False
        matrix = DecisionMatrix.from_dict(data["matrix"])
        params = dict(data["params"])
        weights = WeightResult.from_dict(data["weights"])
        left_out = [k for k in MATRIX_TABLES.get(weights.method, ()) if k not in weights.tables]
        if left_out and params["weights"] == weights.method:
            rebuilt = matrix_tables(weights.method, weights.params, matrix)
            weights = replace(weights, tables={**{k: rebuilt[k] for k in left_out}, **weights.tables})
        return cls(
            matrix=matrix,
            weights=weights,
            params=params,
            scaling=Scaling.from_dict(data["normalization"]),
            tables=tables,
            grades=None if data.get("grades") is None else tuple(data["grades"]),
            **arrays,
        )

    def to_json(self, indent: int | None = None) -> str:
        """Return the result as JSON (UTF-8 text, Chinese names kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> ScoreResult:
        """Rebuild a result from :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))

    def rerun(self) -> ScoreResult:
        """Recompute the result from the stored input and parameters."""
        from jiqun.scoring.score import score  # score.py imports this module, so import at call time

        p = self.params
        return score(
            self.matrix,
            weights=self.weights if p["weights"] == "given" else p["weights"],
            method=p["method"],
            normalization=p["normalization"],
            cost_rule=p["cost_rule"],
            entropy_variant=p["entropy_variant"],
            bounds=None if p["bounds"] is None else (p["bounds"][0], p["bounds"][1]),
            ideal=p["ideal"],
            ties=p["ties"],
            digits=p["digits"],
            grade_thresholds=p["grade_thresholds"],
            grade_labels=p["grade_labels"],
        )
