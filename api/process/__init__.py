"""Workflow services of the workbench, one module per use case.

The JSON API routes and the web pages both call them; routes and pages stay thin.
"""
