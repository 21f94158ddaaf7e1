"""`jiqun export template --period ID --user NAME [-o FILE]`: the quarterly template for a user's scope."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
            raise CommandError(_("用户 %(user)s 不存在或已停用") % {"user": user})
        target = ReportingPeriod.objects.filter(pk=period).select_related("programme").first()
        if target is None:
            known = "、".join(f"{p.pk}={p.label}" for p in ReportingPeriod.objects.select_related("programme")[:20])
            raise CommandError(_("报告期 %(period)s 不存在（现有：%(known)s）") % {"period": period, "known": known or _("无")})
        rows = template_rows(account, target)
        if not rows:
            raise CommandError(_("%(period)s中没有 %(user)s 可以填报的报表") % {"period": target.label, "user": user})
        content = build_template(period=target, indicators=list(target.indicators.order_by("code")), rows=rows,
                                 unit_name=account.organisation or account.username)
        path = Path(output or f"统计季报-{target.year}-Q{target.quarter}.xlsx")
        path.write_bytes(content)
        audit_record(actor=None, actor_name=f"cli:{getpass.getuser()}", action=AuditAction.EXPORT, obj=target,
                     object_repr=f"统计季报模板 {target.label}（命令行，{user} 的范围）",
                     after={"file": str(path.resolve()), "rows": len(rows), "scope_user": user})
        self.stdout.write(self.style.SUCCESS(_("已写出 %(path)s（%(rows)s 行）") % {"path": path, "rows": len(rows)}))
