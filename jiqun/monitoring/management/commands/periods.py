"""`jiqun periods list | open`: reporting periods."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.services import period_default_codes, period_indicators, period_open
from jiqun.programmes.models import IndicatorLevel, Programme


def _codes(value: str | None) -> list[str]:
    return [code.strip() for code in (value or "").replace("，", ",").split(",") if code.strip()]


class Command(BaseCommand):
    help = ("List reporting periods, or open one: a draft report for every active cluster of the programme (and a "
            "综合表 for its region when region-level indicators are collected). A period collects the programme "
            "pack's reporting indicators, which include every indicator its value targets are measured on; "
            "--indicators replaces that set, --add and --remove adjust it, --dry-run only prints it.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        open_ = sub.add_parser("open")
        open_.add_argument("--programme", required=True)
        open_.add_argument("--year", type=int, required=True)
        open_.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        open_.add_argument("--deadline", required=True, help="YYYY-MM-DD")
        open_.add_argument("--enterprises", action="store_true", help="also a report per member enterprise")
        open_.add_argument("--indicators", help="code,code: collect exactly these instead of the programme's set")
        open_.add_argument("--add", help="code,code: collect these as well")
        open_.add_argument("--remove", help="code,code: do not collect these")
        open_.add_argument("--dry-run", action="store_true", help="print the indicator set and open nothing")

    def handle(self, *args, action: str, **options) -> None:
        if action == "list":
            for p in ReportingPeriod.objects.select_related("programme"):
                self.stdout.write(_("%(id)4s  %(period)s  截止 %(deadline)s  %(status)s  报表 %(reports)s 份")
                                  % {"id": p.pk, "period": p.label, "deadline": p.deadline,
                                     "status": p.get_status_display(), "reports": p.reports.count()})
            return
        programme = Programme.objects.filter(code=options["programme"]).first()
        if programme is None:
            raise CommandError(_("培育工程 %(programme)s 不存在") % {"programme": options["programme"]})
        try:
            deadline = datetime.date.fromisoformat(options["deadline"])
        except ValueError as exc:
            raise CommandError(_("截止日期“%(deadline)s”格式应为 YYYY-MM-DD") % {"deadline": options["deadline"]}) from exc
        indicators = self._indicators(programme, options)
        self._print_set(indicators)
        if options["dry_run"]:
            self.stdout.write(_("（试运行：未开启报告期）"))
            return
        try:
            period = period_open(actor=None, programme=programme, year=options["year"], quarter=options["quarter"],
                                 deadline=deadline, enterprise_level=options["enterprises"], indicators=indicators)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("已开启 %(period)s（编号 %(id)s），报表 %(reports)s 份")
                                             % {"period": period.label, "id": period.pk,
                                                "reports": period.reports.count()}))

    def _indicators(self, programme: Programme, options: dict) -> list:
        """The programme's set, or --indicators, with --add and --remove applied; every code checked by name."""
        codes = _codes(options["indicators"]) if options["indicators"] is not None else period_default_codes(programme)
        added, removed = _codes(options["add"]), _codes(options["remove"])
        try:
            period_indicators([*added, *removed] or codes)  # a code to add or remove must exist and be reported
            not_there = [code for code in removed if code not in codes]
            if not_there:
                raise ValidationError({"indicators": [_("要去掉的指标 %(codes)s 本来就不在填报指标中")
                                                      % {"codes": "、".join(not_there)}]})
            return period_indicators([*[c for c in codes if c not in removed], *added])
        except ValidationError as exc:
            raise CommandError(_("填报指标有误，未开启报告期：%(problems)s") % {"problems": "；".join(exc.messages)}) from exc

    def _print_set(self, indicators: list) -> None:
        self.stdout.write(_("填报指标 %(n)s 项：") % {"n": len(indicators)})
        for level, label in IndicatorLevel.choices:
            names = [f"{i.name}（{i.unit}）{i.code}" for i in indicators if i.level == level]
            if names:
                self.stdout.write(f"  {label}：" + "、".join(names))
