"""JSON Schema of the whole wire contract, for implementers in other languages.

``protocol/schema.json`` is this function's output, committed; a test keeps
the two equal, and ``onestop protocol schema`` rewrites the file.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from protocol.envelope import Ack, CommandEnvelope, Cursor, EventEnvelope, NodeState
from protocol.messages import COMMANDS, EVENTS


def json_schema() -> dict[str, Any]:
    models: list[type[BaseModel]] = [EventEnvelope, CommandEnvelope, Ack, NodeState, Cursor,
                                      *EVENTS.values(), *COMMANDS.values()]
    _, schema = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "onestop/v1 MQTT contract"
    schema["description"] = (
        "Payloads of topics onestop/v1/{office}/{node}/{channel}[/{name}]. "
        "x-events / x-commands map each evt/cmd name to the schema of its envelope's data."
    )
    schema["x-events"] = {name: f"#/$defs/{model.__name__}" for name, model in EVENTS.items()}
    schema["x-commands"] = {name: f"#/$defs/{model.__name__}" for name, model in COMMANDS.items()}
    return schema
