"""What the dossier page needs to show its action forms: the choices by name, and the message after an action.

The forms (``cloud.web.action_forms``) say which fields an action has; this
module looks up, for one dossier, the people and units those fields offer,
by name: the specialists of the handling department, the leaders who may
sign, the units a specialist may ask (liên thông), the postal zones with the
fee and delivery date of the rules, the latest date an apology may give.
Only the choices of the forms shown are looked up.

After an action the console redirects back to the dossier (so a reload does
not repeat it) with its message in a short-lived cookie, the *flash*, which
the next page shows once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request, Response
from sqlalchemy import select

from cloud.auth.users import UserStore
from cloud.db.dossiers import admin_unit_table
from cloud.domain.deadlines import max_new_appointment
from cloud.domain.postal import ZONES
from cloud.domain.postal_return import quote as postal_quote
from cloud.domain.roles import Role
from cloud.domain.workflow import Action, Actor, Dossier
from cloud.dossiers.store import DossierStore
from cloud.web.action_forms import ActionForm, Choice, Choices, answerable_subtasks
from workdays import VN_TZ

FLASH_COOKIE = "onestop_flash"


def vnd(amount: int) -> str:
    """``20.000 đồng``: Vietnamese thousands separators."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def day(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y")


def officers(users: UserStore, role: Role, units: Sequence[str]) -> list[tuple[str, str, str]]:
    """Active officers holding ``role`` in one of ``units``: (login, full name, unit), by name."""
    wanted = set(units)
    found = [(u.username, u.full_name, u.unit) for u in users.list() if u.active and role in u.roles and u.unit in wanted]
    return sorted(found, key=lambda o: (o[1], o[0]))


def _unit_rows(store: DossierStore) -> dict[str, Any]:
    with store.engine.connect() as conn:
        return {r.id: r for r in conn.execute(select(admin_unit_table))}


def _lineage(rows: dict[str, Any], office: str) -> list[Any]:
    """The administrative unit of ``office`` and its ancestors, nearest first."""
    current = next((r for r in rows.values() if r.office == office), None)
    chain: list[Any] = []
    while current is not None and current not in chain:
        chain.append(current)
        current = rows.get(current.parent) if current.parent else None
    return chain


def _belongs(unit: str, home: str, rows: dict[str, Any]) -> bool:
    """Whether ``unit`` is an office of administrative unit ``home`` (``tdm.ubnd`` of ``tdm``), not of a child."""
    nearest = max((code for code in rows if unit == code or unit.startswith(code + ".")), key=len, default=None)
    return nearest == home


def choices_for(store: DossierStore, users: UserStore, dossier: Dossier, actor: Actor,
                forms: Sequence[ActionForm]) -> Choices:
    """The choices of the forms shown to ``actor`` on ``dossier``, by name."""
    actions = {f.action for f in forms}
    d = dossier
    units = store.unit_names()
    found: dict[str, Any] = {}
    if actions & {Action.assign, Action.reassign}:
        found["specialists"] = [Choice(login, name) for login, name, _ in officers(users, Role.specialist, [d.handling_unit])]
    if actions & {Action.submit, Action.request_verification}:
        rows = _unit_rows(store)
        lineage = _lineage(rows, d.office)
        if Action.submit in actions:
            signing = {d.handling_unit, *(r.id for r in lineage)}
            home = lineage[0].id if lineage else None
            signing |= {u.unit for u in users.list() if home is not None and _belongs(u.unit, home, rows)}
            found["leaders"] = [Choice(login, f"{name} – {units.get(unit, unit)}", {"unit": unit})
                                for login, name, unit in officers(users, Role.leader, sorted(signing))]
        if Action.request_verification in actions:
            offered: list[Choice] = []
            home = lineage[0].id if lineage else None
            offered += [Choice(r.id, str(r.name)) for r in sorted(rows.values(), key=lambda r: str(r.name))
                        if home is not None and r.parent == home]
            for row in lineage:
                offered += [Choice(str(dept["code"]), str(dept["name"]) + ("" if row is lineage[0] else f" ({row.name})"))
                            for dept in row.data.get("departments", []) if dept["code"] != d.handling_unit]
            found["units"] = offered
    if Action.answer_verification in actions:
        tasks = {t.number: t for t in d.subtasks}
        found["subtasks"] = [Choice(str(n), f"{units.get(tasks[n].unit, tasks[n].unit)}: {tasks[n].subject} "
                                             f"(hạn {day(tasks[n].due)})") for n in answerable_subtasks(d, actor)]
    if Action.return_result in actions and d.terms.postal_return:
        calendar = store.calendar_of(d.office)
        now = store.clock()
        quotes = [postal_quote(d.terms, store.tariff, calendar, zone, sent_at=now) for zone in ZONES]
        found["postal"] = [Choice(q.zone, f"{q.zone_label}: {vnd(q.fee_vnd)}, dự kiến giao {day(q.expected_delivery)}",
                                  {"fee": q.fee_vnd, "delivery": q.expected_delivery}) for q in quotes]
    if Action.apologise in actions and not d.clock.paused:
        found["latest_appointment"] = max_new_appointment(store.calendar_of(d.office), d.clock)
    return Choices(**found)


def set_flash(response: Response, kind: str, text: str) -> None:
    """Keep ``text`` for the next page (``kind``: ``ok`` or ``error``); a minute is plenty for a redirect."""
    value = quote(json.dumps({"kind": kind, "text": text}, ensure_ascii=False))
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="strict", path="/console")


def read_flash(request: Request) -> dict[str, str] | None:
    """The message the last action left (shown once: the page then calls :func:`forget_flash`)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if raw is None:
        return None
    try:
        data = json.loads(unquote(raw))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") not in ("ok", "error") or not isinstance(data.get("text"), str):
        return None
    return {"kind": data["kind"], "text": data["text"][:500]}


def forget_flash(response: Response) -> None:
    response.delete_cookie(FLASH_COOKIE, path="/console")
