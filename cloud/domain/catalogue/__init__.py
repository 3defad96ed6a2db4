"""The procedure catalogue (danh mục thủ tục hành chính) and the province's administrative units.

* :mod:`~cloud.domain.catalogue.procedures`: a procedure's card (field, time
  limit, fees, documents, steps, partner agencies) and the :class:`Catalogue`
  with its look-ups;
* :mod:`~cloud.domain.catalogue.units`: the tree of administrative units
  rooted at the :class:`Province` (province → commune since 2025, province →
  district → commune before: the tree is data), each with its one-stop office
  and departments;
* :mod:`~cloud.domain.catalogue.parsing`: :func:`parse_catalogue` and
  :func:`parse_province`, which validate the loaded YAML and report every
  problem by file and entry;
* :mod:`~cloud.domain.catalogue.search`: :func:`search`, finding a procedure
  by code or by words of its name, accents optional (:func:`fold`);
* :mod:`~cloud.domain.catalogue.base`: the codes, slugs and texts they share.

``from cloud.domain.catalogue import X`` keeps working for every name: they
are all re-exported here.
"""

from cloud.domain.catalogue.base import CODE_PATTERN, SLUG_PATTERN, Code, Entry, Level, Slug, Text
from cloud.domain.catalogue.parsing import parse_catalogue, parse_province, procedure_problems
from cloud.domain.catalogue.procedures import (
    Catalogue,
    Fee,
    LienThong,
    PartnerAgency,
    Procedure,
    ProcedureField,
    RequiredDocument,
    Step,
)
from cloud.domain.catalogue.search import MAX_QUERY, Match, Searchable, Tier, fold, search
from cloud.domain.catalogue.units import (
    LEVEL_OF_KIND,
    LEVELS,
    Department,
    OfficeId,
    OneStopOffice,
    PlacedUnit,
    Province,
    Unit,
    UnitKind,
)

__all__ = [
    "CODE_PATTERN",
    "LEVELS",
    "LEVEL_OF_KIND",
    "MAX_QUERY",
    "SLUG_PATTERN",
    "Catalogue",
    "Code",
    "Department",
    "Entry",
    "Fee",
    "Level",
    "Match",
    "LienThong",
    "OfficeId",
    "OneStopOffice",
    "PartnerAgency",
    "PlacedUnit",
    "Procedure",
    "ProcedureField",
    "Province",
    "RequiredDocument",
    "Searchable",
    "Slug",
    "Step",
    "Text",
    "Tier",
    "Unit",
    "UnitKind",
    "fold",
    "parse_catalogue",
    "parse_province",
    "procedure_problems",
    "search",
]
