"""The `jiqun` command: Django's management commands, plus `jiqun engine …` on plain CSV files.

`jiqun engine` runs the pure scoring engine without setting up Django or a database. `jiqun serve` (and so
`make run`) shows the platform as its users see it, DEBUG off; `jiqun serve --debug` (`make dev`) is for developers.
"""

import os
import sys


def serve_debug(serve_args: list[str]) -> str:
    """Return DJANGO_DEBUG for `jiqun serve`: off unless --debug is given, so no user ever meets a debug page."""
    return "1" if "--debug" in serve_args else "0"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "engine":
        from jiqun.scoring.cli import main as engine_main

        return engine_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiqun.config.settings")
    if argv and argv[0] == "serve":
        # Settings read DJANGO_DEBUG once, at import: decide before Django starts. An explicit value wins.
        os.environ.setdefault("DJANGO_DEBUG", serve_debug(argv[1:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiqun", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
