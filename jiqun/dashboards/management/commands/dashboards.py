"""`jiqun dashboards rebuild [--programme CODE]`: recompute the dashboards' stored figures."""

from django.core.management.base import BaseCommand, CommandError

from jiqun.dashboards.summaries import summaries_rebuild
from jiqun.programmes.models import Programme


class Command(BaseCommand):
    help = "仪表盘汇总数：rebuild 按已审核数据重算（审核通过、更正后会自动重算，本命令用于全部重建）"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="重算全部（或一个培育工程的）汇总数")
        rebuild.add_argument("--programme", help="培育工程编码，如 SD-2023-185；不填则全部")

    def handle(self, *args, action: str, programme: str | None = None, **options) -> None:
        programmes = Programme.objects.order_by("code")
        if programme:
            programmes = programmes.filter(code=programme)
            if not programmes.exists():
                raise CommandError(f"没有编码为“{programme}”的培育工程")
        for state in summaries_rebuild(programmes):
            self.stdout.write(f"{state.programme.code}: {state.rows} 行，用时 {state.seconds:.2f} 秒")
