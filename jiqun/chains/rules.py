"""The chain map's rules as plain functions of their inputs: the 强/弱/缺 rating of a segment, a parent's rating
from its children, the local supporting rate (本地配套率), and the distance of the radius scope.

No database and no Django import, so every rule is checked on hand-computed cases. docs/chains-rules.md
explains each rule and why each default is what it is; jiqun/chains/analysis.py gathers the inputs.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

STRONG, WEAK, MISSING = "strong", "weak", "missing"
RANK = {MISSING: 0, WEAK: 1, STRONG: 2}

AMOUNT, COUNT = "amount", "count"  # the basis of a rate: value-weighted (万元) or distinct suppliers counted

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG)


@dataclass(frozen=True)
class Param:
    """One parameter of the rating rule: its default and what values it takes."""

    default: object
    kind: str  # "int", "percent", "bool" or "choice"
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()


PARAMS: dict[str, Param] = {
    # local enterprises (a 链主/龙头 and a producing project weighted below) a segment needs for 强
    "strong_min_enterprises": Param(3, "int", 1, 1000),
    # of the local registry enterprises, how many must be 规模以上 (latest status up to the year) for 强
    "strong_min_above_scale": Param(1, "int", 0, 1000),
    # % of the segment's purchases bought locally for 强 (value-weighted; see count_share_decides)
    "strong_min_local_share": Param(Decimal(50), "percent"),
    # a local 链主 or 龙头 counts as this many enterprises
    "leader_counts_as": Param(2, "int", 1, 10),
    # a project linked to the segment at stage 投产 counts as this many local enterprises (0: ignored)
    "project_counts_as": Param(1, "int", 0, 10),
    # whether a count-based share (only supplier counts known) is held against strong_min_local_share
    "count_share_decides": Param(False, "bool"),
    # whether a segment bought only from outside the region can never be 强
    "outside_only_is_weak": Param(True, "bool"),
    # how a parent segment with nothing of its own is rated from its children: the weakest or the strongest
    "parent_rule": Param("weakest", "choice", choices=("weakest", "strongest")),
}
DEFAULTS: dict[str, object] = {key: p.default for key, p in PARAMS.items()}


@dataclass(frozen=True)
class Problem:
    """A refused parameter: the key, what is wrong ("unknown", "type", "range", "choice"), and the Param."""

    key: str
    what: str
    param: Param | None = None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_percent(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _as_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def check_params(params: object) -> tuple[dict[str, object], list[Problem]]:
    """The rule's parameters with a chain's overrides applied, and what is wrong with the overrides.

    Overrides must be a mapping of known keys to values of the right kind and range; a wrong one is a
    problem and its default is kept, so the result is always usable."""
    result = dict(DEFAULTS)
    if params is None:
        return result, []
    if not isinstance(params, Mapping):
        return result, [Problem("", "mapping")]
    problems = []
    for key, value in params.items():
        param = PARAMS.get(key) if isinstance(key, str) else None
        if param is None:
            problems.append(Problem(str(key), "unknown"))
            continue
        if param.kind == "int":
            number = _as_int(value)
            if number is None:
                problems.append(Problem(key, "type", param))
            elif not param.low <= number <= param.high:
                problems.append(Problem(key, "range", param))
            else:
                result[key] = number
        elif param.kind == "percent":
            share = _as_percent(value)
            if share is None:
                problems.append(Problem(key, "type", param))
            elif not Decimal(0) <= share <= HUNDRED:
                problems.append(Problem(key, "range", param))
            else:
                result[key] = share
        elif param.kind == "bool":
            flag = _as_bool(value)
            if flag is None:
                problems.append(Problem(key, "type", param))
            else:
                result[key] = flag
        elif value not in param.choices:
            problems.append(Problem(key, "choice", param))
        else:
            result[key] = value
    return result, problems


def rate_segment(*, local_enterprises: int, above_scale: int, leaders: int, producing_projects: int,
                 share: Decimal | None, outside_only: bool, params: Mapping[str, object]) -> str:
    """The 强/弱/缺 rule.

    缺 (missing): no local enterprise and no counted producing project.
    强 (strong): all of
      - weight = local enterprises + leaders × (leader_counts_as − 1) + producing projects × project_counts_as
        reaches strong_min_enterprises;
      - at least strong_min_above_scale local enterprises are 规模以上;
      - not bought only from outside (when outside_only_is_weak);
      - the local share, when it is given, reaches strong_min_local_share (the caller gives it when it is
        value-weighted, or count-based with count_share_decides).
    弱 (weak): present, but not 强.
    """
    projects = producing_projects if int(params["project_counts_as"]) > 0 else 0
    if local_enterprises + projects == 0:
        return MISSING
    weight = (local_enterprises + leaders * (int(params["leader_counts_as"]) - 1)
              + projects * int(params["project_counts_as"]))
    strong = (weight >= int(params["strong_min_enterprises"])
              and above_scale >= int(params["strong_min_above_scale"])
              and not (outside_only and params["outside_only_is_weak"])
              and (share is None or share >= Decimal(str(params["strong_min_local_share"]))))
    return STRONG if strong else WEAK


def parent_rating(children: Iterable[str], rule: str = "weakest") -> str:
    """A parent segment with nothing of its own takes the weakest (or, by its chain's rule, the strongest) of
    its children's ratings."""
    ratings = list(children)
    if not ratings:
        return MISSING
    pick = min if rule == "weakest" else max
    return pick(ratings, key=RANK.__getitem__)


class Bought(Protocol):
    """What the rate reads of a purchase: its supplier, whether it is local (None: cannot be told) and its
    amount (万元, None when only the link is known)."""

    supplier_key: str
    local: bool | None
    amount: Decimal | None


def local_rate(purchases: Iterable[Bought]) -> tuple[Decimal | None, str]:
    """Local purchases ÷ all purchases × 100, to two decimals.

    Purchases whose locality cannot be told (radius scope without coordinates) are left out of both sides.
    Value-weighted ("amount") when every purchase left has an amount and they sum above zero; otherwise the
    share of distinct suppliers that are local ("count"), a supplier counting as local when it is local to any
    of its purchases. (None, "") when nothing is left."""
    known = [p for p in purchases if p.local is not None]
    if not known:
        return None, ""
    if all(p.amount is not None for p in known):
        total = sum((p.amount for p in known), Decimal(0))
        if total > 0:
            local = sum((p.amount for p in known if p.local), Decimal(0))
            return (local * HUNDRED / total).quantize(CENT, ROUND_HALF_UP), AMOUNT
    suppliers: dict[str, bool] = {}
    for p in known:
        suppliers[p.supplier_key] = suppliers.get(p.supplier_key, False) or bool(p.local)
    local_count = sum(1 for is_local in suppliers.values() if is_local)
    return (Decimal(local_count) * HUNDRED / len(suppliers)).quantize(CENT, ROUND_HALF_UP), COUNT


def distance_km(lat1: Decimal | float, lon1: Decimal | float, lat2: Decimal | float,
                lon2: Decimal | float) -> Decimal:
    """The great-circle (haversine) distance between two points in kilometres, to one decimal."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    return Decimal(str(km)).quantize(Decimal("0.1"), ROUND_HALF_UP)
