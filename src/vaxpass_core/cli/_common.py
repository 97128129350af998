"""What every command shares: exit codes, input errors, ``--now``, JSON and coloured output.

Colour: text goes through ``click.echo``, which drops the ANSI styles whenever the stream is
not a terminal, so piped output is plain without any test of our own.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn

import click

from vaxpass_core.errors import VaxpassError
from vaxpass_core.hazmat.cbor import CBORTag
from vaxpass_core.result import Status


if TYPE_CHECKING:
    from pathlib import Path

    from vaxpass_core.certlogic import RulesResult
    from vaxpass_core.result import VerificationResult


__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_VALID",
    "NOW",
    "InputError",
    "InternalError",
    "IsoTime",
    "as_cli_error",
    "echo_json",
    "finish",
    "jsonable",
    "one_line",
    "print_checks",
    "print_rules",
    "readable_times",
    "refuse",
    "require_empty_dir",
    "verdict",
]

EXIT_VALID: Final = 0
EXIT_INVALID: Final = 1
EXIT_INPUT: Final = 2
#: A bug (an exception no input should cause): sysexits' EX_SOFTWARE.
EXIT_INTERNAL: Final = 70
#: Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it.
EXIT_INTERRUPTED: Final = 130

_STATUS_COLOURS: Final = {Status.PASSED: "green", Status.FAILED: "red", Status.SKIPPED: "yellow"}
_RULE_COLOURS: Final = {"passed": "green", "failed": "red", "open": "yellow"}


class InputError(click.ClickException):
    """A usage or input error (a missing file, an unreadable record): exit 2."""

    exit_code = EXIT_INPUT


class InternalError(click.ClickException):
    """An exception no input should cause (a bug): one line, exit 70."""

    exit_code = EXIT_INTERNAL


def one_line(exc: BaseException) -> str:
    """*exc*'s message on one line (a traceback-free report); its type when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def as_cli_error(exc: Exception) -> click.ClickException:
    """What the command line reports for *exc*, an exception a command did not handle.

    The library's documented errors (:class:`VaxpassError`, the ``ValueError`` family) and
    ``OSError`` mean the input was bad: exit 2. So do ``RecursionError`` and ``MemoryError``,
    which only a reader handed a hostile file raises. Anything else is a bug: exit 70. Each
    is one line, never a traceback.
    """
    if isinstance(exc, VaxpassError):
        return InputError(f"[{exc.code}] {one_line(exc)}")
    if isinstance(exc, RecursionError):
        return InputError("the input is nested too deeply to read")
    if isinstance(exc, MemoryError):
        return InputError("the input is too large to read")
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return InputError(f"{where}{exc.strerror or one_line(exc)}")
    if isinstance(exc, ValueError):
        return InputError(one_line(exc))
    return InternalError(
        f"internal error (a bug, please report it): {type(exc).__name__}: {one_line(exc)}"
    )


def finish(code: int) -> NoReturn:
    """End the command with *code* (works in click's standalone and embedded modes)."""
    raise click.exceptions.Exit(code)


if TYPE_CHECKING:  # generic only in newer click releases; click>=8.1 is supported
    _TimeParam = click.ParamType[dt.datetime]
else:
    _TimeParam = click.ParamType


class IsoTime(_TimeParam):
    """An ISO 8601 date or date-time; a time without a zone is UTC, a bare date is midnight UTC."""

    name = "ISO-TIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or date-time", param, ctx)
        return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


#: ``--now``: the one place the command line reads the clock (when the option is absent).
NOW: Final = click.option(
    "--now",
    type=IsoTime(),
    default=None,
    help="The time to act at (ISO 8601; UTC unless a zone is given). Default: the clock.",
)


def require_empty_dir(directory: Path, *, force: bool) -> None:
    """Refuse (exit 2) a *directory* that is something else, or not empty without --force."""
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory} exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise InputError(f"{directory} is not empty; pass --force to write into it anyway")


def now_or_clock(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def jsonable(value: Any) -> Any:
    """*value* (decoded CBOR, attrs-free data) as something ``json.dumps`` takes.

    Bytes become hex, map keys text, tags ``{"tag": n, "value": ...}``, dates ISO text.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, CBORTag):
        return {"tag": value.tag, "value": jsonable(value.value)}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def epoch_iso(epoch: int | None) -> str | None:
    if epoch is None:
        return None
    try:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):  # a garbage date from an untrusted passport
        return f"(out of range: {epoch})"


def verdict(ok: bool, good: str = "VALID", bad: str = "INVALID") -> str:
    return click.style(good if ok else bad, fg="green" if ok else "red", bold=True)


# Checks whose details give times: people read them as dates (``--json`` keeps the detail).
_TIME_CHECKS: Final = frozenset({"time.issued", "time.expiry", "key.validity"})
_EPOCH: Final = re.compile(r"\b\d{9,11}\b")


def readable_times(detail: str) -> str:
    """*detail* with epoch seconds (9 to 11 digits) shown as ISO 8601 UTC."""
    return _EPOCH.sub(lambda match: epoch_iso(int(match[0])) or match[0], detail)


def print_checks(result: VerificationResult) -> None:
    """The checks, one a line, coloured by status; then the warnings."""
    for check in result.checks:
        status = click.style(f"{check.status.value:>7}", fg=_STATUS_COLOURS[check.status])
        if check.status is Status.FAILED:
            detail = check.detail
            if check.name in _TIME_CHECKS and detail:
                detail = readable_times(detail)
            extra = f"  [{check.code}] {detail}"
        elif check.status is Status.SKIPPED:
            extra = f"  ({check.detail})" if check.detail else ""
        else:
            extra = ""
        click.echo(f"  {status}  {check.name}{extra}")
    for advisory in result.warnings:
        click.echo(f"  {click.style('warning', fg='yellow')}  [{advisory.code}] {advisory.detail}")


def print_rules(rules: RulesResult) -> None:
    """Each applicable rule, one a line, coloured by outcome, with why an open one is open."""
    for found in rules.outcomes:
        colour = _RULE_COLOURS[found.outcome.value]
        status = click.style(f"{found.outcome.value:>7}", fg=colour)
        why = f"  ({found.reason})" if found.reason else ""
        click.echo(f"  {status}  {found.rule.identifier}  {found.description}{why}")
    if not rules.outcomes:
        click.echo("  (no rule applies to this certificate: the officer decides)")


def _rules_json(rules: RulesResult | None) -> dict[str, Any] | None:
    if rules is None:
        return None
    return {
        "verdict": rules.verdict.value,
        "outcomes": [
            {
                "identifier": o.rule.identifier,
                "version": o.rule.version,
                "outcome": o.outcome.value,
                "description": o.description,
                "reason": o.reason,
            }
            for o in rules.outcomes
        ],
    }


def result_json(result: VerificationResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "accepted": result.accepted,
        "rules": _rules_json(result.rules),
        "codes": [str(c) for c in result.codes],
        "checks": [
            {
                "name": c.name,
                "status": c.status.value,
                "code": None if c.code is None else str(c.code),
                "detail": c.detail,
                "depends_on": c.depends_on,
            }
            for c in result.checks
        ],
        "warnings": [{"code": str(a.code), "detail": a.detail} for a in result.warnings],
        "signer_country": result.signer_country,
        "dcc": result.dcc,
    }


# The library's advice names its arguments; on the command line the options say the same.
_IN_CLI_TERMS: Final = (("allow_unknown_codes=True", "--allow-unknown-codes"),)


def in_cli_terms(message: str) -> str:
    """*message* with the library's argument names replaced by the command's options."""
    for library, option in _IN_CLI_TERMS:
        message = message.replace(library, option)
    return message


def refuse(error: VaxpassError, *, as_json: bool) -> NoReturn:
    """The library refused (a bad record, an unknown facility): say why, with its code; exit 1."""
    message = in_cli_terms(error.message)
    if as_json:
        echo_json({"ok": False, "code": str(error.code), "message": message})
    else:
        click.echo(
            f"{click.style('refused', fg='red', bold=True)} [{error.code}] {message}",
            err=True,
        )
    finish(EXIT_INVALID)
