"""Agglomeration and specialisation measures: location quotient, HHI, Ellison–Glaeser γ, Krugman index.

References
----------
Isard, W. (1960). *Methods of Regional Analysis.* MIT Press (location quotient).
Farhauer, O. & Kröll, A. (2013/2014). *Standorttheorien.* Springer Gabler (worked examples reproduced
by the R package REAT, which the tests use).
Herfindahl, O. C. (1950). *Concentration in the U.S. Steel Industry.* PhD thesis, Columbia University.
Hirschman, A. O. (1964). The paternity of an index. *American Economic Review* 54(5), 761.
U.S. Department of Justice & Federal Trade Commission (2023). *Merger Guidelines* (the 0–10,000 scale).
Ellison, G. & Glaeser, E. L. (1997). Geographic concentration in U.S. manufacturing industries: a
dartboard approach. *Journal of Political Economy* 105(5), 889–927.
Krugman, P. (1991). *Geography and Trade.* MIT Press.
Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J. & Venables, A. J. (2000). The location of
European industry. European Commission, Economic Papers 142 (the index against the rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jiqun.scoring.errors import input_error


def _table(
    values: Any, rows: Sequence[str] | None, cols: Sequence[str] | None, what: tuple[str, str]
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    try:
        x = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise input_error("the table holds values that are not numbers", "数据表含有非数值单元格") from None
    if x.ndim != 2 or 0 in x.shape:
        raise input_error(
            f"the table must be a non-empty 2-D array, got shape {x.shape}", "数据表须为非空二维表"
        )
    row_names = tuple(f"{what[0]}{i + 1}" for i in range(x.shape[0])) if rows is None else tuple(rows)
    col_names = tuple(f"{what[1]}{j + 1}" for j in range(x.shape[1])) if cols is None else tuple(cols)
    if len(row_names) != x.shape[0] or len(col_names) != x.shape[1]:
        raise input_error("row or column names do not match the table", "行名或列名与数据表不符")
    bad = ~np.isfinite(x) | (x < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise input_error(
            f"row {row_names[i]!r}, column {col_names[j]!r}: value {x[i, j]:g} must be a finite number ≥ 0",
            "取值须为非负有限数",
        )
    return x, row_names, col_names


@dataclass(frozen=True, eq=False)
class LocationQuotientResult:
    """Location quotients LQ_ij = (e_ij / e_j) / (E_i / E), industries in rows, regions in columns.

    Attributes
    ----------
    industries, regions : tuple of str
    lq : ndarray, shape (industries, regions)
    regional_share : ndarray
        e_ij / e_j, the industry's share of the region's total.
    reference_share : ndarray
        E_i / E, the industry's share of the whole table (the reference economy).
    """

    industries: tuple[str, ...]
    regions: tuple[str, ...]
    lq: np.ndarray
    regional_share: np.ndarray
    reference_share: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "industries": list(self.industries),
            "regions": list(self.regions),
            "lq": self.lq.tolist(),
            "regional_share": self.regional_share.tolist(),
            "reference_share": self.reference_share.tolist(),
        }


def location_quotient(
    table: Any, *, industries: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> LocationQuotientResult:
    """Return the location quotient of every industry in every region (Isard 1960).

    LQ_ij = (e_ij / e_j) / (E_i / E), where e_ij is the employment (or output) of industry i in region j,
    e_j = Σ_i e_ij the region's total, E_i = Σ_j e_ij the industry's total and E the grand total. The
    reference economy is the whole table, so the table must list every region (and every industry, or a
    row for all others). LQ > 1: the region is more specialised in the industry than the reference.
    """
    x, rows, cols = _table(table, industries, regions, ("I", "R"))
    region_total = x.sum(axis=0)
    industry_total = x.sum(axis=1)
    if (region_total == 0).any():
        raise input_error(
            f"region {cols[int(np.argmax(region_total == 0))]!r} has a total of 0", "该地区合计为 0"
        )
    if (industry_total == 0).any():
        raise input_error(
            f"industry {rows[int(np.argmax(industry_total == 0))]!r} has a total of 0", "该产业合计为 0"
        )
    regional = x / region_total
    reference = industry_total / industry_total.sum()
    return LocationQuotientResult(rows, cols, regional / reference[:, None], regional, reference)


@dataclass(frozen=True, eq=False)
class HhiResult:
    """Herfindahl–Hirschman index of one distribution.

    Attributes
    ----------
    units : tuple of str
    shares : ndarray
        s_k = v_k / Σ v.
    hhi : float
        H = Σ s_k², between 1/N and 1.
    hhi_10000 : float
        10,000 H (shares in per cent, the merger-guideline scale).
    hhi_normalized : float or None
        H* = (H − 1/N)/(1 − 1/N), between 0 and 1; None when N = 1.
    n : int
    """

    units: tuple[str, ...]
    shares: np.ndarray
    hhi: float
    hhi_10000: float
    hhi_normalized: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "units": list(self.units),
            "shares": self.shares.tolist(),
            "hhi": self.hhi,
            "hhi_10000": self.hhi_10000,
            "hhi_normalized": self.hhi_normalized,
            "n": self.n,
        }


def hhi(values: Sequence[float] | np.ndarray, *, units: Sequence[str] | None = None) -> HhiResult:
    """Return the Herfindahl–Hirschman index of values or shares (they are divided by their sum).

    Examples
    --------
    Dörsam's car-makers example (as in REAT): sales 20, 50, 20, 10 give H = 0.34 and H* = 0.12.

    >>> r = hhi([20, 50, 20, 10])
    >>> round(r.hhi, 2), round(r.hhi_10000), round(r.hhi_normalized, 2)
    (0.34, 3400, 0.12)
    """
    x, names, _ = _table(np.asarray(values, dtype=np.float64).reshape(-1, 1), units, ["value"], ("U", "V"))
    v = x[:, 0]
    total = v.sum()
    if total == 0:
        raise input_error("all values are 0, so the shares are undefined", "所有取值均为 0，无法计算份额")
    shares = v / total
    h = float(shares @ shares)
    n = v.size
    normalized = None if n == 1 else (h - 1.0 / n) / (1.0 - 1.0 / n)
    return HhiResult(names, shares, h, 10000.0 * h, normalized, n)


@dataclass(frozen=True, eq=False)
class EllisonGlaeserResult:
    """Ellison–Glaeser index of geographic concentration of one industry.

    Attributes
    ----------
    gamma : float
        γ = [G − (1 − Σ x_r²) H] / [(1 − Σ x_r²)(1 − H)].
    g : float
        Raw concentration G = Σ_r (s_r − x_r)².
    h : float
        Plant Herfindahl H = Σ_k z_k² of the firms' shares of the industry.
    sum_x2 : float
        Σ_r x_r².
    regions : tuple of str
    industry_share, aggregate_share : ndarray
        s_r (the industry's employment share in region r) and x_r (the region's share of aggregate employment).
    """

    gamma: float
    g: float
    h: float
    sum_x2: float
    regions: tuple[str, ...]
    industry_share: np.ndarray
    aggregate_share: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "gamma": self.gamma,
            "g": self.g,
            "h": self.h,
            "sum_x2": self.sum_x2,
            "regions": list(self.regions),
            "industry_share": self.industry_share.tolist(),
            "aggregate_share": self.aggregate_share.tolist(),
        }


def ellison_glaeser(
    firm_employment: Sequence[float] | np.ndarray,
    firm_region: Sequence[str],
    region_aggregate: Mapping[str, float],
) -> EllisonGlaeserResult:
    """Return the Ellison–Glaeser (1997) index γ of one industry from firm-level data.

    Parameters
    ----------
    firm_employment : sequence of float
        Employment of each firm (plant) of the industry.
    firm_region : sequence of str
        The region of each firm.
    region_aggregate : mapping of str to float
        Every region's aggregate employment (all industries) or its share x_r; divided by the sum, so it
        must list every region, including those without a firm of the industry.

    Notes
    -----
    γ = [G − (1 − Σ x_r²) H] / [(1 − Σ x_r²)(1 − H)] with G = Σ_r (s_r − x_r)² and H = Σ_k z_k²
    (Ellison & Glaeser 1997). E(γ) = 0 when firms locate at random ("dartboard"); EG read γ > 0.05 as
    highly and γ < 0.02 as not very localised.

    Examples
    --------
    Farhauer & Kröll's example (as in REAT's ``ellison.a``) gives γ = 0.05990628.
    """
    e = np.asarray(firm_employment, dtype=np.float64)
    regions = tuple(str(r) for r in region_aggregate)
    if e.ndim != 1 or e.size != len(firm_region) or e.size == 0:
        raise input_error("give one region per firm", "每个企业须对应一个地区")
    if not np.isfinite(e).all() or (e < 0).any():
        raise input_error("firm employment must be finite and ≥ 0", "企业就业人数须为非负有限数")
    x = np.array([region_aggregate[r] for r in regions], dtype=np.float64)
    if not np.isfinite(x).all() or (x < 0).any() or x.sum() == 0:
        raise input_error("regional aggregates must be ≥ 0 with a positive sum", "地区总量须为非负且合计为正")
    index = {r: k for k, r in enumerate(regions)}
    unknown = [r for r in firm_region if str(r) not in index]
    if unknown:
        raise input_error(
            f"firm region {unknown[0]!r} has no aggregate employment", f"地区 {unknown[0]!r} 缺少总就业数据"
        )
    total = e.sum()
    if total == 0:
        raise input_error("the industry has no employment", "该产业就业人数为 0")
    x = x / x.sum()
    s = np.bincount([index[str(r)] for r in firm_region], weights=e, minlength=len(regions)) / total
    z = e / total
    h = float(z @ z)
    sum_x2 = float(x @ x)
    if h >= 1.0 or sum_x2 >= 1.0:
        raise input_error(
            "γ needs at least two firms with employment and two regions",
            "γ 至少需要两个有就业的企业和两个地区",
        )
    g = float(((s - x) ** 2).sum())
    gamma = (g - (1.0 - sum_x2) * h) / ((1.0 - sum_x2) * (1.0 - h))
    return EllisonGlaeserResult(gamma, g, h, sum_x2, regions, s, x)


def krugman_index(region: Sequence[float] | np.ndarray, reference: Sequence[float] | np.ndarray) -> float:
    """Return K = Σ_i |s_i − s̄_i|, the Krugman (1991) dissimilarity of two industry structures.

    Both are given as employment (or shares) by industry and divided by their sums. K = 0 for identical
    structures, K = 2 for structures without a common industry.
    """
    a = np.asarray(region, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise input_error("both structures need the same industries", "两组产业结构须包含相同产业")
    for v in (a, b):
        if not np.isfinite(v).all() or (v < 0).any() or v.sum() == 0:
            raise input_error(
                "employment by industry must be ≥ 0 with a positive total", "分产业就业须非负且合计为正"
            )
    return float(np.abs(a / a.sum() - b / b.sum()).sum())


@dataclass(frozen=True, eq=False)
class KrugmanResult:
    """Krugman specialisation index of every region against a reference."""

    regions: tuple[str, ...]
    index: np.ndarray
    reference: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"regions": list(self.regions), "index": self.index.tolist(), "reference": self.reference}


def krugman_specialisation(
    table: Any,
    *,
    industries: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    reference: str = "rest",
) -> KrugmanResult:
    """Return the Krugman specialisation index of each region (industries in rows, regions in columns).

    K_j = Σ_i |e_ij / e_j − ē_ij|, where ē_ij is industry i's share in the reference:
    ``rest`` (default): all other regions together (Midelfart-Knarvik et al. 2000);
    ``total``: the whole table, the region included.
    """
    if reference not in ("rest", "total"):
        raise input_error(
            f"unknown reference {reference!r}; choose rest or total", f"未知的参照区域 {reference!r}"
        )
    x, _, cols = _table(table, industries, regions, ("I", "R"))
    if x.shape[1] < 2:
        raise input_error("the index needs at least two regions", "至少需要两个地区")
    total = x.sum(axis=1)
    index = np.array(
        [krugman_index(x[:, j], total - x[:, j] if reference == "rest" else total) for j in range(x.shape[1])]
    )
    return KrugmanResult(cols, index, reference)
