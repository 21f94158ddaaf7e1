"""Programme structure: clusters by tier ("3830"), clusters per scale tier, and the enterprise echelon,
each beside the goals the programme sets for it."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.clusters.models import Tier
from jiqun.clusters.selectors import tier_histories
from jiqun.enterprises.models import HonourKind
from jiqun.programmes.models import Programme
from jiqun.targets import progress as P
from jiqun.targets.figures import ProgrammeData
from jiqun.targets.selectors import Row

SCALE_LABELS = {100: gettext_lazy("百亿级"), 300: gettext_lazy("300亿级"), 500: gettext_lazy("500亿级"),
                1000: gettext_lazy("千亿级"), 3000: gettext_lazy("3000亿级"), 5000: gettext_lazy("5000亿级")}
SCALE_TIERS = list(SCALE_LABELS)  # thresholds in 亿元
# The enterprise echelon, top first: (honour, level or None for any, label)
ECHELONS = [
    ("world_class", None, gettext_lazy("世界一流企业")), ("leader", None, gettext_lazy("制造业领航企业")),
    ("single_champion", "national", gettext_lazy("国家级单项冠军")),
    ("single_champion", "provincial", gettext_lazy("省级单项冠军")),
    ("little_giant", None, gettext_lazy("专精特新“小巨人”")),
    ("specialized", "provincial_or_above", gettext_lazy("省级以上专精特新")),
    ("gazelle", None, gettext_lazy("瞪羚企业")), ("unicorn", None, gettext_lazy("独角兽企业")),
    ("hightech", None, gettext_lazy("高新技术企业")),
]


@dataclass
class StructureLine:
    label: str
    count: int | None
    goals: list[Row]
    members: list[str]
    note: str = ""


def _goal_rows(rows: list[Row], indicator: str, match) -> list[Row]:
    return [r for r in rows if r.target.indicator.code == indicator and r.subject.kind in ("province", "city")
            and match(r.target.params or {})]


def programme_structure(programme: Programme, rows: list[Row], as_of: datetime.date) -> dict:
    """Tier counts ("3830"), clusters per scale tier and enterprise echelons, each beside its goals."""
    data = ProgrammeData(programme, as_of)
    clusters = set(data.clusters)
    tiers = []
    held = {c: history.on(as_of) for c, history in tier_histories(clusters).items()}  # the tier on the page's date
    for value, label in Tier.choices:
        chosen = sorted(data.clusters[c].name for c in clusters if held.get(c) == value)
        tiers.append(StructureLine(str(label), len(chosen), _goal_rows(rows, "count_clusters",
                                                                        lambda p, v=value: p.get("tier") == v), chosen))

    measures = [(r.target.params or {}).get("measure") for r in rows if r.target.indicator.code == "count_clusters_over"]
    measure = next((m for m in measures if m), "revenue")
    year = max((y for y in data.years_with_data if P.year_end(y) <= as_of), default=None)
    scale = []
    for threshold in SCALE_TIERS:
        label = str(SCALE_LABELS[threshold])
        members, count = [], None
        if year is not None:
            figures = {c: data.full_year(c, measure, year) for c in clusters}
            members = sorted(_("%(name)s（%(value)s亿元）") % {"name": data.clusters[c].name, "value": f"{v / 10000:,.0f}"}
                             for c, v in figures.items()
                             if v is not None and v >= threshold * 10000)
            count = len(members)
        goals = _goal_rows(rows, "count_clusters_over", lambda p, t=threshold: Decimal(str(p.get("threshold", 0))) == t)
        scale.append(StructureLine(label, count, goals, members))

    echelons = []
    members = data.members(clusters)
    for honour, level, label in ECHELONS:
        held = sorted({members[e] for e in members for h in data.honours.get(e, [])
                       if h.kind == honour and h.valid_in(as_of.year)
                       and (level is None or h.level in ({"national", "provincial"} if level == "provincial_or_above"
                                                         else {level}))})
        goals = _goal_rows(rows, "count_enterprises_with_honour",
                           lambda p, h=honour, lv=level: p.get("honour") == h and (lv is None or p.get("level") in (None, lv)))
        echelons.append(StructureLine(str(label), len(held), goals, held))
    return {"tiers": tiers, "scale": scale, "scale_year": year, "measure": measure, "echelons": echelons,
            "honour_labels": dict(HonourKind.choices)}
