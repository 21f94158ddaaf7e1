"""`jiqun periods list | open`: reporting periods."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
        try:
            period = period_open(actor=None, programme=programme, year=options["year"], quarter=options["quarter"],
                                 deadline=deadline, enterprise_level=options["enterprises"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("已开启 %(period)s（编号 %(id)s），报表 %(reports)s 份")
                                             % {"period": period.label, "id": period.pk,
                                                "reports": period.reports.count()}))
