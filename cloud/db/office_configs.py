"""Offices and their counters, loaded from ``firmware_configs/*.yaml`` at startup.

The YAML files are the desired configuration the province's IT manages; the
cloud mirrors them into its tables so that the API can answer which fields
and counters an office has, and so the ingest can refuse events that claim to
come from an office nobody configured. A broken file is logged with every
error line and skipped: one typo must not keep the other offices' cloud down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
import yaml
from sqlalchemy import Engine, delete, select

from cloud.db.engine import write_transaction
from cloud.db.tables import counter_table, office_table
from cloud.db.upsert import insert
from protocol.office_config import ConfigError, OfficeConfig, parse_office_config

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ConfigProblem:
    path: Path
    errors: list[str]


def read_office_configs(directory: Path) -> tuple[list[OfficeConfig], list[ConfigProblem]]:
    """Every valid office configuration in ``directory``, and what is wrong with the others."""
    configs: list[OfficeConfig] = []
    problems: list[ConfigProblem] = []
    if not directory.is_dir():
        log.warning("offices.no_config_dir", dir=str(directory))
        return configs, problems
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            cfg = parse_office_config(data, str(path))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(ConfigProblem(path, [f"{path}: cannot read YAML: {exc}"]))
            continue
        except ConfigError as exc:
            problems.append(ConfigProblem(path, str(exc).splitlines()))
            continue
        if cfg.office.id in seen:
            already = f"{path}: office id {cfg.office.id!r} is already defined in {seen[cfg.office.id]}"
            problems.append(ConfigProblem(path, [already]))
            continue
        seen[cfg.office.id] = path
        configs.append(cfg)
    for problem in problems:
        log.error("offices.config_invalid", path=str(problem.path), errors=problem.errors)
    return configs, problems


def store_office_configs(engine: Engine, configs: list[OfficeConfig]) -> None:
    """Insert or update each office and replace its counters.

    Offices whose file disappeared are kept: their events and tickets still
    refer to them.
    """
    now = datetime.now(UTC)
    dialect = engine.dialect.name
    with write_transaction(engine) as conn:
        for cfg in configs:
            row = {
                "id": cfg.office.id,
                "name": cfg.office.name,
                "timezone": cfg.office.timezone,
                "config": cfg.model_dump(mode="json"),
                "config_version": cfg.version,
                "updated_at": now,
            }
            stmt = insert(dialect, office_table).values(row)
            conn.execute(stmt.on_conflict_do_update(index_elements=[office_table.c.id],
                                                    set_={k: stmt.excluded[k] for k in row if k != "id"}))
            conn.execute(delete(counter_table).where(counter_table.c.office == cfg.office.id))
            conn.execute(counter_table.insert(), [
                {"office": cfg.office.id, "number": c.number, "fields": list(c.fields)} for c in cfg.counters
            ])
            log.info("offices.loaded", office=cfg.office.id, version=cfg.version,
                     fields=len(cfg.fields), counters=len(cfg.counters))


def load_office_configs(engine: Engine, directory: Path) -> list[OfficeConfig]:
    configs, _ = read_office_configs(directory)
    store_office_configs(engine, configs)
    return configs


def office_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(office_table.c.id)).scalars())


def node_ids(config: dict[str, Any]) -> frozenset[str]:
    """The nodes a stored configuration (the validated YAML as JSON) declares: today its hub alone.

    The schema has no satellites yet, so every other node id of the office is
    refused by the ingest and hidden from the API; declaring satellites comes
    with the issue that adds them to ``protocol.office_config``.
    """
    return frozenset({str(config.get("hub", {}).get("id", "hub"))})


def office_nodes(engine: Engine) -> dict[str, frozenset[str]]:
    """Every configured office and the node ids its configuration declares."""
    with engine.connect() as conn:
        return {office: node_ids(config) for office, config in conn.execute(select(office_table.c.id,
                                                                                    office_table.c.config))}
