"""Serve jiqun as its users see it: waitress, DEBUG off, static files through whitenoise. --debug for developers.

It also starts the background worker (`manage.py db_worker`, django-tasks' database backend) as a child process
and stops it on exit, so a report or template started from a page is always picked up. --no-worker when the
worker runs elsewhere (a service of its own)."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand
from whitenoise import WhiteNoise


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


def start_worker() -> subprocess.Popen:
    """`manage.py db_worker` in a child process with this process's settings and environment."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "jiqun.config.settings")}
    return subprocess.Popen([sys.executable, "-m", "django", "db_worker", "--no-reload", "--interval", "1", "-v", "1"],
                            env=env)


def stop_worker(worker: subprocess.Popen | None) -> None:
    """Ask the worker to stop (it finishes the job in hand), kill it if it does not within 10 s."""
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
