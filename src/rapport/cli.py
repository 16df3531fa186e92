"""The ``rapport`` console script: Django's management commands with Rapport's settings.

It adds ``demo``, ``serve`` and ``seed`` (management commands in ``rapport.ops``) and makes every failure a
single readable line: a wrong option, a missing setting or a failed command never shows a traceback unless
``--traceback`` is given.
"""

from __future__ import annotations

import os
import sys


def _one_line_parser_errors() -> None:
    # argparse prints the whole usage block before the error; a person needs the error and where to look.
    from django.core.management.base import CommandParser

    def error(self: CommandParser, message: str) -> None:
        if not self.called_from_command_line:
            from django.core.management.base import CommandError

            raise CommandError(f"Error: {message}")
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(2)

    CommandParser.error = error  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "rapport"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.config.settings")
    if len(argv) > 1 and argv[1] == "demo":
        os.environ.setdefault("RAPPORT_MODE", "demo")
    traceback = "--traceback" in argv
    from rapport.config.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        _one_line_parser_errors()
        execute_from_command_line(argv)
    except ConfigError as exc:
        sys.stderr.write(f"rapport: configuration error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if traceback:
            raise
        sys.stderr.write(f"rapport: error: {type(exc).__name__}: {exc} (run again with --traceback for details)\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
