"""One vocabulary: every enumeration, its Chinese labels and the aliases accepted on input.

Modelled on Django's ``TextChoices``: each enumeration is one :class:`Vocabulary` of
:class:`Term` declarations (value, Chinese label, aliases). Every reader (附件2 form, the intents
spreadsheet, the API bodies, GeoPackage import) parses with :meth:`Vocabulary.parse`, and every
writer (tables, maps, documents, survey packages) labels with :meth:`Vocabulary.label`, so a value
has one name everywhere. Where a text needs another wording of the same value (the form's tick
boxes, the pipeline names of GB 50289's tables, a document's action phrase), the term carries it
as a named *form* (:meth:`Vocabulary.label` with ``form=``); forms are accepted as aliases too.

Labels containing numbers of the policy are built from the profile
(:func:`approval_path_label`), never written here.

The package holds the core (:mod:`gis.vocabulary.core`) and the enumerations grouped by domain
(:mod:`~gis.vocabulary.networks`, :mod:`~gis.vocabulary.roads`, :mod:`~gis.vocabulary.projects`,
:mod:`~gis.vocabulary.approval`, :mod:`~gis.vocabulary.outputs`); everything is re-exported here,
so ``from gis import vocabulary; vocabulary.UTILITIES`` is the one way in.

This package is in ``gis`` (the bottom layer) so that ``gis``, ``planning`` and ``api`` all use it.
"""

from __future__ import annotations

from typing import Any

from gis.vocabulary.approval import (
    APPROVAL_PATHS,
    AUDIT_ACTIONS,
    DEPARTMENTS,
    LEDGER_PATHS,
    LEDGER_STATUSES,
    LEDGER_STEPS,
    OPINION_DECISIONS,
    ROLES,
    STAFF_ROLES,
    approval_path_label,
)
from gis.vocabulary.core import Term, Vocabulary, normalise
from gis.vocabulary.networks import (
    GAS_PRESSURE_CLASSES,
    HEAT_MEDIA,
    NETWORK_ROLES,
    NETWORK_STATUSES,
    OPERATORS,
    SOURCE_KINDS,
    UTILITIES,
)
from gis.vocabulary.outputs import (
    BASEMAPS,
    CHECKLIST_CATEGORIES,
    DOCUMENT_KINDS,
    PROBLEM_KINDS,
    SURVEY_LAYERS,
)
from gis.vocabulary.projects import (
    BUSINESS_TYPES,
    DEMAND_SOURCES,
    ENTERPRISE_TYPES,
    INTENT_COLUMNS,
    ROUTE_ROLES,
)
from gis.vocabulary.roads import (
    DEFAULT_CROSSING_METHOD_ZH,
    MAJOR_LINE_KINDS,
    ROAD_CLASSES,
    SURFACES,
    TRENCH_SEGMENT_KINDS,
)

__all__ = [
    "APPROVAL_PATHS",
    "AUDIT_ACTIONS",
    "BASEMAPS",
    "BUSINESS_TYPES",
    "CHECKLIST_CATEGORIES",
    "DEFAULT_CROSSING_METHOD_ZH",
    "DEMAND_SOURCES",
    "DEPARTMENTS",
    "DOCUMENT_KINDS",
    "ENTERPRISE_TYPES",
    "GAS_PRESSURE_CLASSES",
    "HEAT_MEDIA",
    "INTENT_COLUMNS",
    "LEDGER_PATHS",
    "LEDGER_STATUSES",
    "LEDGER_STEPS",
    "MAJOR_LINE_KINDS",
    "NETWORK_ROLES",
    "NETWORK_STATUSES",
    "OPERATORS",
    "OPINION_DECISIONS",
    "PROBLEM_KINDS",
    "ROAD_CLASSES",
    "ROLES",
    "ROUTE_ROLES",
    "SOURCE_KINDS",
    "STAFF_ROLES",
    "SURFACES",
    "SURVEY_LAYERS",
    "TRENCH_SEGMENT_KINDS",
    "UTILITIES",
    "VOCABULARIES",
    "Term",
    "Vocabulary",
    "approval_path_label",
    "for_values",
    "normalise",
]

VOCABULARIES: tuple[Vocabulary[Any], ...] = (
    UTILITIES,
    OPERATORS,
    ROAD_CLASSES,
    MAJOR_LINE_KINDS,
    SURFACES,
    TRENCH_SEGMENT_KINDS,
    APPROVAL_PATHS,
    LEDGER_PATHS,
    GAS_PRESSURE_CLASSES,
    HEAT_MEDIA,
    NETWORK_ROLES,
    NETWORK_STATUSES,
    SOURCE_KINDS,
    ENTERPRISE_TYPES,
    BUSINESS_TYPES,
    ROUTE_ROLES,
    DEMAND_SOURCES,
    ROLES,
    DEPARTMENTS,
    OPINION_DECISIONS,
    LEDGER_STEPS,
    LEDGER_STATUSES,
    CHECKLIST_CATEGORIES,
    SURVEY_LAYERS,
    BASEMAPS,
    DOCUMENT_KINDS,
    INTENT_COLUMNS,
    PROBLEM_KINDS,
)
"""Every enumeration, for the vocabulary test."""


def for_values(values: tuple[Any, ...]) -> Vocabulary[Any] | None:
    """Return the enumeration whose values are exactly ``values`` (a schema field's choices).

    Examples
    --------
    >>> for_values(("existing", "planned")) is NETWORK_STATUSES
    True
    """
    wanted = set(values)
    return next((v for v in VOCABULARIES if set(v.values) == wanted), None)
