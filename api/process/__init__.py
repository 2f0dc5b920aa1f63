"""The workflow services: one module per use case, called by the JSON API routes and the web pages."""
