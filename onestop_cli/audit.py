"""``onestop audit …``: check the cloud's hash-chained audit log, read a subject's trail.

Opens the database the cloud uses (``ONESTOP_DATABASE_URL`` /
``ONESTOP_DATA_DIR``, ``cloud.settings.Settings``) and never writes to it:
no migration, no new SQLite file. Exit codes of ``verify``, for cron jobs
and monitoring: 0 intact, 1 tampered, 2 the database cannot be opened (or
has no audit log). What verify can and cannot prove: ``docs/audit.md``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cloud.domain.audit import Problem, VerifyReport

audit_app = typer.Typer(help="The hash-chained audit log of the cloud (docs/audit.md).", no_args_is_help=True)

PROGRESS_FROM = 50_000
"""Logs longer than this get a progress bar on standard error (when it is a terminal)."""

_KIND_VI = {
    "altered": "mục {seq} đã bị sửa",
    "removed": "có mục đã bị xóa, từ mục {seq}",
    "reordered": "mục {seq} đã bị đổi chỗ",
    "added": "mục {seq} được thêm vào ngoài quy trình ghi nhật ký",
}


def vi_number(n: int) -> str:
    """12345 → ``12.345``: Vietnamese groups thousands with dots."""
    return f"{n:,}".replace(",", ".")


@contextmanager
def _engine() -> Iterator[Engine]:
    """The cloud's database, or exit 2 with the reason; a SQLite file that does not exist is not created."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from cloud.db.engine import make_engine
    from cloud.settings import Settings

    url = Settings().db_url
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        _cannot_open(url, f"not a database URL: {exc}")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).is_file():
            _cannot_open(url, f"no such file {parsed.database} (check ONESTOP_DATA_DIR / ONESTOP_DATABASE_URL)")
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _cannot_open(url: str, reason: str) -> NoReturn:
    from sqlalchemy.engine import make_url

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as it is
        shown = url
    typer.echo(f"Không mở được cơ sở dữ liệu / cannot open the database {shown}: {reason}", err=True)
    raise typer.Exit(2)


def _parse_anchors(values: list[str]) -> dict[int, str]:
    anchors: dict[int, str] = {}
    for value in values:
        seq, _, digest = value.partition(":")
        if not seq.strip().isdigit() or len(digest.strip()) != 64:
            raise typer.BadParameter(f"{value!r}: expected SEQ:HASH, e.g. 12345:<64 hex digits>", param_hint="--anchor")
        anchors[int(seq)] = digest.strip().lower()
    return anchors


@audit_app.command("verify")
def verify(
    anchor: Annotated[list[str], typer.Option(
        help="SEQ:HASH of an entry noted outside the database earlier (repeatable): catches a rewritten log")] = [],  # noqa: B006
) -> None:
    """Check every entry of the audit log: exit 0 intact, 1 tampered, 2 database unavailable."""
    from sqlalchemy.exc import SQLAlchemyError

    from cloud.db import audit as audit_db
    from cloud.domain.audit import verify as verify_chain

    anchors = _parse_anchors(anchor)
    started = time.perf_counter()
    with _engine() as engine:
        try:
            with audit_db.snapshot(engine) as conn:
                head = audit_db.read_head(conn)
                total = head.last_seq if head else 0
                show = total >= PROGRESS_FROM
                with typer.progressbar(length=total, label="Kiểm tra / verifying", file=sys.stderr,
                                       show_pos=True, hidden=not show) as bar:
                    report = verify_chain(audit_db.read_all(conn, on_batch=bar.update), head, anchors=anchors)
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)  # DBAPIError's: the driver's own message, without SQL
            reason = str(orig if orig is not None else exc).splitlines()[0]
            _cannot_open(engine.url.render_as_string(), f"{reason} (is it a cloud database migrated to the "
                         "current version? `onestop cloud` migrates it when it starts)")
    _print_report(report, time.perf_counter() - started)
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report: VerifyReport, seconds: float) -> None:
    if report.problem is None:
        typer.echo(f"Nhật ký kiểm toán toàn vẹn: {vi_number(report.checked)} mục.")
        typer.echo(f"Audit log intact: {report.checked:,} entries (verified in {seconds:.1f} s"
                   + (f"; {report.anchors_checked} noted hash(es) matched)." if report.anchors_checked else ")."))
        if report.checked:
            seq, digest = report.last.last_seq, report.last.last_hash
            typer.echo(f"Mã băm đầu chuỗi / head hash (mục / entry {seq}): {digest}")
            typer.echo("Hãy ghi mã này ra ngoài cơ sở dữ liệu; lần sau chạy với "
                       f"--anchor {seq}:{digest} để phát hiện nhật ký bị viết lại toàn bộ.")
            typer.echo("Note it outside the database; a later run with that --anchor detects a rewritten log.")
        return
    problem: Problem = report.problem
    typer.echo(f"Nhật ký kiểm toán BỊ THAY ĐỔI: {_KIND_VI[problem.kind.value].format(seq=vi_number(problem.seq))}.")
    typer.echo(f"Audit log TAMPERED: entry {problem.seq} {problem.kind.value}: {problem.detail}.")
    typer.echo(f"{vi_number(report.checked)} mục trước đó hợp lệ / {report.checked:,} entries before it are intact"
               + (f" (up to entry {report.last.last_seq}, hash {report.last.last_hash})." if report.checked else "."))


@audit_app.command("show")
def show(
    subject: Annotated[str, typer.Option(help="kind:id, e.g. dossier:H74.718-261012-0001 or user:tn.lan")],
) -> None:
    """Print a subject's audit trail, oldest first (one entry per line: seq, time UTC, who, action, data)."""
    from sqlalchemy.exc import SQLAlchemyError

    from cloud.db import audit as audit_db
    from cloud.domain.audit import format_instant

    with _engine() as engine:
        try:
            with audit_db.snapshot(engine) as conn:
                entries = audit_db.read_subject(conn, subject)
        except SQLAlchemyError as exc:
            _cannot_open(engine.url.render_as_string(), str(exc).splitlines()[0])
    if not entries:
        typer.echo(f"Không có mục nào cho / no entries for {subject}", err=True)
        raise typer.Exit(1)
    for e in entries:
        who = f"{e.actor.unit}/{e.actor.officer} ({e.actor.role})"
        typer.echo(f"{e.seq:>8}  {format_instant(e.at)}  {who:<40} {e.action:<20} "
                   f"{json.dumps(e.data, ensure_ascii=False, sort_keys=True)}")
