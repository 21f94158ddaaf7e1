"""`jiqun quality --programme CODE --year YYYY`: the data-quality score of each reporting unit."""

import datetime
import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.monitoring.quality import PARTS, part_labels, percent
from jiqun.monitoring.quality_selectors import units_quality, year_reports
from jiqun.monitoring.quality_views import build_quality_workbook
from jiqun.programmes.models import Programme


class Command(BaseCommand):
    help = (
        "Score each reporting unit (a cluster's reports, a region's 综合表) of a programme over a year or one "
        "quarter: the mean of completeness (values filled of those asked), timeliness (first submitted by the "
        "deadline), explained 核实性 warnings, and corrections approved after the province's approval (each "
        "costs 0.25), 0-100, worst first, with the reasons. The rule is in docs/review-and-quality.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--programme", required=True, help="programme code, e.g. SD-2023-185")
        parser.add_argument("--year", required=True, help="year YYYY (2000-2100)")
        parser.add_argument("--quarter", help="only this quarter's period: 1, 2, 3 or 4")
        parser.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD deciding whether deadlines passed")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("-o", "--output", help="also write an Excel workbook to this path")

    def handle(self, *args, programme: str, year: int, quarter=None, as_of=None, json=False, output=None,
               **options) -> None:
        year, quarter = _year(year), _quarter(quarter)
        chosen = Programme.objects.filter(code=programme).first()
        if chosen is None:
            known = "、".join(Programme.objects.values_list("code", flat=True)) or _("无")
            raise CommandError(_("--programme：培育工程 %(code)s 不存在（已载入：%(known)s）") % {
                "code": programme, "known": known})
        day = None
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(_("--as-of：“%(date)s”不是 YYYY-MM-DD 格式的日期") % {"date": as_of}) from None
        if output and not Path(output).parent.exists():
            raise CommandError(_("-o：目录 %(folder)s 不存在") % {"folder": Path(output).parent})
        reports = year_reports(chosen, year)
        if quarter:
            reports = reports.filter(period__quarter=quarter)
        units = units_quality(reports, day)
        if output:
            title = _("%(programme)s %(year)s年 数据质量") % {"programme": chosen.name, "year": year}
            Path(output).write_bytes(build_quality_workbook(title, units))
            audit_record(actor=None, actor_name=f"cli:{getpass.getuser()}", action=AuditAction.EXPORT, obj=chosen,
                         object_repr=title, after={"file": str(Path(output).resolve()), "units": len(units)})
        if json:
            self.stdout.write(_dumps([{
                "unit": u.kind, "key": u.key, "name": u.name,
                "score": str(u.quality.score) if u.quality.score is not None else None,
                "parts": {name: {"value": str(p.value) if p.value is not None else None, "reason": p.reason}
                          for name, p in u.quality.parts.items()},
            } for u in units]))
            return
        labels = part_labels()
        if not units:
            self.stdout.write(_("%(programme)s %(year)s年没有可计分的报表") % {"programme": chosen.code, "year": year})
        for unit in units:
            shares = "｜".join(f"{labels[name]} {percent(unit.quality.parts[name].value)}" for name in PARTS)
            self.stdout.write(f"{unit.quality.score if unit.quality.score is not None else '—':>6}  {unit.name}｜{shares}")


def _year(raw: str) -> int:
    """--year as a number from 2000 to 2100, or a CommandError naming it."""
    if not (raw or "").strip().isdigit() or not 2000 <= int(raw) <= 2100:
        raise CommandError(_("--year：“%(value)s”不是 2000 至 2100 之间的年份（YYYY）") % {"value": raw})
    return int(raw)


def _quarter(raw: str | None) -> int | None:
    """--quarter as 1 to 4 (None when not given), or a CommandError naming it."""
    if raw is None:
        return None
    if raw.strip() not in ("1", "2", "3", "4"):
        raise CommandError(_("--quarter：“%(value)s”无效，应为 1、2、3 或 4") % {"value": raw})
    return int(raw)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
