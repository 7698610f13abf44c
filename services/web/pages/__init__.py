"""The web application's pages, one module per area; every route is a WebRoute."""

from fastapi import APIRouter

from services.web.frame import WebRoute
from services.web.pages import academy, board, leader, session, staff


def pages() -> APIRouter:
    """Every area's routes in one router (flat: the paths open to a browser without a
    bearer token are read from it)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    for area in (session, staff, leader, academy, board):
        for route in area.router.routes:
            router.routes.append(route)
    return router
