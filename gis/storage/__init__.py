"""Storage: versioned layers and records in PostGIS or the embedded SQLite (see :mod:`gis.storage.store`)."""
