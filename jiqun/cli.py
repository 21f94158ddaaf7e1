"""The `jiqun` command: Django's management commands, plus `jiqun engine …` on plain CSV files.

`jiqun engine` runs the pure scoring engine without setting up Django or a database.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "engine":
        from jiqun.scoring.cli import main as engine_main

        return engine_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiqun.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiqun", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
