"""`jiqun import report FILE.xlsx --user NAME`: import a filled quarterly template."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.monitoring.excel import DATA_SHEET, annotate_workbook
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.importer.package import mib
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.services import report_findings

FINDINGS_PRINTED = 50  # a larger import prints no per-report warnings; each report shows its own


class Command(BaseCommand):
    help = (
        "Import a filled 统计季报 workbook as the named user, with that user's scope. The whole file is checked "
        "first; if any cell is wrong nothing is written, each problem is printed with sheet, row and column, and "
        "--annotated writes the workbook back with the bad cells marked, which can be corrected and imported again. "
        "Every row passes the 强制性审核 (ranges, decimals, 分项 ≤ 合计) first: one broken rule refuses the whole file. "
        "Importing the same file again writes nothing while its figures are those on file, and applies it again "
        "(saying so) when they were changed since. After an import the 核实性审核 warnings of each report (a 同比 "
        "over 50%, a 元/千元/万元 slip) are printed; they need an explanation before submission. The file is checked against the same bounds as an upload (JIQUN_UPLOAD_MAX_BYTES, "
        "JIQUN_IMPORT_*) before it is parsed."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        report = sub.add_parser("report", help="a filled quarterly template (.xlsx)")
        report.add_argument("file")
        report.add_argument("--user", required=True, help="username whose scope applies")
        report.add_argument("--period", type=int, help="refuse the file unless it is for this period id")
        report.add_argument("--annotated", help="where to write the marked-up workbook when refused")

    def handle(self, *args, what: str, file: str, user: str, period: int | None, annotated: str | None,
               **options) -> None:
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(_("用户 %(user)s 不存在或已停用") % {"user": user})
        target = None
        if period is not None:
            target = ReportingPeriod.objects.filter(pk=period).first()
            if target is None:
                raise CommandError(_("报告期 %(period)s 不存在") % {"period": period})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件不存在：%(file)s") % {"file": file})
        if path.stat().st_size > settings.JIQUN_UPLOAD_MAX_BYTES:  # the same bounds as the upload page, before reading
            raise CommandError(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未写入任何数据") % {
                "file": path.name, "size": mib(path.stat().st_size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)})
        result = ReportImporter(user=account, content=path.read_bytes(), file_name=path.name, period=target).run()
        if result.already_imported:
            self.stdout.write(_("该文件已于 %(at)s 导入，未重复写入。")
                              % {"at": f"{result.already_imported.uploaded_at:%Y-%m-%d %H:%M}"})
            return
        if result.problems:
            if annotated and DATA_SHEET in result.sheets:
                errors = [(p.sheet, p.row, p.col, p.reason) for p in result.problems]
                Path(annotated).write_bytes(annotate_workbook(result.sheets, errors))
            lines = "\n".join(f"  {p}" for p in result.problems)
            raise CommandError(_("文件未导入，发现 %(count)s 处问题，未写入任何数据：\n%(problems)s")
                               % {"count": len(result.problems), "problems": lines})
        if result.reapplied:
            self.stdout.write(_("该文件已于 %(at)s 导入过，但系统中的数值此后已被修改，本次按文件重新写入。")
                              % {"at": f"{result.reapplied.uploaded_at:%Y-%m-%d %H:%M}"})
        self.stdout.write(self.style.SUCCESS(
            _("已导入 %(reports)s 份报表、%(values)s 个数值（批次 %(batch)s）")
            % {"reports": len(result.reports), "values": result.values_written, "batch": result.batch.pk}))
        if len(result.report_ids) <= FINDINGS_PRINTED:
            for report in result.reports:
                warnings = [f for f in report_findings(report)[0] if not f.is_error]
                for finding in warnings:
                    self.stdout.write(self.style.WARNING(
                        _("  核实性审核 %(report)s：%(message)s") % {"report": report.subject_name,
                                                                   "message": finding.message}))
