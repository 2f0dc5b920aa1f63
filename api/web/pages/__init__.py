"""The workbench's pages, one module per group; :data:`ROUTERS` lists them for the app."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.pages import applicant, auth, home, ledger, opinions, project, projects, window

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    home.router,
    projects.router,
    project.router,
    window.router,
    applicant.router,
    opinions.router,
    ledger.router,
)
"""Every page router of the workbench (rows of :data:`api.web.access.PAGE_ROLES` each)."""
