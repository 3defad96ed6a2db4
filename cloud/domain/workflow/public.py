"""What a citizen sees of a dossier: the public lookup by the code on the receipt slip.

001's complaint was that a citizen could not tell who had their dossier, so
the view names the unit *and* the officer holding it; it never names the
applicant, nor the private person a result went to.
"""

from __future__ import annotations

from datetime import datetime

from cloud.domain.workflow.records import Dossier, Frozen
from cloud.domain.workflow.states import APPLICANT_UNIT, POST_UNIT, STATE_LABELS_VI, DossierState


class PublicStatus(Frozen):
    """What a citizen sees: state, the unit *and* officer handling it (001), and the dates."""

    code: str
    procedure: str
    state: DossierState
    label_vi: str
    unit: str
    officer: str | None
    appointment: datetime
    handled_by: str | None = None
    """The handling officer: 001 has citizens ask them directly about a refusal."""
    waiting_for: tuple[str, ...] = ()
    refusal_reasons: tuple[str, ...] = ()


def public_status(dossier: Dossier) -> PublicStatus:
    """What anyone holding the receipt may see. Once the result has gone to the
    applicant or the post, the holder's "officer" is the recipient, a private
    person: it is never shown."""
    private_holder = dossier.holder.unit in (APPLICANT_UNIT, POST_UNIT)
    return PublicStatus(
        code=dossier.code,
        procedure=dossier.terms.name,
        state=dossier.state,
        label_vi=STATE_LABELS_VI[dossier.state],
        unit=dossier.holder.unit,
        officer=None if private_holder else dossier.holder.officer,
        appointment=dossier.clock.appointment,
        handled_by=dossier.assignee.officer if dossier.assignee else None,
        waiting_for=tuple(t.unit for t in dossier.pending_subtasks),
        refusal_reasons=dossier.refusal_reasons if dossier.outcome == "refused" else (),
    )
