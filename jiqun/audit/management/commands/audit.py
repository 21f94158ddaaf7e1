"""`jiqun audit verify` and `jiqun audit prune --before DATE`: check the keyed chain, and prune it lawfully."""

import datetime
import getpass
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.audit.services import audit_prune, audit_verify_report


class Command(BaseCommand):
    help = (
        "verify: check every audit event against the key and the table against the checkpoint outside it; "
        "exit status 0 when intact, 1 when broken (with a report of what). prune: delete the events older than "
        "a date, which must lie beyond JIQUN_AUDIT_RETENTION_DAYS; the prune is itself recorded."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check the chain; exit 1 if broken")
        prune = sub.add_parser("prune", help="delete events older than --before")
        prune.add_argument("--before", required=True, help="date YYYY-MM-DD: events before it are deleted")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_verify(self, **options) -> None:
        report = audit_verify_report()
        for note in report.notes:
            self.stdout.write(_("注意：%(note)s") % {"note": note})
        if report.intact:
            self.stdout.write(self.style.SUCCESS(
                _("审计日志链完整：已校验 %(n)s 条记录，未发现改动或删除。") % {"n": report.events}))
            return
        self.stderr.write(_("审计日志链已被破坏：已校验 %(n)s 条记录，发现 %(p)s 处问题：")
                          % {"n": report.events, "p": len(report.problems)})
        for problem in report.problems:
            self.stderr.write(f"  - {problem.message}")
        sys.exit(1)

    def do_prune(self, *, before: str, **options) -> None:
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError:
            raise CommandError(_("--before：“%(value)s”不是 YYYY-MM-DD 格式的日期") % {"value": before}) from None
        try:
            event = audit_prune(actor=None, actor_name=f"cli:{getpass.getuser()}", before=day)
        except ValidationError as exc:
            raise CommandError("--before：" + "；".join(exc.messages)) from None
        deleted = event.after["deleted"]
        self.stdout.write(self.style.SUCCESS(
            _("已清理 %(date)s 之前的审计日志 %(n)s 条（保留期 %(days)s 天）；清理记录为第 %(seq)s 条")
            % {"date": before, "n": deleted, "days": settings.JIQUN_AUDIT_RETENTION_DAYS, "seq": event.seq}))
