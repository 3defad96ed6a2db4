"""``onestop users …``: accounts of the cloud, managed from the server's shell.

The first admin of an installation can only be made here (the API needs an
admin to create users); after that either way works. Passwords are read
from a hidden prompt, or from standard input with ``--password-stdin`` for
provisioning scripts, never from the command line (it would sit in the
shell history and in ``ps``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cloud.auth.users import UserStore

users_app = typer.Typer(help="User accounts of the cloud (sign-in, roles, API tokens).", no_args_is_help=True)


@contextmanager
def _store() -> Iterator[UserStore]:
    from sqlalchemy.exc import SQLAlchemyError

    from cloud.auth.users import UserStore
    from cloud.db import migrate
    from cloud.db.engine import make_engine
    from cloud.settings import Settings

    settings = Settings()
    engine = make_engine(settings.db_url)
    try:
        migrate.upgrade(engine)
        yield UserStore(engine)
    except SQLAlchemyError as exc:
        typer.echo(f"ERROR: cannot use the database {engine.url.render_as_string()}: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt=True))


def _fail(message: str) -> None:
    typer.echo(f"ERROR: {message}", err=True)
    raise typer.Exit(1)


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="officer id, e.g. tn.lan")],
    full_name: Annotated[str, typer.Option("--name", help="full name as officers read it, e.g. 'Trần Ngọc Lan'")],
    unit: Annotated[str, typer.Option(help="unit code from province.yaml, e.g. hcm.sai_gon.vhxh or sai-gon (a desk)")],
    role: Annotated[list[str], typer.Option(help="a role; repeat for several: reception, department_head, "
                                            "specialist, leader, clerk, results_desk, admin, it, provincial_monitor")],
    no_password: Annotated[bool, typer.Option(help="token-only account, e.g. for a notification worker")] = False,
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Create a user."""
    from cloud.auth.users import UserError

    password = None if no_password else _read_password(password_stdin)
    with _store() as users:
        try:
            user = users.add(username, full_name=full_name, unit=unit, roles=role, password=password)
        except UserError as exc:
            _fail(str(exc))
    typer.echo(f"created {user.username} ({user.full_name}, {user.unit}): {', '.join(r.value for r in user.roles)}")


@users_app.command("list")
def list_users() -> None:
    """Every account, its unit, roles and whether it is active."""
    with _store() as users:
        for user in users.list():
            state = "" if user.active else "  [disabled]"
            typer.echo(f"{user.username:<20} {user.unit:<16} {','.join(r.value for r in user.roles):<32} "
                       f"{user.full_name}{state}")


@users_app.command("passwd")
def passwd(username: str,
           password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False) -> None:
    """Set a user's password."""
    from cloud.auth.users import UserError

    password = _read_password(password_stdin)
    with _store() as users:
        try:
            users.set_password(username, password)
        except UserError as exc:
            _fail(str(exc))
    typer.echo(f"password of {username} changed")


@users_app.command("token")
def token(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for, shown in listings")] = "cli",
    days: Annotated[float, typer.Option(min=0.01, help="validity in days")] = 90,
) -> None:
    """Issue an API token (printed once; only its hash is stored)."""
    from cloud.auth.users import SHELL, UserError

    with _store() as users:
        try:
            issued = users.issue_token(username, kind="api", name=name, ttl=timedelta(days=days), by=SHELL)
        except UserError as exc:
            _fail(str(exc))
    typer.echo(issued.secret)
    typer.echo(f"valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC; send it as 'Authorization: Bearer <token>'",
               err=True)


@users_app.command("deactivate")
def deactivate(username: str) -> None:
    """Disable an account and revoke all its tokens and sessions (its name stays in dossier histories)."""
    from cloud.auth.users import UserError

    with _store() as users:
        try:
            users.deactivate(username)
        except UserError as exc:
            _fail(str(exc))
    typer.echo(f"{username} disabled; its tokens and sessions are revoked")


@users_app.command("demo", hidden=True)
def demo() -> None:
    """Create the demo's accounts (used by ``onestop demo``)."""
    from cloud.auth.demo import ensure_demo_users

    with _store() as users:
        for username, full_name, role in ensure_demo_users(users):
            typer.echo(f"{username:<12} {role:<20} {full_name}")
