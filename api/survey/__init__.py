"""The joint survey team's field package (一同踏勘): one zip per project.

The zip holds ``<project_id>/survey.gpkg``, a GeoPackage that GDAL, QGIS and QField open, with
the site's red line, its routes (main and backup supply), taps, crossings and stretches of the
joint trench in the workspace's working CRS, a non-spatial checklist for the field team
(踏勘核查表) and a ``package_info`` table; ``<project_id>/map.html`` (the offline map, when the
caller passes it) and ``<project_id>/README.txt`` (in Chinese: what is inside, how to open it).

Modules, one concern each:

* :mod:`api.survey.schema`: the layers, their geometry types and fixed schemas;
* :mod:`api.survey.labels`: Chinese wording of the attributes (surfaces, tap specs, sides);
* :mod:`api.survey.checklist`: the checklist, one row per thing to verify at one place;
* :mod:`api.survey.layers`: :func:`survey_layers` builds the layers (no I/O);
* :mod:`api.survey.package`: :func:`survey_package` writes the GeoPackage, the README
  (template ``templates/README.txt.j2``) and the zip, atomically.

Every layer is written with its schema even when it has no features (a site with no crossings
still has an empty ``crossings`` layer of Points), so QField project templates find them.
"""

from api.survey.layers import survey_layers
from api.survey.package import survey_package, write_geopackage
from api.survey.schema import CHECKLIST_CATEGORY_ZH, LAYER_DESCRIPTION_ZH, LAYER_GEOMETRY

__all__ = [
    "CHECKLIST_CATEGORY_ZH",
    "LAYER_DESCRIPTION_ZH",
    "LAYER_GEOMETRY",
    "survey_layers",
    "survey_package",
    "write_geopackage",
]
