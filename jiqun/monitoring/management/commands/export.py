"""`jiqun export template --period ID --user NAME [-o FILE]`: the quarterly template for a user's scope."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.monitoring.excel import build_template
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.selectors import template_rows


class Command(BaseCommand):
    help = "Write the 统计季报 Excel template of a period for the reports a user fills (its scope, draft or returned)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        template = sub.add_parser("template", help="the quarterly template (.xlsx)")
        template.add_argument("--period", type=int, required=True)
        template.add_argument("--user", required=True)
        template.add_argument("-o", "--output", help="file to write (default: 统计季报-<year>-<quarter>.xlsx)")

    def handle(self, *args, what: str, period: int, user: str, output: str | None, **options) -> None:
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        target = ReportingPeriod.objects.filter(pk=period).select_related("programme").first()
        if target is None:
            known = "、".join(f"{p.pk}={p.label}" for p in ReportingPeriod.objects.select_related("programme")[:20])
            raise CommandError(f"报告期 {period} 不存在（现有：{known or '无'}）")
        rows = template_rows(account, target)
        if not rows:
            raise CommandError(f"{target.label}中没有 {user} 可以填报的报表")
        content = build_template(period=target, indicators=list(target.indicators.order_by("code")), rows=rows,
                                 unit_name=account.organisation or account.username)
        path = Path(output or f"统计季报-{target.year}-Q{target.quarter}.xlsx")
        path.write_bytes(content)
        audit_record(actor=None, actor_name=f"cli:{getpass.getuser()}", action=AuditAction.EXPORT, obj=target,
                     object_repr=f"统计季报模板 {target.label}（命令行，{user} 的范围）",
                     after={"file": str(path.resolve()), "rows": len(rows), "scope_user": user})
        self.stdout.write(self.style.SUCCESS(f"已写出 {path}（{len(rows)} 行）"))
