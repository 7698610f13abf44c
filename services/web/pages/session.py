"""Signing in and out, the language, the stylesheet and scripts, and the start page."""

import hmac
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from services.web.auth import (
    COOKIE,
    SIGN_IN_COOKIE,
    SignInFailed,
    hashed,
    safe_return,
    sessions,
)
from services.web.config import config
from services.web.frame import LANGUAGE_COOKIE, CsrfRefused, Page, WebRoute, page, plain
from services.web.i18n import LANGUAGES
from services.web.store import SIGN_IN_TIMEOUT

router = APIRouter(route_class=WebRoute, include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
_MEDIA = {".css": "text/css", ".js": "text/javascript"}
Visit = Annotated[Page, Depends(page)]


@router.get("/aanmelden")
async def sign_in(request: Request, next: str = "/") -> RedirectResponse:
    """Off to the identity provider (authorization code with PKCE), with a cookie that
    binds the sign-in to this browser."""
    url, browser = await sessions(request).begin(next)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        SIGN_IN_COOKIE, browser, max_age=int(SIGN_IN_TIMEOUT.total_seconds()), path="/",
        secure=config().cookie_secure, httponly=True, samesite="lax",
    )  # fmt: skip
    return response


@router.get("/auth/callback")
async def signed_in(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    if error or not code or not state:
        raise SignInFailed("the identity provider sent no code")
    browser = request.cookies.get(SIGN_IN_COOKIE, "")
    secret, return_to = await sessions(request).complete(code, state, browser)
    response = RedirectResponse(return_to, status_code=303)
    settings = config()
    # A session cookie (no Max-Age): closing the browser ends it here too.
    response.set_cookie(
        COOKIE, secret, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax"
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/", secure=settings.cookie_secure)
    return response


@router.post("/afmelden")
async def sign_out(request: Request) -> Response:
    """Ends the session here and at the identity provider. Also when the session has
    already ended here: the provider's may not have (a shared computer), and a form that
    cannot be checked any more can do no more than sign someone out."""
    secret = request.cookies.get(COOKIE, "")
    known = await sessions(request).csrf_of(hashed(secret)) if secret else None
    if known is not None:
        sent = (await request.form()).get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), known.encode()):
            raise CsrfRefused()
    provider_end = await sessions(request).close(hashed(secret)) if secret else None
    ending = provider_end or await sessions(request).provider.end_session_url("")
    response = RedirectResponse(ending, status_code=303)
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
