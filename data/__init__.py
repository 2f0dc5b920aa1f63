"""Demo-district generator and small real reference data."""
