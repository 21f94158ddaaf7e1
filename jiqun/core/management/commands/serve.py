"""Serve jiqun as its users see it: waitress, DEBUG off, static files through whitenoise. --debug for developers.

It also starts the background worker (`jiqun tasks worker`: django-tasks' db_worker on the database backend) as a
child process and stops it on exit, so a report or template started from a page is always picked up. --no-worker
when the worker runs elsewhere (a service of its own).

The worker runs in a session of its own, so a Ctrl+C in the terminal reaches this process only, which then asks
the worker once to stop (SIGTERM): it finishes the job in hand, for up to WORKER_GRACE seconds, and is killed
after that; a job it had to leave is marked failed with a message, so its page does not say 生成中 forever."""

import os
import signal
import subprocess
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from whitenoise import WhiteNoise

WORKER_GRACE = 30  # seconds the worker has to finish the job in hand when the server stops


def static_serving(application: WSGIHandler) -> WSGIHandler | WhiteNoise:
    """Wrap `application` so that it serves the collected static files, unless whitenoise is already in MIDDLEWARE."""
    if "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE:
        return application
    return WhiteNoise(application, root=settings.STATIC_ROOT, prefix=settings.STATIC_URL)


class Command(BaseCommand):
    help = (
        "Serve the platform on HOST:PORT (default 127.0.0.1:8000) with waitress, DEBUG off and collected static "
        "files, as users see it. --debug runs Django's development server with DEBUG on instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--debug", action="store_true",
                            help="Django's development server with DEBUG on (jiqun.cli sets DJANGO_DEBUG)")
        parser.add_argument("--production", action="store_true",
                            help="kept for existing scripts: serving with waitress is the default now")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background worker (manage.py db_worker runs on its own)")

    def handle(self, *args, addrport: str, debug: bool, production: bool, threads: int, no_worker: bool = False,
               **options) -> None:
        """Start the worker and the server; both run until interrupted."""
        worker = None if no_worker else start_worker()
        signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: leave through `finally`
        try:
            self.serve(addrport, debug, threads)
        finally:
            stop_worker(worker)

    def serve(self, addrport: str, debug: bool, threads: int) -> None:
        host, _, port = addrport.rpartition(":")
        host = host or "127.0.0.1"
        if debug:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
            return
        from waitress import serve

        from jiqun.config.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"jiqun serving on http://{host}:{port} (DEBUG={settings.DEBUG})")
        serve(static_serving(application), host=host, port=int(port), threads=threads)


@dataclass
class Worker:
    process: subprocess.Popen
    worker_id: str


def start_worker() -> Worker:
    """`jiqun tasks worker` in a child process, in a session of its own, with this process's settings and
    environment."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "jiqun.config.settings")}
    worker_id = f"serve-{os.getpid()}-{get_random_string(8)}"
    process = subprocess.Popen([sys.executable, "-m", "django", "tasks", "worker", "--worker-id", worker_id,
                                "--interval", "1"], env=env, start_new_session=True)
    return Worker(process, worker_id)


def stop_worker(worker: Worker | None, grace: float = WORKER_GRACE) -> None:
    """Ask the worker once to stop (it finishes the job in hand); kill it if it has not within `grace` seconds, or
    at a second Ctrl+C, and mark the job it had in hand as failed."""
    if worker is None or worker.process.poll() is not None:
        return
    worker.process.terminate()
    try:
        worker.process.wait(timeout=grace)
        return
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        worker.process.kill()
        worker.process.wait()
    from jiqun.core.services import background_job_interrupt

    background_job_interrupt(worker_id=worker.worker_id)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
