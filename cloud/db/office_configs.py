"""Offices and their counters seeded or upgraded from ``firmware_configs/*.yaml`` at startup.

The cloud's registry (``cloud.registry``) is the truth for offices; the files
are the hubs' format, generated from it (``onestop office export``), and
importing them at startup is how a registry is seeded from files or upgraded
by a file of a newer ``version``. A broken file is logged with every error
line and skipped: one typo must not keep the other offices' cloud down. So
is a file the registry refuses (``offices.config_refused``): an office that is
not the one-stop office of a unit of the province data (a dead office: its
events would never meet a dossier), unknown catalogue fields, or hours that
differ from the registry's (the office has one schedule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
import yaml
from sqlalchemy import Engine, select

from cloud.db.tables import office_table
from cloud.registry import RegistryError, RegistryStore
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


def store_office_configs(engine: Engine, configs: list[OfficeConfig], catalogue_fields: Mapping[str, str],
                         sources: Mapping[str, Path] | None = None) -> list[OfficeConfig]:
    """Import each configuration into the registry; the ones it accepted (refusals are logged, never fatal).

    Offices whose file disappeared are kept: their events and tickets still
    refer to them, and the registry, not the directory, says they exist.
    """
    registry = RegistryStore(engine, catalogue_fields)
    accepted = []
    for cfg in configs:
        source = str((sources or {}).get(cfg.office.id, f"{cfg.office.id}.yaml"))
        try:
            registered = registry.import_config(cfg, source)
        except RegistryError as exc:
            log.error("offices.config_refused", office=cfg.office.id, path=source, reason=str(exc))
            continue
        accepted.append(cfg)
        log.info("offices.loaded", office=cfg.office.id, version=registered.version, file_version=cfg.version,
                 fields=len(registered.fields), counters=len(registered.counters))
    return accepted


def load_office_configs(engine: Engine, directory: Path, catalogue_fields: Mapping[str, str]) -> list[OfficeConfig]:
    configs, _ = read_office_configs(directory)
    sources = {cfg.office.id: directory / f"{cfg.office.id}.yaml" for cfg in configs}
    return store_office_configs(engine, configs, catalogue_fields, sources)


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
