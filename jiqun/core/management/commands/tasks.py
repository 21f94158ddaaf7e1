"""`jiqun tasks clean|worker`: the background jobs' files and worker from the command line."""

import logging
import sys
from types import FrameType

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker

from jiqun.core.services import background_job_clean

logger = logging.getLogger("django_tasks_db")


def _older_than(value: str | None) -> int:
    """--older-than DAYS: a whole number of days, 0 or more (0: every finished job's file)."""
    if value is None:
        return settings.JIQUN_TASK_KEEP_DAYS
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
        raise CommandError(_("--older-than：保存天数应为不小于 0 的整数，收到“%(value)s”") % {"value": value[:20]})
    return int(text)


class QuietWorker(Worker):
    """db_worker's worker with one stop: the first SIGTERM or SIGINT lets the job in hand finish and
    then ends the loop; a second one (a terminal's Ctrl+C reaches the whole process group, a service
    manager signals every process of the service, and `jiqun serve` signals its worker too) asks the same
    again instead of raising SystemExit inside the job, which would fail it with a traceback and leave
    its page 生成中. The hard stop is `jiqun serve`'s kill after its grace time."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running:
            logger.info("Stopping: %s", "finishing the job in hand" if self.running_task else "no job in hand")
        self.running = False
        if not self.running_task:
            sys.exit(0)  # asleep or between jobs: nothing to finish


class Command(BaseCommand):
    help = (
        "The files background jobs produce (the quarterly report, a large statistical template) are kept under "
        "VAR_DIR/tasks/ for JIQUN_TASK_KEEP_DAYS days (7 by default) after the job finished. `clean` deletes older "
        "ones and marks their jobs expired (the job's page then says the file is no longer kept and offers to make "
        "it again), and deletes files there that no job names (after at least an hour); one audit entry. The "
        "worker runs the same clean-up by itself at most once a day, after a job. `--older-than DAYS` overrides "
        "the setting, `--dry-run` only lists. `worker` runs the background worker (what `jiqun serve` starts): "
        "django-tasks' db_worker that stops quietly, letting the job in hand finish, on SIGTERM or Ctrl+C. "
        "See docs/background-tasks.md."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        clean = sub.add_parser("clean", help="delete result files older than JIQUN_TASK_KEEP_DAYS")
        clean.add_argument("--older-than", metavar="DAYS", help="days a file is kept (default: JIQUN_TASK_KEEP_DAYS)")
        clean.add_argument("--dry-run", action="store_true", help="list what would be deleted, change nothing")
        worker = sub.add_parser("worker", help="the background worker, stopping quietly")
        worker.add_argument("--worker-id", default="", help="the worker's id (default: a random one)")
        worker.add_argument("--interval", type=float, default=1.0, help="seconds between looks at an empty queue")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_clean(self, *, older_than: str | None = None, dry_run: bool = False, **options) -> None:
        days = _older_than(older_than)
        try:
            result = background_job_clean(older_than_days=days, dry_run=dry_run)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_("未清理：%(detail)s") % {"detail": "；".join(getattr(exc, "messages", [str(exc)]))}) from None
        for path in result.files:
            self.stdout.write(str(path))
        summary = {"files": len(result.files), "jobs": len(result.jobs), "days": days,
                   "mib": f"{result.size / 2**20:.1f}"}
        if dry_run:
            self.stdout.write(_("试运行：将删除 %(files)d 个文件（%(mib)s MiB），%(jobs)d 个任务标为文件已清理；"
                                "保存期限 %(days)d 天。未做任何修改。") % summary)
        else:
            self.stdout.write(self.style.SUCCESS(_("已删除 %(files)d 个文件（%(mib)s MiB），%(jobs)d 个任务标为文件已清理；"
                                                   "保存期限 %(days)d 天。") % summary))

    def do_worker(self, *, worker_id: str = "", interval: float = 1.0, **options) -> None:
        verbosity = options.get("verbosity", 1)
        for name in ("django_tasks", "django_tasks_db"):
            log = logging.getLogger(name)
            log.setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
            if not log.hasHandlers():
                log.addHandler(logging.StreamHandler(self.stdout))
        worker = QuietWorker(queue_names=["default"], interval=interval, batch=False, backend_name="default",
                             startup_delay=False, max_tasks=None, worker_id=worker_id or get_random_string(32),
                             excluded_queue_names=[])
        worker.configure_signals()
        worker.run()
