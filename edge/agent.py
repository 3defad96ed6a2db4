"""The hub agent: wires the queue engine to the devices and to the broker.

Devices call into the engine (kiosk → issue, keypad → call/recall/done/no-show),
the cloud calls it through commands, and every outcome fans out to the devices
that show it (printer, LED board, voice, hall display) and to the outbox
forwarder. The queue never waits for the network: a kiosk press is answered
from the local database whether or not the broker is reachable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog

from edge.commands import CommandExecutor, Executed
from edge.display.hub import DisplayHub
from edge.display.server import DisplayServer, create_display_app
from edge.drivers.announcer import Announcement, Announcer
from edge.drivers.buttons import CounterKeypad, KioskButtons
from edge.drivers.led_board import LedBoardBus, LedBoardError
from edge.drivers.printer import PrintableTicket, PrinterError, TicketPrinter
from edge.forwarder import Forwarder
from edge.outbox import Outbox
from edge.queue.engine import Clock, Outcome, QueueEngine, QueueError, system_clock
from edge.settings import EdgeSettings
from edge.simulation import SimulatedHardware
from edge.store import Store
from protocol import NodeState, dumps, topics
from protocol.envelope import CounterInfo, DeviceInfo, FieldInfo, Message
from protocol.messages import CounterStatusSet, QueueCallNext, QueueFinish, QueueRecall, QueueTransfer
from protocol.office_config import OfficeConfig
from transport import MqttClient, MqttSettings
from transport.http_server import BackgroundServer
from transport.mqtt import Will
from transport.versions import package_version

log = structlog.get_logger(__name__)


@dataclass
class HubOptions:
    data_dir: Path
    mqtt_password: str | None = None
    simulate: bool = False
    display_host: str = "127.0.0.1"
    display_port: int | None = None  # None: from the config; 0: no display server
    mqtt_port: int | None = None  # override the config's (tests, demo)
    resend_interval: float | None = None
    open_all_day: bool = False  # demo on a laptop at night or on a holiday: ignore opening hours and days off

    @classmethod
    def from_settings(cls, settings: EdgeSettings, *, simulate: bool = False, open_all_day: bool = False) -> HubOptions:
        """What ``onestop edge`` runs with: the environment's settings plus the command's switches."""
        return cls(data_dir=settings.data_dir, mqtt_password=settings.password(), simulate=simulate,
                   display_host=settings.display_host, display_port=settings.display_port,
                   mqtt_port=settings.mqtt_port, open_all_day=open_all_day)


class HubAgent:
    def __init__(self, config: OfficeConfig, options: HubOptions, clock: Clock = system_clock) -> None:
        self.config = config
        self.options = options
        self.clock = clock
        self.office = config.office.id
        self.node = config.hub.id
        self.log = log.bind(office=self.office, node=self.node)
        self.store = Store(options.data_dir / "hub.db")
        self.engine = QueueEngine(self.store, config, self.node, clock, observe_days_off=not options.open_all_day)
        self.outbox = Outbox(self.store)
        self.sim = SimulatedHardware() if options.simulate else None
        self.kiosk_message: dict[str, Any] = {"text": "Mời chọn lĩnh vực", "level": "info"}
        self.last_called: list[dict[str, Any]] = []  # newest first; restored from the database on start
        self.counter_messages: dict[int, str] = {}  # a keypad's last refusal, shown under its counter in the virtual office
        self.announcement: dict[str, Any] | None = None
        self.display = DisplayHub(self.snapshot)
        self._printer_lock = threading.Lock()

        mqtt_cfg = config.hub.mqtt
        settings = MqttSettings(
            host=mqtt_cfg.host,
            port=options.mqtt_port or mqtt_cfg.port,
            username=mqtt_cfg.username,
            password=options.mqtt_password or _read_password(mqtt_cfg.password_file),
            keepalive=mqtt_cfg.keepalive,
        )
        will = NodeState(office=self.office, node=self.node, ts=clock(), online=False)
        self.client = MqttClient(
            f"{self.office}-{self.node}", settings, clean_session=False,
            will=Will(topics.state(self.office, self.node), dumps(will)),
            on_connect=self._on_connect,
        )
        self.forwarder = Forwarder(self.client, self.outbox, self.office, self.node,
                                   options.resend_interval or config.hub.resend_interval_s)
        self.commands = CommandExecutor(self.client, self.store, self.office, self.node, clock, {
            QueueCallNext: self._call_next_command,
            QueueRecall: self._recall_command,
            QueueFinish: self._finish_command,
            QueueTransfer: self._transfer_command,
            CounterStatusSet: self._set_status_command,
        })
        self.printer: TicketPrinter | None = None
        self.led_bus: LedBoardBus | None = None
        self.announcer = Announcer(options.data_dir / "audio", play_command=config.hub.play_command,
                                   on_done=self._announced)
        self.kiosk: KioskButtons | None = None
        self.keypads: list[CounterKeypad] = []
        self.server: BackgroundServer | None = None
        self.cloud_link: bool | None = None
        """Whether the office broker's bridge reaches the cloud (its retained link notification); None: not said."""
        self.client.subscribe(topics.link(self.office), self._on_link)

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        pin_factory = None
        printer_port, led_port = self.config.hub.printer.port, self.config.hub.led_bus.port
        if self.sim:
            self.sim.start()
            pin_factory = self.sim.pin_factory
            printer_port, led_port = self.sim.printer.port, self.sim.led_bus.port
            self.sim.printer.on_receipt = lambda _r: self.display.changed()
            self.sim.led_bus.on_frame = lambda _f: self.display.changed()
            self.sim.wired_pins = {b.pin for b in self.config.hub.kiosk} | {
                p for c in self.config.counters for p in c.keypad.model_dump().values()}
        self.printer = self._open(lambda: TicketPrinter(printer_port, self.config.hub.printer.baudrate), "printer")
        self.led_bus = self._open(lambda: LedBoardBus(led_port, self.config.hub.led_bus.baudrate), "led_bus")
        self._restore()
        self.announcer.start()
        self.kiosk = KioskButtons([(b.pin, b.field, b.priority) for b in self.config.hub.kiosk],
                                  self.on_kiosk, pin_factory=pin_factory)
        self.keypads = [CounterKeypad(c.number, c.keypad.model_dump(), self.on_key, pin_factory=pin_factory)
                        for c in self.config.counters]
        self.commands.prune(self.clock() - timedelta(days=2))
        self.forwarder.start()
        self.client.start()
        port = self.config.hub.display_port if self.options.display_port is None else self.options.display_port
        if port:
            app = create_display_app(self.display, self.options.data_dir / "audio",
                                     self.sim.press if self.sim else None, self.config.office.name,
                                     timezone=self.config.office.timezone,
                                     receipt_qr=self.sim.receipt_qr if self.sim else None)
            self.server = DisplayServer(app, self.options.display_host, port)
            self.server.start()
        self.log.info("hub.started", simulate=bool(self.sim), display_port=port)

    def _restore(self) -> None:
        """Show what the database holds, before any press or command: a restart must not blank the room.

        Each counter's LED board shows its current ticket (steady: it was
        called before the restart), or is cleared (yesterday's number, a
        ticket finished while the hub was down), and the hall display lists
        today's latest calls again.
        """
        serving = {c.number: c.current.number for c in self.engine.snapshot().counters if c.current}
        for counter in self.config.counters:
            self._show(counter.number, serving.get(counter.number, ""))
        self.last_called = [{"number": t.number, "counter": t.counter, "recall": False}
                            for t in self.engine.recent_calls(6)]
        self.log.info("hub.restored", serving=serving,
                      latest_call=self.last_called[0]["number"] if self.last_called else None)

    def stop(self) -> None:
        """Clean stop: publish offline ourselves, since a clean disconnect suppresses the Last Will."""
        if self.client.connected.is_set():
            self.client.publish(topics.state(self.office, self.node), dumps(self._state(online=False)), retain=True)
        if self.server:
            self.server.stop()
        self.forwarder.stop()
        self.client.stop()
        for keypad in self.keypads:
            keypad.close()
        if self.kiosk:
            self.kiosk.close()
        self.announcer.stop()
        for device in (self.printer, self.led_bus):
            if device:
                device.close()
        if self.sim:
            self.sim.stop()
        self.store.close()
        self.log.info("hub.stopped")

    # -- inputs -------------------------------------------------------------------------

    def on_kiosk(self, field: str, priority: bool) -> None:
        try:
            outcome = self.engine.issue(field, priority)
        except QueueError as exc:
            self.log.info("kiosk.refused", field=field, reason=exc.message)
            self.kiosk_message = {"text": exc.message_vi, "level": "error"}
            self.display.changed()
            return
        self._committed(outcome)
        ticket = outcome.ticket
        assert ticket is not None
        local = ticket.issued_at.astimezone(self.engine.tz)
        printed = self._print(PrintableTicket(
            office_name=self.config.office.name,
            field_name=self.config.field(field).name,
            number=ticket.number,
            ticket_id=ticket.ticket_id,
            issued_at=f"{local:%H:%M %d/%m/%Y}",
            waiting_ahead=outcome.waiting_ahead,
            priority=priority,
        ))
        self.kiosk_message = (
            {"text": f"Số của bạn: {ticket.number}. Vui lòng nhận phiếu.", "level": "ok"} if printed else
            {"text": f"Số của bạn: {ticket.number}. Máy in đang lỗi, vui lòng báo cán bộ.", "level": "error"}
        )
        self.display.changed()

    def on_key(self, counter: int, key: str) -> None:
        actions = {
            "next": lambda: self.call_next(counter),
            "recall": lambda: self.recall(counter),
            "done": lambda: self.finish(counter, served=True),
            "no_show": lambda: self.finish(counter, served=False),
        }
        try:
            actions[key]()
        except QueueError as exc:
            self.log.info("keypad.refused", counter=counter, key=key, code=exc.code, reason=exc.message)
            self.counter_messages[counter] = exc.message_vi
            self._show(counter, "----")
            self.display.changed()
            return
        if self.counter_messages.pop(counter, None) is not None:
            self.display.changed()

    def call_next(self, counter: int) -> Outcome:
        outcome = self.engine.call_next(counter)
        self._committed(outcome)
        self._called(outcome, counter, recall=False)
        return outcome

    def recall(self, counter: int) -> Outcome:
        outcome = self.engine.recall(counter)
        self._committed(outcome)
        self._called(outcome, counter, recall=True)
        return outcome

    # -- cloud commands: run inside the executor's transaction, shown after its commit ---

    def _call_next_command(self, command: Message) -> Executed:
        assert isinstance(command, QueueCallNext)  # the executor dispatches by type
        return self._call_executed(self.engine.call_next(command.counter), command.counter, recall=False)

    def _recall_command(self, command: Message) -> Executed:
        assert isinstance(command, QueueRecall)
        return self._call_executed(self.engine.recall(command.counter), command.counter, recall=True)

    def _finish_command(self, command: Message) -> Executed:
        """Done or no-show from the console, as the keypad's keys: the counter's board goes blank."""
        assert isinstance(command, QueueFinish)
        outcome = self.engine.finish(command.counter, served=command.outcome == "served")
        return Executed({**self._called_result(outcome), "outcome": command.outcome},
                        after_commit=lambda: self._finished(outcome, command.counter))

    def _transfer_command(self, command: Message) -> Executed:
        """Chuyển quầy: the sending counter's board goes blank; the target's next call announces the ticket."""
        assert isinstance(command, QueueTransfer)
        outcome = self.engine.transfer(command.counter, command.to_counter)
        ticket = outcome.ticket
        assert ticket is not None
        result: dict[str, object] = {"ticket_id": ticket.ticket_id, "number": ticket.number, "field": ticket.field,
                                     "from_counter": command.counter, "to_counter": command.to_counter}
        return Executed(result, after_commit=lambda: self._finished(outcome, command.counter))

    def _set_status_command(self, command: Message) -> Executed:
        assert isinstance(command, CounterStatusSet)
        outcome = self.engine.set_status(command)

        def show() -> None:
            self._committed(outcome)
            self.counter_messages.pop(command.counter, None)
            self.display.changed()

        return Executed({"counter": command.counter, "status": command.status}, after_commit=show)

    def _call_executed(self, outcome: Outcome, counter: int, recall: bool) -> Executed:
        def show() -> None:
            self._committed(outcome)
            self._called(outcome, counter, recall)

        return Executed(self._called_result(outcome), after_commit=show)

    def finish(self, counter: int, served: bool) -> Outcome:
        outcome = self.engine.finish(counter, served)
        self._finished(outcome, counter)
        return outcome

    def _finished(self, outcome: Outcome, counter: int) -> None:
        """The counter no longer serves its ticket (done, no-show, transferred): its board goes blank."""
        self._committed(outcome)
        self.counter_messages.pop(counter, None)
        self._show(counter, "")
        self.display.changed()

    def close_counter(self, counter: int) -> Outcome:
        outcome = self.engine.close_counter(counter)
        self._committed(outcome)
        self._show(counter, "")
        self.display.changed()
        return outcome

    # -- outputs ------------------------------------------------------------------------

    def _committed(self, outcome: Outcome) -> None:
        for event in outcome.events:
            self.log.info("event.committed", type=event.type, seq=event.seq, event_id=event.id)
        self.forwarder.notify()

    def _called(self, outcome: Outcome, counter: int, recall: bool) -> None:
        ticket = outcome.ticket
        assert ticket is not None
        self._show(counter, ticket.number, blink=True)
        self.last_called = ([{"number": ticket.number, "counter": counter, "recall": recall}] + self.last_called)[:6]
        self.announcer.announce(ticket.number, counter)
        self.display.changed()

    def _announced(self, announcement: Announcement) -> None:
        if announcement.error is None:
            self.announcement = {"id": announcement.id, "text": announcement.text,
                                 "url": f"/audio/{announcement.wav_path.name}"}
            self.display.changed()

    def _show(self, counter: int, text: str, blink: bool = False) -> None:
        cfg = self.config.counter(counter)
        if self.led_bus is None or cfg is None:
            return
        try:
            if text:
                self.led_bus.show(cfg.led_address, text, blink=blink)
            else:
                self.led_bus.clear(cfg.led_address)
        except LedBoardError as exc:
            self.log.error("led_board.failed", counter=counter, reason=str(exc))

    def _print(self, ticket: PrintableTicket) -> bool:
        if self.printer is None:
            return False
        try:
            with self._printer_lock:
                self.printer.print_ticket(ticket)
            return True
        except PrinterError as exc:
            self.log.error("printer.failed", ticket_id=ticket.ticket_id, reason=str(exc))
            return False

    def _called_result(self, outcome: Outcome) -> dict[str, object]:
        t = outcome.ticket
        assert t is not None
        return {"ticket_id": t.ticket_id, "number": t.number, "field": t.field, "counter": t.counter}

    # -- presence ------------------------------------------------------------------------

    def _on_link(self, _topic: str, payload: bytes) -> None:
        """The bridge's "1"/"0": the hub itself only reaches its office broker, which says whether the cloud is there."""
        self.cloud_link = payload.strip() == b"1"
        self.display.changed()

    def _on_connect(self) -> None:
        self.client.publish(topics.state(self.office, self.node), dumps(self._state(online=True)), retain=True)
        self.forwarder.on_connect()

    def _state(self, online: bool) -> NodeState:
        status = "simulated" if self.sim else "ok"
        devices = [
            DeviceInfo(kind="printer", id="printer", status=status if self.printer else "fault"),
            DeviceInfo(kind="led_bus", id="led_bus", status=status if self.led_bus else "fault"),
            DeviceInfo(kind="kiosk", id="kiosk", status=status),
            *[DeviceInfo(kind="keypad", id=f"keypad-{c.number}", status=status) for c in self.config.counters],
        ]
        return NodeState(
            office=self.office, node=self.node, ts=self.clock(), online=online, role="hub",
            versions={"onestop": package_version()}, config_version=self.config.version,
            fields=[FieldInfo(code=f.code, name=f.name, prefix=f.prefix) for f in self.config.fields],
            counters=[CounterInfo(number=c.number, fields=list(c.fields)) for c in self.config.counters],
            devices=devices,
        )

    def snapshot(self) -> dict[str, Any]:
        snap = self.engine.snapshot()
        names = {f.code: f.name for f in self.config.fields}
        wiring = {c.number: c for c in self.config.counters}  # the snapshot lists exactly the configured counters
        data: dict[str, Any] = {
            "office": {"id": self.office, "name": self.config.office.name, "timezone": self.config.office.timezone},
            "open_now": snap.open_now,
            "online": self.client.connected.is_set(),
            "cloud_link": self.cloud_link,
            "fields": [{"code": f.code, "name": f.name, "prefix": f.prefix,
                        "waiting": [t.number for t in snap.waiting.get(f.code, [])]} for f in self.config.fields],
            "counters": [{"number": c.number, "fields": [names[x] for x in c.fields], "open": c.open,
                          "status": c.staffing.status,
                          "officer": c.staffing.officer.name if c.staffing.officer else None,
                          "current": c.current.number if c.current else None,
                          "message": self.counter_messages.get(c.number),
                          "led_address": wiring[c.number].led_address,
                          "keypad": wiring[c.number].keypad.model_dump()}
                         for c in snap.counters],
            "kiosk": [{"pin": b.pin, "field": b.field, "name": names[b.field], "priority": b.priority}
                      for b in self.config.hub.kiosk],
            "kiosk_message": self.kiosk_message,
            "last_called": self.last_called,
            "announcement": self.announcement,
            "outbox_pending": self.outbox.count(),
            "issued_today": snap.issued_today,
        }
        if self.sim:
            data["sim"] = self.sim.snapshot()
        return data

    def _open(self, factory: Any, what: str) -> Any:
        try:
            return factory()
        except (PrinterError, LedBoardError, OSError) as exc:
            self.log.error(f"{what}.unavailable", reason=str(exc))
            return None


def _read_password(path: str | None) -> str | None:
    if not path:
        return None
    return Path(path).read_text().strip()
