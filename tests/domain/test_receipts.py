"""Fee receipts (numbers, split), the fee statement, the receipt slip, and the postal quote."""

from __future__ import annotations

import pytest

from cloud.domain.catalogue import Catalogue
from cloud.domain.codes import CodeError
from cloud.domain.postal import PostalTariff
from cloud.domain.postal_return import PostalReturnRefused, quote
from cloud.domain.receipts import (
    ID_CARD_NOTICE,
    ReceiptNumberFormat,
    acknowledgement_slip,
    fee_statement,
    payment_split,
    receipt_for,
)
from cloud.domain.roles import Role
from cloud.domain.workflow import Actor, Dossier, apply, receive
from tests.domain.support import vn
from workdays import WorkingCalendar

reception = Actor(role=Role.reception, unit="tdm-bptn", officer="tn.lan")
START = vn(2026, 10, 12, 8, 0)


def received(calendar: WorkingCalendar, catalogue: Catalogue, procedure: str) -> Dossier:
    return receive(code="H74.718-261012-0001", procedure=catalogue.procedure(procedure), office="tdm-bptn",
                   handling_unit="tdm.ptnmt", actor=reception, now=START, calendar=calendar).dossier


def test_receipt_numbers_follow_the_pattern_and_keep_every_digit() -> None:
    numbers = ReceiptNumberFormat()
    assert numbers.format("H74.718", 2026, 42) == "H74.718-BL-2026-000042"
    assert numbers.format("H74.718", 2026, 1_234_567) == "H74.718-BL-2026-1234567"
    assert ReceiptNumberFormat("BL{yy}/{seq:05d}/{agency}").format("H74", 2027, 3) == "BL27/00003/H74"
    with pytest.raises(CodeError, match="needs the year"):
        ReceiptNumberFormat("{agency}-{seq}")
    with pytest.raises(CodeError, match="needs {seq}"):
        ReceiptNumberFormat("{agency}-{yyyy}")
    with pytest.raises(CodeError, match="unknown field {day}"):
        ReceiptNumberFormat("{agency}-{yyyy}-{day}-{seq}")
    with pytest.raises(CodeError, match="must be >= 1"):
        numbers.format("H74", 2026, 0)
    with pytest.raises(CodeError, match="upper-case"):
        numbers.format("h74 718", 2026, 1)


def test_an_itemised_payment_is_split_between_the_lead_and_the_tax_office(calendar: WorkingCalendar,
                                                                         catalogue: Catalogue) -> None:
    d = received(calendar, catalogue, "DD.02")
    registration, stamp_duty = (f.name for f in d.terms.fees)
    d = apply(d, "collect_fees", reception, {"amount_vnd": 12_530_000, "lines": [
        {"fee": registration}, {"fee": stamp_duty, "amount_vnd": 12_500_000}]}, START.replace(hour=9),
        calendar=calendar).dossier
    receipt = receipt_for("H74.718-BL-2026-000001", d, d.payments[-1])
    assert (receipt.amount_vnd, receipt.lead_vnd, receipt.owed_vnd) == (12_530_000, 30_000, {"thue": 12_500_000})
    assert receipt.collected_by_officer == "tn.lan" and receipt.dossier == d.code

    d = apply(d, "collect_fees", reception, {"amount_vnd": 50_000}, START.replace(hour=10), calendar=calendar).dossier
    unitemised = payment_split(d.payments[-1])
    assert (unitemised.lead_vnd, unitemised.owed_vnd) == (50_000, {})  # all the lead's

    statement = fee_statement(d, [receipt, receipt_for("H74.718-BL-2026-000002", d, d.payments[-1])])
    assert statement.due_vnd == 30_000 and [f.set_by_notice for f in statement.due] == [False, True]
    assert statement.paid_vnd == 12_580_000 and statement.balance_vnd == 30_000 - 12_580_000
    assert statement.lead_vnd == 80_000 and statement.owed_vnd == {"thue": 12_500_000}
    assert [r.number for r in statement.receipts] == ["H74.718-BL-2026-000001", "H74.718-BL-2026-000002"]


def test_the_slip_shows_what_the_paper_shows(calendar: WorkingCalendar, catalogue: Catalogue) -> None:
    procedure = catalogue.procedure("KD.01")
    d = receive(code="H74.718-261012-0007", procedure=procedure, office="tdm-bptn", handling_unit="tdm.ptckh",
                actor=reception, now=START.replace(hour=10), calendar=calendar).dossier
    slip = acknowledgement_slip(d, applicant_name="Nguyễn Thị Bình", unit_name="Thành phố Thủ Dầu Một",
                                office_name="Bộ phận tiếp nhận và trả kết quả thành phố Thủ Dầu Một",
                                documents=procedure.documents)
    assert slip.issuer == ("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT",
                           "Bộ phận tiếp nhận và trả kết quả thành phố Thủ Dầu Một")
    assert slip.code == slip.barcode == "H74.718-261012-0007" and slip.time_limit == "03 ngày làm việc"
    assert slip.received_at == START.replace(hour=10) and slip.appointment == vn(2026, 10, 15, 17, 0)
    assert [doc.name for doc in slip.documents] == [doc.name for doc in procedure.documents]
    assert slip.received_by == "tn.lan" and slip.id_card_notice == ID_CARD_NOTICE and slip.copies == 2
    assert set(slip.model_dump()) == {"title", "issuer", "office_name", "code", "barcode", "applicant_name",
                                      "procedure_code", "procedure_name", "documents", "dossier_sets", "time_limit",
                                      "received_at", "appointment", "return_at", "received_by", "id_card_notice",
                                      "copies"}  # no history, no holder, no internal state


def test_a_postal_quote_prices_by_zone_and_counts_working_days(calendar: WorkingCalendar, catalogue: Catalogue,
                                                               tariff: PostalTariff) -> None:
    d = received(calendar, catalogue, "KD.01")
    friday = vn(2026, 10, 16, 10, 0)
    far = quote(d.terms, tariff, calendar, "out_of_province", sent_at=friday)
    assert (far.fee_vnd, far.delivery_days, far.expected_delivery) == (60_500, 4, vn(2026, 10, 22, 17, 0))
    assert far.vat_included is None and "533" in far.tariff
    two = quote(d.terms, tariff, calendar, "remote", sent_at=friday, items=2, fee_collected_between_trips=True)
    assert two.fee_vnd == 200_000 and two.zone_label.startswith("Huyện Dầu Tiếng")
    assert quote(d.terms, tariff, calendar, "city", sent_at=friday, items=3).fee_vnd == 40_000
    marriage = received(calendar, catalogue, "HT.02")
    with pytest.raises(PostalReturnRefused, match="HT.02 does not allow"):
        quote(marriage.terms, tariff, calendar, "city", sent_at=friday)

