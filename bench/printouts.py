"""Render times of the printouts Mẫu 04, 05 and 06 (cloud.printouts.followup), without the API.

Builds each printout model with realistic Vietnamese content and renders it
to PDF a few times (WeasyPrint imported once first), printing the median and
every run; the register at each row count given.

    .venv/bin/python bench/printouts.py [--rows 26 100 1000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from cloud.domain.deadlines import Timing
from cloud.printouts.followup import (
    ApologyPrintout,
    ControlRow,
    ControlSheetPrintout,
    RegisterPrintout,
    RegisterRow,
    render_apology,
    render_control_sheet,
    render_register,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 10, 12, 8, tzinfo=VN)
ISSUER = ("ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ DẦU MỘT", "Bộ phận tiếp nhận và trả kết quả thành phố Thủ Dầu Một")
UNIT = "Thành phố Thủ Dầu Một"
PROCEDURE = ("KD.01", "Đăng ký thành lập hộ kinh doanh")


def timed(label: str, render: Callable[[], bytes], runs: int = 3) -> None:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(render())
        times.append((time.perf_counter() - started) * 1000)
    runs_text = ", ".join(f"{t:.0f}" for t in times)
    print(f"{label}: median {sorted(times)[len(times) // 2]:.0f} ms (runs {runs_text}), {size} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[26, 100], help="register sizes to render")
    args = parser.parse_args()
    apology = ApologyPrintout(
        issuer=ISSUER, office_name=ISSUER[1], unit_name=UNIT, code="H74.718-261012-0001", applicant_name="Phạm Văn Đồng",
        procedure_code=PROCEDURE[0], procedure_name=PROCEDURE[1], received_at=T0,
        previous_appointment=T0 + timedelta(days=3), new_appointment=T0 + timedelta(days=7),
        reason="Chờ ý kiến cơ quan thuế", issued_at=T0 + timedelta(days=2), signer_title="TRƯỞNG PHÒNG",
        signer_name="Nguyễn Văn Hùng")
    render_apology(apology)  # imports WeasyPrint: not counted
    timed("Mẫu 04", lambda: render_apology(apology))
    row = ControlRow(sender_unit=ISSUER[1], sender_person="Nguyễn Thị Lan", receiver_unit="Phòng Tài chính – Kế hoạch",
                     receiver_person="Nguyễn Văn Hùng", handed_at=T0, received_at=T0 + timedelta(hours=1),
                     due=T0 + timedelta(hours=4), timing=Timing.on_time)
    for moves in (5, 12):
        sheet = ControlSheetPrintout(
            issuer=ISSUER, unit_name=UNIT, code="H74.718-261012-0001", applicant_name="Đỗ Thị Mười",
            procedure_code=PROCEDURE[0], procedure_name=PROCEDURE[1], received_at=T0, due=T0 + timedelta(days=3),
            handling_unit="Phòng Tài chính – Kế hoạch", rows=(row,) * moves, printed_at=T0)
        timed(f"Mẫu 05, {moves} hand-overs", partial(render_control_sheet, sheet))
    line = RegisterRow(
        code="H74.718-261012-0001", procedure_name=PROCEDURE[1], applicant_name="Nguyễn Văn Một",
        applicant_phone="+84912345678", handling_unit="Phòng Tài chính – Kế hoạch", received_at=T0,
        appointment=T0 + timedelta(days=3), handed_at=T0, handed_to="Trần Văn An", result_at=T0 + timedelta(days=2),
        returned_at=T0 + timedelta(days=2), note="Giải quyết trước hạn")
    for rows in args.rows:
        book = RegisterPrintout(issuer=ISSUER, unit_name=UNIT, first=date(2026, 10, 1), last=date(2026, 10, 31),
                                rows=(line,) * rows, printed_at=T0)
        timed(f"Mẫu 06, {rows} rows", partial(render_register, book), runs=1 if rows > 500 else 3)


if __name__ == "__main__":
    main()
