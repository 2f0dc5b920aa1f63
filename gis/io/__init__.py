"""File readers: every input format Linkplan accepts, read into GeoDataFrames.

Readers return layers in their *source* CRS with the CRS set (or ``None`` when a file
declares none); reprojection to the working CRS happens once, in
:func:`gis.crs.to_working_crs`. A file that cannot be read as the format it claims to be
raises :class:`~gis.errors.InputFormatError` naming the file and what was expected.

Modules
-------
:mod:`gis.io.files`
    GeoPackage, GeoJSON and (zipped) Shapefile, incl. GBK-encoded ``.dbf`` files:
    :func:`~gis.io.files.read_vector`, :func:`~gis.io.files.list_vector_layers`.
:mod:`gis.io.dxf`
    CAD drawings: lines and polylines per utility, :func:`~gis.io.dxf.read_dxf_lines`.
:mod:`gis.io.epanet`
    EPANET ``.inp`` water networks through WNTR, :func:`~gis.io.epanet.read_epanet`.
:mod:`gis.io.osm`
    OpenStreetMap roads from OSMnx GraphML or ``.osm.pbf``:
    :func:`~gis.io.osm.roads_from_graphml`, :func:`~gis.io.osm.roads_from_osm_pbf`.

The submodules are not imported here, so ``import gis.io`` does not load OSMnx or WNTR.
"""
