"""`jiqun report quarterly|halfyear`: the reports that go up the hierarchy, from the command line.

    jiqun report quarterly --programme CODE --year Y --quarter Q [--region CODE | --cluster CODE] --user NAME -o F.docx
    jiqun report halfyear --programme CODE --year Y --quarter 2|4 [--region CODE] --user NAME -o F.xlsx
    jiqun report evaluation --run PK --user NAME -o F.docx|F.pdf [--format docx|pdf]
    jiqun report cluster --cluster CODE [--programme CODE] --user NAME -o F.pdf
    jiqun report notice --call PK --user NAME -o F.docx
    (quarterly also as PDF: -o F.pdf or --format pdf; any report in English: --language en)

The report is made for the named user's scope, exactly as the page would make it for them (a city officer gets
only their city's), and the export is audited under that user. It is written in Chinese unless --language names
another of the platform's languages (the pages and the API take the user's language switch).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.reports.builders import BadParameters, NotFound, listing
from jiqun.reports.services import report_produce

SUFFIX = {"quarterly": ".docx", "halfyear": ".xlsx", "evaluation": ".docx", "cluster": ".pdf", "notice": ".docx"}
FORMATS = {"evaluation": (".docx", ".pdf"), "quarterly": (".docx", ".pdf")}  # reports with a choice of format: by --format or by the -o suffix


class Command(BaseCommand):
    help = ("Reports for upward reporting, in the scope of --user, written to -o FILE: `quarterly` (季度分析报告, "
            "Word or PDF) of a programme's period for a region (default: the user's) or a cluster; `halfyear` (半年报汇总表, "
            "Excel, quarter 2 or 4); `evaluation --run PK` (年度评价报告, Word or PDF, of a published evaluation run); "
            "`cluster --cluster CODE` (集群一页纸, PDF); `notice --call PK` (认定结果公示, Word, of a round in 公示 or done). "
            "--language en writes it in English.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(SUFFIX))
        parser.add_argument("--programme", default="", help="培育工程编号")
        parser.add_argument("--year", default="")
        parser.add_argument("--quarter", default="")
        parser.add_argument("--run", default="", help="评价结果编号（年度评价报告，须已发布）")
        parser.add_argument("--call", default="", help="赛马认定批次编号（认定结果公示，须已公示）")
        parser.add_argument("--region", default="", help="区划代码（省或市）；不给则为用户所在地区")
        parser.add_argument("--cluster", default="", help="集群编码（季度分析、集群一页纸）")
        parser.add_argument("--format", default="", help="年度评价报告、季度分析的格式：docx 或 pdf（不给则按 -o 的后缀）")
        parser.add_argument("--user", required=True, help="以哪个用户的可见范围生成")
        parser.add_argument("--language", default="", help="报告的语言：zh-hans（简体中文，默认）或 en（English）")
        parser.add_argument("-o", "--output", required=True, help=f"输出文件（{', '.join(SUFFIX.values())}）")

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        language = options["language"].strip() or settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            raise CommandError(_("--language：报告的语言应为 %(languages)s，收到“%(value)s”") % {
                "languages": listing(dict(settings.LANGUAGES)), "value": language[:20]})
        output = Path(options["output"])
        suffixes = FORMATS.get(kind, (SUFFIX[kind],))
        fmt = options["format"].strip().lower()
        if fmt and (f".{fmt}" not in suffixes):
            raise CommandError(_("--format：%(kind)s 报告的格式应为 %(formats)s，收到“%(value)s”") % {
                "kind": kind, "formats": "、".join(s.lstrip(".") for s in suffixes), "value": fmt[:20]})
        expected = f".{fmt}" if fmt else (output.suffix.lower() if output.suffix.lower() in suffixes else suffixes[0])
        if output.suffix.lower() != expected:
            raise CommandError(_("-o：%(kind)s 报告应写到 %(suffix)s 文件，收到“%(file)s”") % {
                "kind": kind, "suffix": " 或 ".join(suffixes) if not fmt else expected, "file": str(output)[:200]})
        if not output.parent.is_dir():
            raise CommandError(_("-o：目录“%(dir)s”不存在") % {"dir": str(output.parent)[:200]})
        # Checked before the report is made (and its export audited): a file that cannot be written is no export.
        if output.exists() and not output.is_file():
            raise CommandError(_("-o：“%(file)s”不是文件（是目录或其他）") % {"file": str(output)[:200]})
        if not os.access(output.parent, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
            raise CommandError(_("-o：没有写入“%(file)s”的权限") % {"file": str(output)[:200]})
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("--user：没有用户“%(name)s”") % {"name": options["user"][:150]})
        params = {name: options[name] for name in ("programme", "year", "quarter", "region", "cluster", "run", "call")}
        if kind in FORMATS:
            params["format"] = expected.lstrip(".")
        try:
            with translation.override(language):
                produced = report_produce(actor=user, kind=kind, params=params)
        except BadParameters as exc:
            raise CommandError("；".join(f"--{name}：{message}" for name, message in exc.errors.items())) from None
        except NotFound as exc:
            raise CommandError(_("%(message)s（用户 %(user)s 的可见范围之外）") % {
                "message": exc, "user": user.username}) from None
        try:
            output.write_bytes(produced.content)
        except OSError as exc:
            raise CommandError(_("-o：无法写入“%(file)s”：%(error)s") % {
                "file": str(output)[:200], "error": exc.strerror or exc}) from None
        self.stdout.write(_("已生成 %(file)s（%(size)d 字节）") % {"file": output, "size": len(produced.content)})
