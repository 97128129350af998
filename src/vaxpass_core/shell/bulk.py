"""Bulk issuance: JSON Lines of records in, passports out, on every core, resumable.

This module is part of the *shell*, like the CLI: it reads and writes files and runs worker
processes. The passports themselves come from the pure core: a worker takes a chunk of lines
through the steps of :func:`~vaxpass_core.attest_and_issue` one stage at a time (decode the
lines, check the records, sign the attestations, accept them, build the claims, sign the
passports, encode and self-check), so each line gets the passport, or the refusal, that the
one call gives it.

Input: one JSON object per line, the :class:`~vaxpass_core.VaccinationRecord` field names
(``full_name`` as ``{"family": ..., "given": ...}``, dates as ISO strings) plus
``"facility_id"``, the facility that attests the record. Output: every input line ends as
exactly one line in *out*, ``{"line": n, "certificate_id": ..., "qr_text": "HC1:..."}``, or
one line in *rejects*, ``{"line": n, "code": ..., "error": ...}``. Lines are numbered from 1;
both files are in input order.

The on-disk protocol that makes an interrupted run resumable (docs/bulk.md has the why):

1. ``<out>.checkpoint`` (JSON, replaced atomically) records how far the batch has got: the
   source byte offset and line number reached, and the sizes of *out* and *rejects* then.
2. A checkpoint is written only after the data it covers is flushed and fsynced, so every
   byte it counts is on disk.
3. On start, with a checkpoint: *out* and *rejects* are truncated to its sizes (dropping a
   torn last line and whatever was written after it), and reading resumes at its offset.
   Without one: the run starts afresh, and refuses to clobber a non-empty *out* or *rejects*.

So nothing is lost (a line past the checkpoint is processed again) and nothing is duplicated
(what was written past the checkpoint is truncated first), whatever killed the run.
"""

from __future__ import annotations

import collections
import hashlib
import json
import multiprocessing
import multiprocessing.pool
import os
import signal
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs
from cryptography.hazmat.primitives import serialization

from vaxpass_core._time import epoch_of, iso
from vaxpass_core.chain import (
    Draft,
    Signed,
    accept_attestation,
    attest_at,
    checked_text,
    draft_passport,
    sign_passport,
)
from vaxpass_core.errors import Code, KeyExpired, VaxpassError
from vaxpass_core.shell.record_json import record_from_json
from vaxpass_core.signers import DocumentSigner, FacilitySigner
from vaxpass_core.trust import FacilityRoot, Revocation, SignerCertificate, TrustStore


if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from datetime import datetime
    from multiprocessing.pool import AsyncResult
    from pathlib import Path
    from typing import BinaryIO

    from vaxpass_core.attestation import Attestation
    from vaxpass_core.record import VaccinationRecord


__all__ = [
    "REJECT_INTERNAL",
    "REJECT_JSON",
    "BatchReport",
    "checkpoint_path",
    "issue_batch",
]

#: Reject code: the line is not a JSON object (bad JSON, blank, an array, ...).
REJECT_JSON: Final = Code.BATCH_LINE.value
#: Reject code: an unexpected error while issuing this one record (a bug; the run goes on).
REJECT_INTERNAL: Final = Code.BATCH_INTERNAL.value

_CHECKPOINT_VERSION: Final = 1
# Lines per task sent to a worker: large enough that IPC costs little, small enough for a
# smooth progress bar and little repeated work after a crash.
_CHUNK_LINES = 500
# Seconds between checkpoints (each costs two fsyncs and an atomic rename).
_CHECKPOINT_SECONDS = 2.0
# Tasks in flight per worker: keeps workers busy while bounding memory.
_IN_FLIGHT_PER_WORKER: Final = 3
_DER = serialization.Encoding.DER


@attrs.frozen
class BatchReport:
    """What one :func:`issue_batch` call did.

    :ivar read: input lines handled by this call (``issued + rejected``).
    :ivar issued: passports written to *out* by this call.
    :ivar rejected: lines written to *rejects* by this call.
    :ivar skipped: lines an earlier, interrupted run had already finished (not redone).
    :ivar seconds: wall-clock time of this call.
    """

    read: int
    issued: int
    rejected: int
    skipped: int
    seconds: float


def checkpoint_path(out: Path) -> Path:
    """Where :func:`issue_batch` keeps the checkpoint for *out*."""
    return out.with_name(out.name + ".checkpoint")


# -- What a worker needs, as picklable bytes (keys and certificates do not pickle). ---------


@attrs.frozen
class _Spec:
    facilities: tuple[tuple[str, bytes, bytes], ...]  # id, PKCS#8 DER key, certificate DER
    issuer: tuple[bytes, bytes, str, str]  # key, certificate, country, issuer_name
    signers: tuple[tuple[bytes, bytes, str | None], ...]  # DER, kid, country
    roots: tuple[bytes, ...]
    facility_certs: tuple[bytes, ...]
    revocations: tuple[tuple[str, bytes, bytes | None], ...]
    now: datetime


def _key_der(key: Any) -> bytes:
    return bytes(
        key.private_bytes(_DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _spec(
    facilities: Sequence[FacilitySigner],
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
) -> _Spec:
    return _Spec(
        facilities=tuple(
            (f.facility_id, _key_der(f.key), f.certificate.public_bytes(_DER)) for f in facilities
        ),
        issuer=(
            _key_der(issuer.key),
            issuer.certificate.public_bytes(_DER),
            issuer.country,
            issuer.issuer_name,
        ),
        signers=tuple((s.der, s.kid, s.country) for s in trust.signers),
        roots=tuple(r.certificate.public_bytes(_DER) for r in trust.facility_roots),
        facility_certs=tuple(f.certificate.public_bytes(_DER) for f in trust.facilities),
        revocations=tuple((r.kind.value, r.value, r.kid) for r in trust.revocations),
        now=now,
    )


@attrs.frozen
class _Worker:
    facilities: dict[str, FacilitySigner]
    issuer: DocumentSigner
    trust: TrustStore
    now: datetime
    iat: int


def _build(spec: _Spec) -> _Worker:
    key, cert, country, name = spec.issuer
    facilities = {
        fid: FacilitySigner.from_pem(k, c, facility_id=fid) for fid, k, c in spec.facilities
    }
    trust = TrustStore(
        signers=[SignerCertificate(der, kid=kid, country=c) for der, kid, c in spec.signers],
        facility_roots=[FacilityRoot(der) for der in spec.roots],
        facilities=list(spec.facility_certs),
        revocations=[Revocation(kind, value, kid) for kind, value, kid in spec.revocations],
    )
    return _Worker(
        facilities=facilities,
        issuer=DocumentSigner.from_pem(key, cert, country=country, issuer_name=name),
        trust=trust,
        now=spec.now,
        iat=epoch_of(spec.now),
    )


_STATE: _Worker | None = None  # per worker process, set once by the pool initializer


def _init_worker(spec: _Spec) -> None:
    global _STATE  # noqa: PLW0603 - one worker process, one configuration
    # Ctrl-C goes to the whole process group: the parent decides what happens, not workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE = _build(spec)


class _Pool(multiprocessing.pool.Pool):
    """A pool whose workers end quietly when the parent is gone (kill -9, the OOM killer).

    A worker then finds the result pipe without a reader, and the pool's worker loop lets
    that ``BrokenPipeError`` out, where the process machinery prints it as a traceback:
    one per worker, alarming and meaningless. There is nobody left to tell: exit.
    """

    @staticmethod
    def Process(ctx: Any, *args: Any, **kwds: Any) -> Any:  # noqa: N802 - the name Pool calls
        return _quiet(ctx.Process)(*args, **kwds)


def _quiet(process_class: type[Any]) -> type[Any]:
    def run(self: Any) -> None:
        try:
            process_class.run(self)
        except ConnectionError:  # BrokenPipeError, ConnectionResetError: the parent died
            return

    return type(f"Quiet{process_class.__name__}", (process_class,), {"run": run})


def _decode(state: _Worker, raw: bytes) -> tuple[FacilitySigner, dict[str, Any]] | bytes:
    """A line's facility and record object, or the reason it is none (a reject line
    without its number, which the caller adds)."""
    try:
        # JSON Lines is UTF-8: decode as that, not as json.loads() guesses (it would take
        # a line with a NUL second byte for UTF-16 and report that).
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _why(REJECT_JSON, f"not UTF-8: byte {exc.object[exc.start]:#04x} at {exc.start}")
    try:
        data = _json_object(text)
    except ValueError as exc:
        return _why(REJECT_JSON, f"not JSON: {exc}")
    except RecursionError:
        return _why(REJECT_JSON, "not JSON this reader takes: nested too deeply")
    if not isinstance(data, dict):
        return _why(REJECT_JSON, f"not a JSON object but {type(data).__name__}")
    facility_id = data.pop("facility_id", None)
    facility = state.facilities.get(facility_id) if isinstance(facility_id, str) else None
    if facility is None:
        return _why(Code.FACILITY_UNKNOWN, f"facility_id {facility_id!r} is not a known facility")
    return facility, data


# What json.loads() runs, without its wrapper (JSONDecoder sets it; typeshed omits it).
_SCAN: Final[Callable[[str, int], tuple[Any, int]]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE: Final = " \t\n\r"  # the whitespace JSON allows around a value


def _json_object(text: str) -> Any:
    """``json.loads(text)``, a line that is one object read by json's scanner directly
    (json.loads() spends a third of its time around it: regexes for the whitespace, three
    calls); anything else, and every error, is json.loads()'s, with its message."""
    if text[:1] == "{":
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, ValueError):
            pass  # json.loads() says what is wrong
        else:
            if not text[end:].strip(_JSON_SPACE):
                return value
    return json.loads(text)


def _why(code: str, error: str) -> bytes:
    return json.dumps({"code": code, "error": error}).encode()


def _reason(exc: Exception) -> bytes:
    """Why a record's line is rejected, from what a stage raised."""
    if isinstance(exc, VaxpassError):
        return _why(exc.code, exc.message)
    if isinstance(exc, TypeError | ValueError):  # a wrong type or shape in the record's JSON
        return _why(Code.RECORD_INVALID, str(exc))
    return _why(REJECT_INTERNAL, f"{type(exc).__name__}: {exc}")  # a bug costs one line


def _reject(line: int, why: bytes) -> bytes:
    # {"line": n, "code": ..., "error": ...}: json.dumps of that dict, in that order.
    return b'{"line": %d, %s\n' % (line, why[1:])


# The stages of issuing, in order: each takes the worker and what the one before made for a
# line, and returns what the next one needs, or raises to reject the line. They are the
# steps of vp.attest_and_issue(), which makes the same passport with the same refusals.
def _check_record(_: _Worker, item: tuple[FacilitySigner, dict[str, Any]]) -> Any:
    facility, data = item
    return facility, record_from_json(data)


def _sign_attestation(state: _Worker, item: tuple[FacilitySigner, VaccinationRecord]) -> Any:
    facility, record = item
    return attest_at(record, facility=facility, signed_at=state.iat)


def _accept(state: _Worker, attestation: Attestation) -> Attestation:
    accept_attestation(attestation, trust=state.trust, iat=state.iat)
    return attestation


def _build_claims(state: _Worker, attestation: Attestation) -> Draft:
    return draft_passport(attestation, issuer=state.issuer, iat=state.iat)


def _sign_passport(state: _Worker, draft: Draft) -> tuple[Draft, Signed]:
    return draft, sign_passport(draft, state.issuer)


def _finish(state: _Worker, item: tuple[Draft, Signed]) -> tuple[str, str]:
    draft, signed = item
    text = checked_text(draft, signed, trust=state.trust, now=state.now)
    return draft.attestation.record.certificate_id, text


_STAGES: Final[tuple[Callable[[_Worker, Any], Any], ...]] = (
    _check_record,
    _sign_attestation,
    _accept,
    _build_claims,
    _sign_passport,
    _finish,
)


def _issue_chunk(state: _Worker, lines: Sequence[bytes]) -> list[tuple[str, str] | bytes]:
    """Per line, its passport (certificate id and QR text) or why it is rejected (a JSON
    object's bytes); a chunk at a time through each stage."""
    results: list[Any] = [_decode(state, raw) for raw in lines]
    live = [i for i, value in enumerate(results) if type(value) is not bytes]
    for stage in _STAGES:
        survivors = []
        for i in live:
            try:
                results[i] = stage(state, results[i])
            except Exception as exc:  # a bad record must cost one line, not the run
                results[i] = _reason(exc)
            else:
                survivors.append(i)
        live = survivors
    return results


def _out_line(line: int, certificate_id: str, qr_text: str) -> bytes:
    """``json.dumps({"line": ..., "certificate_id": ..., "qr_text": ...})`` and a newline,
    written out: HC1 text never needs escaping, and a certificate id (printable ASCII, the
    record saw to it) only for a quote or a backslash."""
    plain = (
        certificate_id.isascii()
        and certificate_id.isprintable()
        and '"' not in certificate_id
        and "\\" not in certificate_id
    )
    cid = f'"{certificate_id}"' if plain else json.dumps(certificate_id)
    return f'{{"line": {line}, "certificate_id": {cid}, "qr_text": "{qr_text}"}}\n'.encode()


@attrs.frozen
class _Done:
    out: bytes
    rejects: bytes
    issued: int
    rejected: int


def _work(first_line: int, lines: list[bytes]) -> _Done:
    state = _STATE
    if state is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker not initialised")
    out: list[bytes] = []
    rejects: list[bytes] = []
    for n, result in enumerate(_issue_chunk(state, lines), first_line):
        if isinstance(result, bytes):
            rejects.append(_reject(n, result))
        else:
            out.append(_out_line(n, *result))
    return _Done(b"".join(out), b"".join(rejects), len(out), len(rejects))


# -- The checkpoint. --------------------------------------------------------------------------


@attrs.frozen
class _Checkpoint:
    source_offset: int = 0
    next_line: int = 1
    out_size: int = 0
    rejects_size: int = 0
    tail: str = ""  # SHA-256 of the last source line it covers: a changed source is noticed
    tail_length: int = 0


def _fsync_dir(path: Path) -> None:
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _save(path: Path, checkpoint: _Checkpoint) -> None:
    """Replace the checkpoint atomically: the old one or the new one, never half of either."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(json.dumps({"version": _CHECKPOINT_VERSION, **attrs.asdict(checkpoint)}).encode())
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    _fsync_dir(path)


def _load(path: Path) -> _Checkpoint:
    data = json.loads(path.read_bytes())
    if not isinstance(data, dict) or data.pop("version", None) != _CHECKPOINT_VERSION:
        raise ValueError(f"{path} is not a checkpoint this version understands")
    return _Checkpoint(**data)


def _start(source: Path, out: Path, rejects: Path) -> tuple[_Checkpoint, bool]:
    """The checkpoint to start from, with out and rejects cut back to it; True if resuming."""
    path = checkpoint_path(out)
    if not path.exists():
        for target in (out, rejects):
            if target.exists() and target.stat().st_size:
                raise FileExistsError(
                    f"{target} is not empty and there is no checkpoint {path} to resume from"
                )
        for target in (out, rejects):
            target.write_bytes(b"")
        start = _Checkpoint()
        _save(path, start)
        return start, False
    start = _load(path)
    with source.open("rb") as f:
        f.seek(start.source_offset - start.tail_length)
        tail = f.read(start.tail_length)
    # A checkpoint made before the first line was done covers no source byte: nothing to
    # compare (its tail is empty), and any source resumes from it.
    if start.tail_length and (
        len(tail) != start.tail_length or hashlib.sha256(tail).hexdigest() != start.tail
    ):
        raise ValueError(f"{source} is not the file {path} was made for")
    for target, size in ((out, start.out_size), (rejects, start.rejects_size)):
        if not target.exists() or target.stat().st_size < size:
            raise ValueError(f"{target} is shorter than {path} says: it was changed")
        with target.open("r+b") as f:
            f.truncate(size)
            os.fsync(f.fileno())
    return start, True


# -- The run. ----------------------------------------------------------------------------------


def _chunks(
    source: BinaryIO, first_line: int, size: int
) -> Iterator[tuple[int, list[bytes], int, bytes]]:
    """(first line number, lines, bytes they take, last line) per chunk, streaming."""
    lines: list[bytes] = []
    length = 0
    line = first_line
    for raw in source:
        lines.append(raw)
        length += len(raw)
        if len(lines) == size:
            yield line, lines, length, raw
            line += size
            lines, length = [], 0
    if lines:
        yield line, lines, length, lines[-1]


def _facility_list(
    facilities: Sequence[FacilitySigner] | Mapping[str, FacilitySigner],
) -> list[FacilitySigner]:
    """The signers, from a sequence or from a mapping of facility_id to signer."""
    if isinstance(facilities, str | bytes):
        raise TypeError("facilities must be FacilitySigner objects, not a string")
    if isinstance(facilities, Mapping):
        signers = list(facilities.values())
        for key, signer in facilities.items():
            if isinstance(signer, FacilitySigner) and key != signer.facility_id:
                raise ValueError(
                    f"facilities maps {key!r} to the signer of {signer.facility_id!r}: "
                    "a mapping's keys must be the signers' facility_id"
                )
    else:
        signers = list(facilities)
    wrong = [type(f).__name__ for f in signers if not isinstance(f, FacilitySigner)]
    if wrong:
        raise TypeError(f"facilities must be FacilitySigner objects, not {wrong[0]}")
    return signers


def _preflight(
    facilities: Sequence[FacilitySigner] | Mapping[str, FacilitySigner],
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
    workers: int | None,
) -> tuple[_Spec, int]:
    """What the workers need, and how many; refuse a configuration that would reject every
    line, before reading any."""
    when = epoch_of(now)  # refuses a naive now (ValueError)
    count = (os.cpu_count() or 1) if workers is None else workers
    if count < 1:
        raise ValueError("workers must be at least 1")
    signers = _facility_list(facilities)
    ids = [f.facility_id for f in signers]
    if len(set(ids)) != len(ids):
        raise ValueError("two facilities share a facility_id")
    if not isinstance(issuer, DocumentSigner):
        raise TypeError(f"issuer must be a DocumentSigner, not {type(issuer).__name__}")
    if not isinstance(trust, TrustStore):
        raise TypeError(f"trust must be a TrustStore, not {type(trust).__name__}")
    if not trust.signers_for(issuer.kid):
        raise ValueError("the trust store does not hold the issuer's certificate")
    if not issuer.not_before <= when <= issuer.not_after:
        raise KeyExpired(f"the Document Signer certificate is not valid at {iso(when)}")
    return _spec(signers, issuer, trust, now), count


class _Writer:
    """The parent's side: writes finished chunks in order, counts them, and checkpoints."""

    def __init__(
        self,
        out: BinaryIO,
        rejects: BinaryIO,
        path: Path,
        start: _Checkpoint,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.out, self.rejects, self.path = out, rejects, path
        self.state = start
        self.progress = progress
        self.issued = self.rejected = 0
        self.last_saved = time.monotonic()

    def commit(self, done: _Done, lines: int, length: int, tail: bytes) -> None:
        """Write one chunk's output; the checkpoint to come covers it."""
        self.out.write(done.out)
        self.rejects.write(done.rejects)
        self.issued += done.issued
        self.rejected += done.rejected
        state = self.state
        self.state = _Checkpoint(
            source_offset=state.source_offset + length,
            next_line=state.next_line + lines,
            out_size=state.out_size + len(done.out),
            rejects_size=state.rejects_size + len(done.rejects),
            tail=hashlib.sha256(tail).hexdigest(),
            tail_length=len(tail),
        )
        if self.progress is not None:
            self.progress(lines)

    def save(self) -> None:
        """Flush and fsync both outputs, then replace the checkpoint (protocol step 2)."""
        for f in (self.out, self.rejects):
            f.flush()
            os.fsync(f.fileno())
        _save(self.path, self.state)
        self.last_saved = time.monotonic()


def _drive(
    pool: multiprocessing.pool.Pool,
    chunks: Iterator[tuple[int, list[bytes], int, bytes]],
    writer: _Writer,
    workers: int,
) -> None:
    """Send the chunks to the workers, a few in flight each, and commit their results in
    input order; checkpoint every few seconds and at the end."""
    pending: collections.deque[tuple[AsyncResult[_Done], int, int, bytes]] = collections.deque()
    for first, lines, length, tail in chunks:
        pending.append((pool.apply_async(_work, (first, lines)), len(lines), length, tail))
        if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
            result, n, size, last = pending.popleft()
            writer.commit(result.get(), n, size, last)
            if time.monotonic() - writer.last_saved >= _CHECKPOINT_SECONDS:
                writer.save()
    while pending:
        result, n, size, last = pending.popleft()
        writer.commit(result.get(), n, size, last)
    writer.save()


def issue_batch(
    source: Path,
    *,
    out: Path,
    rejects: Path,
    facilities: Sequence[FacilitySigner] | Mapping[str, FacilitySigner],
    issuer: DocumentSigner,
    trust: TrustStore,
    now: datetime,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchReport:
    """Issue a passport for every record line of *source*; resume if interrupted before.

    *facilities* are the signers that attest, as a sequence or as a mapping from
    ``facility_id`` to signer; a line's ``"facility_id"`` picks one.

    Every input line ends as exactly one line of *out* or of *rejects*, in input order
    (see the module docs for the formats and the checkpoint ``<out>.checkpoint``). Run it
    again with the same arguments after an interruption (Ctrl-C, kill -9, power loss) and
    it goes on where the last checkpoint left off, losing and duplicating nothing.

    *workers* processes (default: one per core) attest and issue; this process reads,
    writes and checkpoints. *progress*, if given, is called with the number of input lines
    each finished chunk handled (an increment for a progress bar), and once at the start
    with the lines a resumed run skips.

    Raises ``FileExistsError`` if *out* or *rejects* has content but no checkpoint,
    ``ValueError`` if the checkpoint does not fit *source* or the configuration is unusable
    (:class:`~vaxpass_core.errors.KeyExpired` if the issuer's certificate is not valid at
    *now*), and ``OSError`` from the files. A record's own faults never raise: they are
    rejects.
    """
    started = time.monotonic()
    spec, count = _preflight(facilities, issuer, trust, now, workers)
    checkpoint, resumed = _start(source, out, rejects)
    skipped = checkpoint.next_line - 1 if resumed else 0
    if progress is not None and skipped:
        progress(skipped)
    with (
        source.open("rb") as src,
        out.open("ab") as out_file,
        rejects.open("ab") as rejects_file,
        _Pool(
            count, initializer=_init_worker, initargs=(spec,), context=multiprocessing.get_context()
        ) as pool,
    ):
        src.seek(checkpoint.source_offset)
        writer = _Writer(out_file, rejects_file, checkpoint_path(out), checkpoint, progress)
        _drive(pool, _chunks(src, checkpoint.next_line, _CHUNK_LINES), writer, count)
    issued, rejected = writer.issued, writer.rejected
    return BatchReport(
        read=issued + rejected,
        issued=issued,
        rejected=rejected,
        skipped=skipped,
        seconds=time.monotonic() - started,
    )
