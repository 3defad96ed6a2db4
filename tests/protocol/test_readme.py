"""protocol/README.md cannot drift from the code: every example in it is decoded by the real codec.

Tagged JSON blocks (```json event-example, …) are decoded on the topic their
payload names. Every literal payload (``-m '…'``, ``--will-payload '…'``) and
ack template (``ACK_…='…'``) of the shell session is decoded on the topic of
its ``-t``. The quoted error lines are compared with what the validators say
today.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from protocol import ProtocolError, decode_ack, decode_command, decode_cursor, decode_event, decode_state, topics
from protocol.messages import COMMANDS, EVENTS
from protocol.office_config import ConfigError, parse_office_config
from protocol.topics import Channel
from tests.protocol.samples import event_payload

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "protocol" / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)(?: ([\w-]+))?\n(.*?)^```$", README, re.M | re.S)


def blocks(lang: str, tag: str | None = None) -> list[str]:
    return [body for b_lang, b_tag, body in BLOCKS if b_lang == lang and (tag is None or b_tag == tag)]


def decode(topic: str, payload: str) -> Any:
    """Decode ``payload`` as what its topic's channel carries."""
    channel = topics.parse(topic).channel
    decoder = {Channel.EVT: decode_event, Channel.CMD: decode_command, Channel.ACK: decode_ack,
               Channel.STATE: decode_state, Channel.CURSOR: decode_cursor}[channel]
    return decoder(topic, payload)


# -- tagged JSON examples ---------------------------------------------------------------------------


def test_every_json_block_is_a_checked_example():
    tags = {tag for lang, tag, _ in BLOCKS if lang == "json"}
    assert tags == {"event-example", "command-example", "ack-example", "state-example", "will-example",
                    "cursor-example"}, "a ```json block without a known tag would not be checked"


def test_event_examples_decode_and_cover_every_type():
    seen = set()
    for body in blocks("json", "event-example"):
        raw = json.loads(body)
        event = decode_event(topics.evt(raw["office"], raw["node"], raw["type"]), body)
        assert event.envelope.data == raw["data"], "the example has a key the model drops or renames"
        seen.add(event.envelope.type)
    assert seen == set(EVENTS), f"no example for {sorted(set(EVENTS) - seen)}"


def test_command_examples_decode_and_cover_every_command():
    seen = set()
    for body in blocks("json", "command-example"):
        raw = json.loads(body)
        command = decode_command(topics.cmd(raw["office"], raw["node"], raw["name"]), body)
        assert command.envelope.expires_at > command.envelope.ts
        seen.add(command.envelope.name)
    assert seen == set(COMMANDS)


def test_ack_examples_decode_and_answer_the_command_examples():
    command_ids = {json.loads(b)["id"] for b in blocks("json", "command-example")}
    acks = [decode_ack(topics.ack(json.loads(b)["office"], json.loads(b)["node"]), b) for b in blocks("json", "ack-example")]
    assert {a.ok for a in acks} == {True, False}
    assert {a.command_id for a in acks} <= command_ids
    for ack in acks:
        assert (ack.result is not None, ack.error is None) == (ack.ok, ack.ok)


def test_state_will_and_cursor_examples_decode():
    (birth,) = blocks("json", "state-example")
    (will,) = blocks("json", "will-example")
    (cursor,) = blocks("json", "cursor-example")
    for body in (birth, will, cursor):
        raw = json.loads(body)
        channel = Channel.STATE if "online" in raw else Channel.CURSOR
        decode(f"{topics.ROOT}/{raw['office']}/{raw['node']}/{channel.value}", body)
    assert json.loads(birth)["online"] is True
    assert json.loads(will) == {"v": 1, "office": "sai-gon", "node": "hub", "ts": json.loads(will)["ts"], "online": False}


def test_examples_come_from_one_storage_epoch_that_the_cursor_names():
    """The README's node created its storage at one instant: every event and the cursor carry that epoch."""
    (cursor,) = blocks("json", "cursor-example")
    epoch = decode_cursor(topics.cursor("sai-gon", "hub"), cursor).epoch
    events = [json.loads(b) for b in blocks("json", "event-example")] + \
        [json.loads(p) for t, p in _literal_payloads() if topics.parse(t).channel is Channel.EVT]
    assert epoch > 0 and {e.get("epoch") for e in events} == {epoch}
    assert f"date -u -d {datetime.fromtimestamp(epoch / 1000, UTC):%Y-%m-%dT%H:%M:%SZ} +%s%3N" in README


def test_examples_write_times_in_utc_with_z():
    for lang, tag, body in BLOCKS:
        for stamp in re.findall(r'"(\d{4}-\d\d-\d\dT[^"]*)"', body):
            assert stamp.endswith("Z"), f"{stamp} in a {lang} {tag} block"


# -- the shell session ---------------------------------------------------------------------------------

SESSION = "\n".join(blocks("sh"))
#: Values for the %s of each ack template, in order.
TEMPLATE_VALUES = {
    "ACK_OK": ("0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f", "2026-11-23T01:16:00Z", "1"),
    "ACK_EXPIRED": ("0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f", "2026-11-23T01:16:09Z", "2026-11-23T01:16:05Z"),
    "ACK_INVALID": ("7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f", "2026-11-23T01:16:31Z", "queue.recall"),
}


def _session_commands() -> list[str]:
    return [c for c in re.sub(r"\\\n\s*", " ", SESSION).splitlines() if c.lstrip().startswith(("mosquitto_pub", "mosquitto_sub"))]


def _expand(topic: str) -> str:
    (prefix,) = re.findall(r"^T=(\S+)", SESSION, re.M)
    return topic.replace("$T", prefix)


def _literal_payloads() -> list[tuple[str, str]]:
    """(topic, payload) of every literal payload the session publishes, in order."""
    found = []
    for command in _session_commands():
        for topic_opt, payload_opt in (("-t", "-m"), ("--will-topic", "--will-payload")):
            payload = re.search(rf"(?:^|\s){payload_opt} '([^']*)'", command)
            if payload:
                topic = re.search(rf"(?:^|\s){topic_opt} \"([^\"]+)\"", command)
                assert topic, f"no {topic_opt} for {payload_opt} in: {command}"
                found.append((_expand(topic.group(1)), payload.group(1)))
    return found


def test_session_publishes_with_credentials_qos_1_and_retains_state():
    commands = _session_commands()
    assert any("--will-retain" in c and "--will-qos 1" in c for c in commands)
    for command in commands:
        assert ' -u hub -P "$PW"' in command and " -q 1" in command, command
        if command.startswith("mosquitto_pub"):
            assert (" -r " in command) == ('"$T/state"' in command), f"only state is retained: {command}"


def test_session_literal_payloads_decode_on_their_topics():
    published = _literal_payloads()
    channels = [topics.parse(t).channel for t, _ in published]
    assert channels.count(Channel.STATE) >= 3 and channels.count(Channel.EVT) >= 3  # will, birth, goodbye; events
    for topic, payload in published:
        decode(topic, payload)


def test_session_events_follow_the_seq_and_id_rules():
    events = [decode_event(t, p).envelope for t, p in _literal_payloads() if topics.parse(t).channel is Channel.EVT]
    assert [e.seq for e in events] == list(range(1, len(events) + 1)), "seq starts at 1, without gaps"
    assert len({e.id for e in events}) == len(events)


def test_session_ack_templates_decode():
    templates = dict(re.findall(r"^(ACK_\w+)='([^']*)'", SESSION, re.M))
    assert set(templates) == set(TEMPLATE_VALUES)
    acks = {name: decode_ack(_expand("$T/ack"), body % TEMPLATE_VALUES[name]) for name, body in templates.items()}
    assert acks["ACK_OK"].ok and acks["ACK_OK"].result["counter"] == 1  # type: ignore[index]  # the README's ok ack has a result dict
    assert acks["ACK_EXPIRED"].error.code == "expired"  # type: ignore[union-attr]  # a refused ack always carries its error
    assert acks["ACK_INVALID"].error.code == "invalid_command"  # type: ignore[union-attr]  # a refused ack always carries its error


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_session_is_valid_shell():
    for body in blocks("sh"):
        result = subprocess.run(["bash", "-n"], input=body, text=True, capture_output=True)
        assert result.returncode == 0, f"{result.stderr}\n{body}"


# -- quoted error messages --------------------------------------------------------------------------------


def _reason(topic: str, payload: dict[str, Any]) -> str:
    with pytest.raises(ProtocolError) as err:
        decode_event(topic, json.dumps(payload))
    return str(err.value)


def _matches(line: str, actual: list[str]) -> bool:
    pattern = re.escape(line).replace("…", ".*")
    return any(re.fullmatch(pattern, a) for a in actual)


def test_quoted_dead_letter_reasons_are_real():
    on_a = topics.evt("a", "hub", "ticket.issued")
    good = {**event_payload(), "office": "a", "node": "hub"}
    actual = [
        _reason(on_a, {**good, "seq": 0}),
        _reason(on_a, {**good, "office": "b"}),
        _reason(on_a, {**good, "type": "ticket.called"}),
        _reason(topics.evt("a", "hub", "ticket.teleported"), {**good, "type": "ticket.teleported"}),
        _reason(on_a, {**good, "data": {**good["data"], "number": "12"}}),
    ]
    (block,) = blocks("text", "dead-letter-reasons")
    for line in block.splitlines():
        assert _matches(line, actual), f"README quotes a reason the codec does not give: {line}"


def test_quoted_config_errors_are_real():
    demo = yaml.safe_load((ROOT / "firmware_configs" / "sai-gon.yaml").read_text(encoding="utf-8"))
    actual = []
    for change in (lambda d: d["counters"][1].update(colour="red"),
                   lambda d: d["office"].update(timezone="Asia/Saigon2"),
                   lambda d: d["hours"].update(periods=["07:00-11:30", "11:00-17:00"]),
                   lambda d: d.update(opening_hours={"mon": ["07:00-11:30"]})):
        data = copy.deepcopy(demo)
        change(data)
        with pytest.raises(ConfigError) as err:
            parse_office_config(data, "sai-gon.yaml")
        actual.extend(str(err.value).splitlines())
    (block,) = blocks("text", "config-errors")
    for line in block.splitlines():
        assert _matches(line, actual), f"README quotes an error the validator does not give: {line}"


# -- coverage of names ------------------------------------------------------------------------------------


def test_readme_names_every_channel_type_command_and_error_code():
    for name in [*(f"`{c.value}" for c in Channel), *(f"`{t}`" for t in EVENTS), *(f"`{c}`" for c in COMMANDS),
                 "`queue_empty`", "`unknown_counter`", "`nothing_called`", "`expired`", "`invalid_command`",
                 "`onestop protocol schema`", "`schema.json`", "Asia/Ho_Chi_Minh", "YYYYMMDD-HHMMSS-NNNN",
                 "`epoch`", "`cursor.newer_epoch_ignored`"]:
        assert name in README, f"README does not mention {name}"
