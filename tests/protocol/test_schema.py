"""protocol/schema.json is exactly what protocol.schema.json_schema() exports, and it is complete."""

from __future__ import annotations

import json
from pathlib import Path

from protocol.messages import COMMANDS, EVENTS
from protocol.schema import json_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "protocol" / "schema.json"
WIRE_MODELS = {"EventEnvelope", "CommandEnvelope", "Ack", "AckError", "NodeState", "Cursor",
               "DeviceInfo", "FieldInfo", "CounterInfo"}


def test_committed_schema_file_is_current():
    expected = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected, \
        "protocol/schema.json is stale: run `onestop protocol schema` and commit the result"


def test_schema_describes_every_message():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    defs = schema["$defs"]
    assert WIRE_MODELS <= set(defs)
    assert set(schema["x-events"]) == set(EVENTS) and set(schema["x-commands"]) == set(COMMANDS)
    for name, model in {**EVENTS, **COMMANDS}.items():
        ref = {**schema["x-events"], **schema["x-commands"]}[name]
        assert ref == f"#/$defs/{model.__name__}" and model.__name__ in defs


def test_every_object_forbids_unknown_keys():
    for name, definition in json_schema()["$defs"].items():
        if definition.get("type") == "object":
            assert definition.get("additionalProperties") is False, name


def test_envelope_rules_are_in_the_schema():
    defs = json_schema()["$defs"]
    event = defs["EventEnvelope"]
    assert set(event["required"]) == {"id", "office", "node", "seq", "ts", "type", "data"}
    assert event["properties"]["seq"]["minimum"] == 1
    assert event["properties"]["ts"]["format"] == "date-time"
    assert event["properties"]["office"]["pattern"] == "^[a-z0-9][a-z0-9-]{0,62}$"
    assert "expires_at" in defs["CommandEnvelope"]["required"]
    assert defs["Cursor"]["properties"]["seq"]["minimum"] == 0
    assert set(defs["NodeState"]["required"]) == {"office", "node", "ts", "online"}
