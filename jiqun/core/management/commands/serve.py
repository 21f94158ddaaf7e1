"""Serve jiqun as its users see it: waitress, DEBUG off, static files through whitenoise. --debug for developers."""

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

    def handle(self, *args, addrport: str, debug: bool, production: bool, threads: int, **options) -> None:
        """Start the server; it runs until interrupted."""
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
