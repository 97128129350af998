"""``vaxpass issue-batch``: JSON Lines of records in, passports out, with a progress bar.

The work is ``vaxpass_core.shell.bulk.issue_batch``; this command loads the PKI, counts the
input lines for the bar, and reports.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from vaxpass_core.errors import VaxpassError

from ._common import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_VALID,
    NOW,
    InputError,
    echo_json,
    finish,
    now_or_clock,
    one_line,
    refuse,
)
from ._sources import load_pki
from .progress import ProgressLines


if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from vaxpass_core.shell.bulk import BatchReport


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


@click.command("issue-batch")
@click.argument(
    "source", metavar="RECORDS.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--pki", "pki_dir", required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Passports, one JSON line per issued record.",
)
@click.option(
    "--rejects",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rejected lines, each with its error code.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Processes (default: all cores)."
)
@click.option(
    "--progress-seconds",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="When stderr is not a terminal: a progress line (count, rate, time left) this often.",
)
@NOW
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def issue_batch(
    *,
    source: Path,
    pki_dir: Path,
    out: Path,
    rejects: Path,
    workers: int | None,
    progress_seconds: float,
    now: dt.datetime | None,
    as_json: bool,
) -> None:
    """Issue a passport for every record in RECORDS.jsonl (one JSON record object a line,
    with the issuing facility's "facility_id").

    Every line ends as one line in --out or one in --rejects; a rerun resumes where an
    interrupted one stopped. Exit 0 when nothing was rejected, 1 when something was,
    2 on an input error, 130 when interrupted (Ctrl-C; run it again to resume).
    """
    # Loaded only here: the other commands need none of it (multiprocessing and all).
    from vaxpass_core.shell.bulk import issue_batch as run_batch  # noqa: PLC0415

    pki = load_pki(pki_dir)
    total = _count_lines(source)
    with contextlib.ExitStack() as stack:
        progress = _progress(stack, total, progress_seconds)
        try:
            # issue_batch reports increments: lines each finished chunk handled.
            report = run_batch(
                source,
                out=out,
                rejects=rejects,
                facilities=pki.facilities,
                issuer=pki.document_signer,
                trust=pki.trust,
                now=now_or_clock(now),
                workers=workers,
                progress=progress,
            )
        except VaxpassError as exc:  # the issuer cannot issue at all (KeyExpired)
            refuse(exc, as_json=as_json)
        except (OSError, ValueError) as exc:  # output without checkpoint, foreign checkpoint
            raise InputError(f"issue-batch: {one_line(exc)}") from exc
        except KeyboardInterrupt:
            stack.pop_all()  # no last progress line after the interruption
            click.echo(
                "\ninterrupted: run the same command again to resume from the last checkpoint",
                err=True,
            )
            finish(EXIT_INTERRUPTED)
    _print_report(report, out=out, rejects=rejects, as_json=as_json)
    finish(EXIT_VALID if not report.rejected else EXIT_INVALID)


def _progress(
    stack: contextlib.ExitStack[bool | None], total: int, interval: float
) -> Callable[[int], None]:
    """A bar on a terminal's stderr; on a log, a line with the rate every *interval* seconds
    (a bar would show only at the end). stdout stays clean for --json."""
    stream = sys.stderr
    if stream.isatty():
        bar = stack.enter_context(click.progressbar(length=total, label="issuing", file=stream))
        update: Callable[[int], None] = bar.update
        return update
    lines = ProgressLines(total, echo=lambda text: click.echo(text, err=True), interval=interval)
    stack.callback(lines.finish)
    return lines


def _print_report(report: BatchReport, *, out: Path, rejects: Path, as_json: bool) -> None:
    values = attrs.asdict(report)
    seconds = report.seconds
    rate = report.issued / seconds if seconds else None
    if as_json:
        echo_json({**values, "per_second": rate, "out": str(out), "rejects": str(rejects)})
        return
    for name, value in values.items():
        if name != "seconds":
            click.echo(f"  {name:<9} {value:>10}")
    per_second = f", {rate:,.0f} passports/s" if rate is not None else ""
    click.echo(f"  seconds   {seconds:>10.2f}{per_second}")
