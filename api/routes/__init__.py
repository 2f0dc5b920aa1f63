"""HTTP routes, one module per resource (``APIRouter(prefix, tags)``)."""
