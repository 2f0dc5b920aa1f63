"""Maps for survey teams and 自然资源和规划局: project maps and overview maps, offline.

Every map is one self-contained HTML page: Leaflet comes from the installed ``xstatic-leaflet``
package and is written into the page, so it opens with no outside network. The basemap is
``none`` by default; ``tianditu`` (with a key), ``osm`` and ``gaode`` (overlays shifted to
GCJ-02) load tiles when there is a network.
"""

from api.maps.basemap import BASEMAPS, Display, display_for, tiles_for
from api.maps.layers import MAX_MAP_BYTES, render_html, save_html
from api.maps.overview import district_map, prelay_map
from api.maps.project import neighbourhood, project_map

__all__ = [
    "BASEMAPS",
    "MAX_MAP_BYTES",
    "Display",
    "display_for",
    "district_map",
    "neighbourhood",
    "prelay_map",
    "project_map",
    "render_html",
    "save_html",
    "tiles_for",
]
