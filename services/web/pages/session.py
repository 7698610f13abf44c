"""Signing in and out, the language, the stylesheet and scripts, and the start page."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from services.web.auth import COOKIE, SignInFailed, safe_return, sessions
from services.web.config import config
from services.web.frame import LANGUAGE_COOKIE, Page, WebRoute, page, plain
from services.web.i18n import LANGUAGES

router = APIRouter(route_class=WebRoute, include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
_MEDIA = {".css": "text/css", ".js": "text/javascript"}
Visit = Annotated[Page, Depends(page)]


@router.get("/aanmelden")
async def sign_in(request: Request, next: str = "/") -> RedirectResponse:
    """Off to the identity provider (authorization code with PKCE)."""
    return RedirectResponse(await sessions(request).begin(next), status_code=303)


@router.get("/auth/callback")
async def signed_in(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    if error or not code or not state:
        raise SignInFailed(error or "the identity provider sent no code")
    secret, return_to = await sessions(request).complete(code, state)
    response = RedirectResponse(return_to, status_code=303)
    settings = config()
    response.set_cookie(
        COOKIE, secret, max_age=int(settings.session_hours * 3600), path="/",
        secure=settings.cookie_secure, httponly=True, samesite="lax",
    )  # fmt: skip
    return response


@router.post("/afmelden")
async def sign_out(p: Visit) -> Response:
    await p.form()
    provider_end = await sessions(p.request).close(p.visitor.session)
    response = RedirectResponse(provider_end or "/afgemeld", status_code=303)
    response.delete_cookie(COOKIE, path="/", secure=config().cookie_secure, httponly=True)
    return response


@router.get("/afgemeld")
async def signed_out(request: Request) -> Response:
    return plain(request, "signed_out.html")


@router.get("/taal/{language}")
async def choose_language(language: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_return(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 86400, path="/", samesite="lax",
            secure=config().cookie_secure,
        )  # fmt: skip
    return response


@router.get("/static/{name}")
async def static(name: str) -> Response:
    path = STATIC / name
    if path.parent != STATIC or path.suffix not in _MEDIA or not path.is_file():
        return Response(status_code=404)
    cache = {"Cache-Control": "max-age=300"}
    return FileResponse(path, media_type=_MEDIA[path.suffix], headers=cache)


@router.get("/")
async def home(p: Visit) -> Response:
    roles = ", ".join(p.t("role." + r.value) for r in sorted(p.visitor.principal.roles))
    return p.render("home.html", roles=roles)
