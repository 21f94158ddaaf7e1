"""A target's parameters in words: `{'tier': 'world', 'kind': 'advanced-manufacturing'}` reads “世界级，先进制造业集群”.

The one place that turns the parameters of a count target (see the `params` of the count indicators in
jiqun/programmes/packs/indicators.yaml) into a Chinese phrase; the target pages, the programme page, the
Excel export and the `targets` command all show this phrase, never the dict or its codes. `phrase` is pure:
the names that live in the database (the programme's cluster kinds, the indicators a size is measured by)
are handed in by `target_phrase`.
"""

import re
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.clusters.models import Tier
from jiqun.enterprises.models import CarrierKind, HonourKind, HonourLevel

# Levels a count may ask for: a tier of a cluster, a level of an honour or a carrier, or "provincial or above".
LEVELS = {**dict(HonourLevel.choices), **dict(Tier.choices), "provincial_or_above": gettext_lazy("省级及以上")}
# Kinds of carriers and smart factories that have no registry choice (yet): named here, so no code shows.
OTHER_KINDS = {
    "innovation_community": gettext_lazy("创新创业共同体"),
    "smart_factory": gettext_lazy("智能工厂"),
    "digital_workshop": gettext_lazy("数字化车间"),
    "lighthouse": gettext_lazy("灯塔工厂"),
}
PROJECT_STAGES = {"planning": gettext_lazy("谋划"), "reserve": gettext_lazy("储备"), "started": gettext_lazy("开工"), "completed": gettext_lazy("竣工")}
UNKNOWN = gettext_lazy("（未识别的条件）")
# A catalogue description names parameters by code (it is written for whoever writes a pack).
CODE_WORD = re.compile(r"[a-z]+_[a-z_]+|(?<![A-Za-z])(?:tier|kind|level|since|threshold|unit|measure|below|honour|stage)(?![A-Za-z])")


def _amount(value, unit: str) -> str:
    number = Decimal(str(value))
    return f"{number.normalize():f}{unit}"


def _name(table: Mapping[str, str], code) -> str:
    return str(table.get(str(code), UNKNOWN))


def phrase(params: Mapping, *, kinds: Mapping[str, str] | None = None,
           measures: Mapping[str, str] | None = None) -> str:
    """The parameters of one target as a Chinese phrase, "" when there are none.

    `kinds` names the programme's cluster kinds by code; `measures` names the indicators a size may be measured
    by (revenue, operating_revenue, output_value). A value this module does not know reads “（未识别的条件）”.
    """
    kinds, measures = kinds or {}, measures or {}
    parts: list[str] = []
    # A level reads before the thing it qualifies: 世界级先进制造业集群, 国家级单项冠军, 省级及以上创新载体.
    tier = _name(LEVELS, params["tier"]) if params.get("tier") else ""
    level = _name(LEVELS, params["level"]) if params.get("level") else ""
    kind = str(params.get("kind") or "")
    if kind in kinds:
        parts.append(tier + kinds[kind])
    else:
        if tier:
            parts.append(tier + _("集群"))
        if kind:
            parts.append(level + _name({**dict(CarrierKind.choices), **OTHER_KINDS}, kind))
            level = ""
    if params.get("honour"):
        parts.append(level + _name(dict(HonourKind.choices), params["honour"]))
        level = ""
    if level:
        parts.append(level)
    if params.get("cluster_tier"):
        parts.append(_("只计%(tier)s集群") % {"tier": _name(LEVELS, params["cluster_tier"])})
    if params.get("threshold") is not None:
        unit = params.get("unit") or "亿元"
        measure = params.get("measure") or "revenue"
        named = {"revenue": _("主营业务收入"), **measures}
        text = _("%(measure)s%(amount)s及以上") % {"measure": _name(named, measure),
                                                  "amount": _amount(params["threshold"], unit)}
        if params.get("below") is not None:
            text += _("、不足%(amount)s") % {"amount": _amount(params["below"], unit)}
        parts.append(text)
    if params.get("min_investment") is not None:
        parts.append(_("计划总投资%(amount)s及以上") % {"amount": _amount(params["min_investment"],
                                                                      params.get("unit") or "亿元")})
    if params.get("stage"):
        parts.append(_("%(stage)s阶段") % {"stage": _name(PROJECT_STAGES, params["stage"])})
    if params.get("since"):
        parts.append(_("%(year)s年起新增") % {"year": params["since"]})
    return "，".join(str(p) for p in parts)


def target_phrase(target) -> str:
    """`phrase` for a target, with its programme's cluster kinds and the catalogue's indicator names."""
    from jiqun.programmes.models import ClusterKind, Indicator

    params = target.params or {}
    if not params:
        return ""
    kinds = dict(ClusterKind.objects.filter(programme_id=target.programme_id).values_list("code", "name"))
    measures = {}
    if params.get("measure"):
        measures = dict(Indicator.objects.filter(code=params["measure"]).values_list("code", "name"))
    return phrase(params, kinds=kinds, measures=measures)


def reader_description(description: str) -> str:
    """A catalogue description fit for a page: "" when it speaks of parameter codes (it is then for pack authors)."""
    return "" if CODE_WORD.search(description or "") else description or ""
