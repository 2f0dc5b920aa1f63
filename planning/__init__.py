"""Planning decisions as pure functions on ``gis`` models (no web, no database, no maps)."""
