"""/docs describes the whole service, and its examples are the sample data's, not "string" (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from cloud.app import create_app
from tests.auth.conftest import settings_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with TestClient(create_app(settings_in(tmp_path_factory.mktemp("docs")))) as client:
        yield client.get("/openapi.json").json()


def test_every_tag_is_described_and_the_service_is_more_than_queues(openapi: dict[str, Any]) -> None:
    used = {tag for operations in openapi["paths"].values() for op in operations.values() for tag in op.get("tags", [])}
    described = {t["name"]: t.get("description", "") for t in openapi.get("tags", [])}
    assert used <= set(described), f"tags without a description: {sorted(used - set(described))}"
    assert all(len(text) > 20 for text in described.values())
    assert "Dossiers" in openapi["info"]["description"] and "sai-gon" in openapi["info"]["description"]


def test_a_new_dossiers_examples_are_real_sample_data(openapi: dict[str, Any]) -> None:
    body = openapi["components"]["schemas"]["DossierCreate"]
    catalogue = yaml.safe_load((ROOT / "cloud" / "data" / "catalogue.yaml").read_text(encoding="utf-8"))
    procedures = {p["code"]: p for p in catalogue["procedures"]}
    offices = {path.stem for path in (ROOT / "firmware_configs").glob("*.yaml")}
    props = body["properties"]
    for name in ("procedure", "office", "applicant_name", "documents", "ticket"):
        assert "string" not in props[name].get("examples", []), name
    assert props["procedure"]["examples"][0] in procedures
    assert props["office"]["examples"] == ["sai-gon"] and "sai-gon" in offices
    (example,) = body["examples"]
    card = procedures[example["procedure"]]["documents"]
    assert [d["code"] for d in example["documents"]] == [f"{example['procedure']}-{i + 1}" for i in range(len(card))]
    assert "documents" in body["required"]
    office_param = next(p for p in openapi["paths"]["/api/v1/offices/{office}"]["get"]["parameters"]
                        if p["name"] == "office")
    assert "sai-gon" in office_param["description"]
