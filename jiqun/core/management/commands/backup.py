"""Back up every table and the uploaded files to one .tar.gz."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.core.backup import backup_write


class Command(BaseCommand):
    help = (
        "Write a backup of the whole platform to FILE (.tar.gz): every table as a Django JSON dump, the uploaded "
        "files (MEDIA_ROOT) and a manifest with the format version, date, applied migrations, row counts and "
        "SHA-256 checksums. Restore it with `jiqun restore FILE`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. jiqun-2026-06-30.tar.gz")
        parser.add_argument("--overwrite", action="store_true", help="replace FILE when it exists")

    def handle(self, *args, file: Path, overwrite: bool, **options) -> None:
        if file.exists() and not overwrite:
            raise CommandError(_("文件 %(file)s 已存在；要覆盖请加 --overwrite") % {"file": file})
        if not file.parent.is_dir():
            raise CommandError(_("目录 %(dir)s 不存在") % {"dir": file.parent})
        summary = backup_write(path=file)
        self.stdout.write(_("已备份 %(rows)s 行数据和 %(files)s 个上传文件到 %(path)s（SHA-256 %(sha)s）") % {
            "rows": summary.rows, "files": summary.media_files, "path": summary.path, "sha": summary.sha256})
