"""Which routers the app serves, in order: assembled here so that no module in app/routes imports another."""

from __future__ import annotations

from fastapi import FastAPI

from app.config import Settings
from app.routes import (
    api,
    contribute,
    contribute_api,
    media,
    present,
    staff,
    staff_account,
    staff_admin,
    staff_curate,
    staff_faces,
    staff_projects,
    staff_renders,
    staff_report,
    staff_themes,
    uploads,
)

# the staff pages beside staff.py's own (sign-in, project list, overview), each a router without a prefix
STAFF_PAGES = (staff_curate, staff_renders, staff_projects, staff_admin, staff_account, staff_themes, staff_report,
               staff_faces)


def include_routes(app: FastAPI, settings: Settings) -> None:
    for router in (api.router, media.router, contribute.router, contribute_api.router, staff.router):
        app.include_router(router)
    for module in STAFF_PAGES:  # as staff.router: under /staff, tagged staff, not in the API schema
        app.include_router(module.router, prefix="/staff", tags=["staff"], include_in_schema=False)
    app.include_router(present.router)
    app.include_router(uploads.build_router(settings))
