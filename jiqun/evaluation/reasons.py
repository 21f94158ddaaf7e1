"""Why a subject was not scored in a run (未参评原因), as a code with its parameters, worded at display time.

A run's excluded subject has one of three reasons, each from a fixed template: 一票否决 (the veto hits, from the
incident register), 不符合参评条件 (the eligibility thresholds it fails, or cannot be judged on) and 缺少数据 (the
scheme's missing-data rule `excluded`, with each missing indicator and why it is missing). The computation stores
the code and parameters beside the Chinese text (RunRow.reason, and `reason_code` in the run's result), and the
pages, the workbook, the API and the command word them here through gettext in the reader's language. The
stored text (RunRow.excluded) stays the record and the fallback for rows written before the codes were kept.

What the parameters hold is the run's own data, shown as it was stored: the names and units of indicators and
thresholds, veto item labels and clauses (the scheme's text) and why a value is missing (the snapshot's text).
The incident kind and severity are codes, worded in the reader's language.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

VETO, INELIGIBLE, MISSING = "veto", "ineligible", "missing"


def _join(parts: list[str]) -> str:
    return pgettext("list separator", "；").join(parts)


def _number(text: Any) -> str:
    return f"{Decimal(str(text)).normalize():f}"


def _hit(hit: dict[str, Any]) -> str:
    from jiqun.incidents.models import IncidentKind, Severity

    kind = str(IncidentKind(hit["kind"]).label) if hit.get("kind") in IncidentKind.values else hit.get("kind_label", "")
    severity = (str(Severity(hit["severity"]).label) if hit.get("severity") in Severity.values
                else hit.get("severity_label", ""))
    return _("%(label)s：%(date)s %(severity)s%(kind)s%(who)s，文号 %(document)s%(clause)s") % {
        "label": hit["label"], "date": hit["occurred_on"], "severity": severity, "kind": kind,
        "who": _("（%(enterprise)s）") % {"enterprise": hit["enterprise"]} if hit.get("enterprise") else "",
        "document": hit["document"],
        "clause": _("，依据：%(clause)s") % {"clause": hit["clause"]} if hit.get("clause") else ""}


def _failure(f: dict[str, Any]) -> str:
    when = _("%(year)s年") % {"year": f["year"]} if f.get("year") else ""
    if f["kind"] == "unknown":
        return _("%(when)s%(name)s无法判断（%(missing)s）") % {
            "when": when, "name": f["name"], "missing": f.get("missing") or _("无数据")}
    values = {"when": when, "name": f["name"], "value": _number(f["value"]), "limit": _number(f["limit"]),
              "unit": f.get("unit", ""), "clause": _("（%(clause)s）") % {"clause": f["clause"]} if f.get("clause") else ""}
    if f["kind"] == "below":
        return _("%(when)s%(name)s %(value)s%(unit)s 低于门槛 %(limit)s%(unit)s%(clause)s") % values
    return _("%(when)s%(name)s %(value)s%(unit)s 高于上限 %(limit)s%(unit)s%(clause)s") % values


def failures_text(failed: list[dict[str, Any]]) -> str:
    """The eligibility thresholds failed, in the active language."""
    return _join([_failure(f) for f in failed])


def reason_text(reason: dict[str, Any]) -> str:
    """The reason in the active language."""
    code = reason["code"]
    if code == VETO:
        return _("一票否决：%(hits)s") % {"hits": _join([_hit(h) for h in reason["hits"]])}
    if code == INELIGIBLE:
        return _("不符合参评条件：%(failed)s") % {"failed": failures_text(reason["failed"])}
    if code == MISSING:
        return _("缺少数据，按方案规则不参评（%(gaps)s）") % {"gaps": _join([
            _("%(name)s：%(missing)s") % {"name": g["name"], "missing": g["missing"]} for g in reason["gaps"]])}
    raise KeyError(code)


def stored_text(reason: dict[str, Any]) -> str:
    """The reason in the platform's language (Chinese): the text the run row keeps."""
    with translation.override(settings.LANGUAGE_CODE):
        return reason_text(reason)


def row_reason(reason: dict[str, Any] | None, stored: str) -> str:
    """A row's reason for the reader: from its code when it has one, else the text stored with it."""
    if not reason:
        return stored
    try:
        return reason_text(reason)
    except (KeyError, TypeError, ValueError, ArithmeticError):  # a code this version does not know: the record
        return stored
