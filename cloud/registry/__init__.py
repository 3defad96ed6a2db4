"""The cloud's registry of one-stop offices: the truth for offices, their counters, queue fields, officers and hours.

``model`` holds an office as the registry keeps it and the rules that need
no database; ``store`` the changes, each one transaction; ``export`` the hub's
firmware file generated from it. docs/registry.md is the user's guide.
"""

from cloud.registry.export import hours_data, office_yaml
from cloud.registry.model import RegistryCounter, RegistryError, RegistryOffice, hub_config
from cloud.registry.store import Assignment, OfficeRecord, RegistryStore, Unit, UnknownOffice, catalogue_fields

__all__ = [
    "Assignment",
    "OfficeRecord",
    "RegistryCounter",
    "RegistryError",
    "RegistryOffice",
    "RegistryStore",
    "Unit",
    "UnknownOffice",
    "catalogue_fields",
    "hours_data",
    "hub_config",
    "office_yaml",
]
