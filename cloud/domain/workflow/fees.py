"""Fees under the representative mechanism: what the lead agency keeps and what it owes each partner.

001: the lead agency "thu phí, lệ phí của các phần việc này … Phí, lệ phí sẽ
được chuyển trả cho các cơ quan có thẩm quyền thu theo tháng hay quý". The
desk collects once; this says how the money divides, for the receipt and for
the monthly transfer.
"""

from __future__ import annotations

from cloud.domain.catalogue import Fee
from cloud.domain.workflow.records import Frozen


class FeeSplit(Frozen):
    """Fees collected once by the lead agency, and what it owes each partner (representative mechanism)."""

    total_vnd: int
    lead_vnd: int
    owed_vnd: dict[str, int]


def split_fees(lines: list[tuple[Fee, int]] | tuple[tuple[Fee, int], ...]) -> FeeSplit:
    """Split the fees of a dossier: ``lines`` are ``(fee, quantity)`` (pages, copies, …).

    Per-unit fees respect their cap (``max_vnd``) per line. Money of fees with
    ``collected_for`` is owed to that partner agency; the rest is the lead's.
    """
    owed: dict[str, int] = {}
    lead = 0
    for fee, quantity in lines:
        if quantity < 0:
            raise ValueError("quantity must be >= 0")
        amount = fee.amount_vnd * quantity
        if fee.max_vnd is not None:
            amount = min(amount, fee.max_vnd)
        if fee.collected_for:
            owed[fee.collected_for] = owed.get(fee.collected_for, 0) + amount
        else:
            lead += amount
    return FeeSplit(total_vnd=lead + sum(owed.values()), lead_vnd=lead, owed_vnd=owed)
