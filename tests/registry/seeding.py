"""A cloud database with the shipped province and catalogue seeded, and the registry's offices imported from files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from cloud.db.office_configs import load_office_configs
from cloud.dossiers.seed import load_reference, seed
from cloud.registry import catalogue_fields
from cloud.settings import Settings
from protocol.office_config import OfficeConfig

REFERENCE = Settings.model_fields["reference_data"].default


def seed_and_load_offices(engine: Engine, directory: Path, reference: Path = REFERENCE) -> list[OfficeConfig]:
    """What the cloud does at startup: the province's units first, then the offices' files checked against them."""
    seed(engine, load_reference(reference))
    return load_office_configs(engine, directory, catalogue_fields(reference))
