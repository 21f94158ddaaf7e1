"""`jiqun dispatch list | template | import`: the quarterly project dispatch from the command line."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.monitoring.models import ReportingPeriod
from jiqun.projects.dispatch_excel import DispatchImporter, build_dispatch_template
from jiqun.projects.models import Dispatch


class Command(BaseCommand):
    help = ("The quarterly project dispatch (项目调度). `list` shows a period's dispatches the user sees (--json for "
            "machines); `template` writes the Excel sheet of the projects the user files; `import` reads a filled one "
            "all or nothing, naming each problem by row and column, as the upload page does.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("list", "template", "import"):
            command = sub.add_parser(name)
            command.add_argument("--period", type=int, required=True, help="报告期编号")
            command.add_argument("--user", required=True, help="以该用户的身份与范围")
            if name == "list":
                command.add_argument("--json", action="store_true")
            if name == "template":
                command.add_argument("--output", required=True)
            if name == "import":
                command.add_argument("file")

    def handle(self, *args, action: str, **options) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("用户 %(user)s 不存在或已停用") % {"user": options["user"]})
        period = ReportingPeriod.objects.select_related("programme").filter(pk=options["period"]).first()
        if period is None:
            raise CommandError(_("报告期 %(period)s 不存在") % {"period": options["period"]})
        getattr(self, f"_{action}")(user, period, options)

    def _list(self, user, period, options) -> None:
        dispatches = (Dispatch.objects.for_user(user).filter(period=period).select_related("project__region")
                      .order_by("project__region__code", "project__code"))
        rows = [{"id": d.pk, "project": d.project.code, "name": d.project.name, "region": d.project.region_id,
                 "status": d.status, "completed_ytd": None if d.completed_ytd is None else f"{d.completed_ytd:f}"}
                for d in dispatches]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['id']:6}  {row['project']:20}  {row['name']}  {row['status']}  "
                              f"{row['completed_ytd'] or '—'}")

    def _template(self, user, period, options) -> None:
        content = build_dispatch_template(user=user, period=period)
        if content is None:
            raise CommandError(_("%(period)s没有 %(user)s 可以填报的项目调度") % {"period": period.label, "user": user.username})
        Path(options["output"]).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(_("已写出 %(file)s") % {"file": options["output"]}))

    def _import(self, user, period, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("文件 %(file)s 不存在") % {"file": path})
        result = DispatchImporter(user=user, content=path.read_bytes(), file_name=path.name, period=period).run()
        if result.problems:
            lines = [(f"{p.sheet} 第{p.row}行 " if p.row else "") + p.reason for p in result.problems]
            raise CommandError(_("文件未导入，共 %(n)s 个问题：\n%(problems)s") % {"n": len(lines), "problems": "\n".join(lines)})
        self.stdout.write(self.style.SUCCESS(_("已导入：更新 %(saved)s 个项目的调度，%(unchanged)s 个无变化")
                                             % {"saved": result.saved, "unchanged": result.unchanged}))
