"""docs/workflow.md prints the transition table of the code; this keeps them equal."""

from __future__ import annotations

from pathlib import Path

from cloud.domain.workflow import transition_table_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_table_is_the_code_table() -> None:
    assert transition_table_markdown() in (DOCS / "workflow.md").read_text(encoding="utf-8")
