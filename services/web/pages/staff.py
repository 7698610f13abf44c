"""The staff pages."""

from fastapi import APIRouter

from services.web.frame import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
