"""`jiqun periods list | open`: reporting periods."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.services import period_open
from jiqun.programmes.models import Programme


class Command(BaseCommand):
    help = "List reporting periods, or open one: a draft report for every active cluster of the programme."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        open_ = sub.add_parser("open")
        open_.add_argument("--programme", required=True)
        open_.add_argument("--year", type=int, required=True)
        open_.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        open_.add_argument("--deadline", required=True, help="YYYY-MM-DD")
        open_.add_argument("--enterprises", action="store_true", help="also a report per member enterprise")

    def handle(self, *args, action: str, **options) -> None:
        if action == "list":
            for p in ReportingPeriod.objects.select_related("programme"):
                self.stdout.write(f"{p.pk:>4}  {p.label}  截止 {p.deadline}  {p.get_status_display()}  "
                                  f"报表 {p.reports.count()} 份")
            return
        programme = Programme.objects.filter(code=options["programme"]).first()
        if programme is None:
            raise CommandError(f"培育工程 {options['programme']} 不存在")
        try:
            deadline = datetime.date.fromisoformat(options["deadline"])
        except ValueError as exc:
            raise CommandError(f"截止日期“{options['deadline']}”格式应为 YYYY-MM-DD") from exc
        try:
            period = period_open(actor=None, programme=programme, year=options["year"], quarter=options["quarter"],
                                 deadline=deadline, enterprise_level=options["enterprises"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已开启 {period.label}（编号 {period.pk}），报表 {period.reports.count()} 份"))
