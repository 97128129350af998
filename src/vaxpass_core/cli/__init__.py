"""The ``vaxpass`` command: the only part of the package that reads files, stdin and the clock.

Exit codes: 0 valid, 1 invalid (with a failure code), 2 usage or input error (a missing file,
an unreadable record), 70 internal error (a bug), 130 interrupted (Ctrl-C). Whatever a command
does not handle is reported in one line by :class:`_Commands`, never as a traceback. Output
is coloured on a terminal and plain when piped; ``--json`` gives machines one JSON object.
One module per command (``cmd_*.py``); ``pki_files`` reads and
writes the development PKI directory (``load_pki_dir``), ``records`` the record JSON.
See docs/cli.md.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from ._common import EXIT_INTERRUPTED, as_cli_error
from .cmd_batch import issue_batch
from .cmd_chain import attest, issue
from .cmd_demo import demo
from .cmd_inspect import inspect
from .cmd_pki import pki
from .cmd_rules import rules
from .cmd_vectors import vectors
from .cmd_verify import verify


if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["main", "vaxpass"]


class _Commands(click.Group):
    """The command group, and the one place that turns an exception into an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except KeyboardInterrupt:
            click.echo("\nAborted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if os.environ.get("VAXPASS_TRACEBACK"):  # a developer chasing a bug wants it all
                raise
            raise as_cli_error(exc) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--color/--no-color",
    default=None,
    help="Force colours on or off (default: on for a terminal, off when piped or NO_COLOR is set).",
)
@click.version_option(package_name="vaxpass-core", prog_name="vaxpass")
@click.pass_context
def vaxpass(ctx: click.Context, color: bool | None) -> None:
    """vaxpass-core: Viet Nam's vaccine passport in the EU DCC format.

    Exit codes: 0 valid, 1 invalid, 2 usage or input error, 70 internal error (a bug),
    130 interrupted (Ctrl-C).
    """
    if color is None and os.environ.get("NO_COLOR"):
        color = False
    ctx.color = color


for _command in (demo, pki, attest, issue, verify, inspect, vectors, issue_batch):
    vaxpass.add_command(_command)
vaxpass.add_command(rules)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on *argv* (default: ``sys.argv[1:]``); returns the exit code."""
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        code = vaxpass.main(args=args, prog_name="vaxpass", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
        click.echo("Aborted.", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `vaxpass inspect ... | head`: the reader left; stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code if isinstance(code, int) else 0
