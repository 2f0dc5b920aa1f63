"""Validation of workspace layers against the contract, reporting every problem at once.

The policy's 一次性告知 (tell everything at once) applies to data too: validation never stops at
the first problem. Each :class:`~gis.errors.Problem` names the layer, feature, field, the value
received and what was expected. Geometry is repaired where :func:`shapely.make_valid` keeps a
polygon's area within the profile's tolerance (reported as a warning), rejected otherwise.

The package holds one module per kind of check: :mod:`~gis.validate.fields` (attributes),
:mod:`~gis.validate.coordinates` (CRS, coordinates, extent), :mod:`~gis.validate.geometry`
(type, validity, repair), and :mod:`~gis.validate.layers`, which runs them for one layer and
for the workspace's set of layers; :mod:`~gis.validate.report` holds the outcome.
"""

from gis.validate.coordinates import working_area
from gis.validate.layers import validate_layer, validate_layers
from gis.validate.report import ValidationReport, feature_label

__all__ = [
    "ValidationReport",
    "feature_label",
    "validate_layer",
    "validate_layers",
    "working_area",
]
