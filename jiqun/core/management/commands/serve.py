"""Serve jiqun: Django's development server by default, waitress with --production."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform on HOST:PORT (default 127.0.0.1:8000). --production uses waitress and collected static files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--production", action="store_true", help="serve with waitress (multi-threaded)")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, addrport: str, production: bool, threads: int, **options) -> None:
        host, _, port = addrport.rpartition(":")
        host = host or "127.0.0.1"
        if not production:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
            return
        from waitress import serve

        from jiqun.config.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"jiqun serving on http://{host}:{port} (DEBUG={settings.DEBUG})")
        serve(application, host=host, port=int(port), threads=threads)
