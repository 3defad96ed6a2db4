"""docs/workflow.md prints the transition and guard tables of the code; this keeps them equal."""

from __future__ import annotations

from pathlib import Path

from cloud.domain.workflow import guard_table_markdown, transition_table_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_table_is_the_code_table() -> None:
    assert transition_table_markdown() in (DOCS / "workflow.md").read_text(encoding="utf-8")


def test_the_documented_guards_are_the_code_guards() -> None:
    assert guard_table_markdown() in (DOCS / "workflow.md").read_text(encoding="utf-8")
