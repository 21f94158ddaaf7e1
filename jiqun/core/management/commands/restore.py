"""Restore every table and the uploaded files from a backup made by `jiqun backup`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.core.backup import backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database's rows and the uploaded files (MEDIA_ROOT) with those of a backup made by "
        "`jiqun backup`. The whole file is checked first (format, checksums, migrations); a corrupt or foreign "
        "file changes nothing. A database that holds data is only overwritten with --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the backup archive (.tar.gz)")
        parser.add_argument("--force", action="store_true", help="overwrite a database that already holds data")

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        try:
            result = backup_restore(path=file, force=force)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(_("已从 %(file)s（备份于 %(at)s）恢复 %(rows)s 行数据和 %(files)s 个上传文件") % {
            "file": file, "at": result["created_at"], "rows": result["rows"], "files": result["media_files"]})
