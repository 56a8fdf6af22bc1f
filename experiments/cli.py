"""The ``supportnet`` command line: one entry point, one module per group of commands.

Each command module exposes ``register(subparsers)``, adding its subcommands with a ``func``
default that takes the parsed arguments and returns an exit code. Errors a user can fix (bad
parameters, configs, files) are printed as one message and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from supportnet.params import ParameterError

__all__ = ["UserError", "main", "positive_int", "whole_number"]

#: Modules that register subcommands, in the order they appear in ``--help``. A module that
#: cannot be imported (an optional part not installed) is skipped.
COMMAND_MODULES = (
    "supportnet.experiments.commands_model",
    "supportnet.experiments.commands_sweep",
    "supportnet.experiments.commands_facts",
    "supportnet.experiments.commands_calibrate",
    "supportnet.dashboards.commands",
)


class UserError(Exception):
    """An error the user can fix; printed as a one-line message, exit status 2."""


def whole_number(low: int, rule: str) -> Callable[[str], int]:
    """Return an argparse type: a whole number of ``low`` or more.

    Args:
        low: The smallest value allowed.
        rule: What is allowed, as the error message says it ("a whole number >= 1").

    Returns:
        A function turning an argument's text into its value, or raising
        ``argparse.ArgumentTypeError`` with a message that quotes the value (at most 40
        characters of it) and says ``rule``; argparse puts the option's name before it.

    Example:
        >>> steps = whole_number(1, "a whole number >= 1")
        >>> steps("12")
        12
        >>> steps("0")
        Traceback (most recent call last):
        argparse.ArgumentTypeError: 0 is not allowed; expected a whole number >= 1
    """

    def parse(text: str) -> int:
        shown = text if len(text) <= 40 else text[:40] + "..."
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown!r} is not allowed; expected {rule}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{shown} is not allowed; expected {rule}")
        return value

    return parse


#: An argparse type: a count of 1 or more (steps, seeds, workers).
positive_int = whole_number(1, "a whole number >= 1")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportnet",
        description="SupportNet: an agent-based laboratory for social support and mental health.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [UserError, ParameterError]
    try:
        from supportnet.experiments.config import ConfigError

        errors.append(ConfigError)
    except ImportError:
        pass
    return tuple(errors)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    # The words of this command, for the results' provenance: the argv given when called from
    # Python (a trade-off or robustness check runs batteries this way), not the process's own.
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except _user_errors() as exc:
        print(f"supportnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"supportnet {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
