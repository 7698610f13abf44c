"""What every page shares: who visits, in which language, the menu their roles reach,
rendering, forms with their CSRF token, and errors shown as pages (never a stack trace)."""

import hmac
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.shared.http import runtime_of
from services.shared.identity.access import Role
from services.shared.identity.directory import Directory
from services.shared.logging import get_logger
from services.web.apis import Apis, Refused, Unavailable, apis_for
from services.web.auth import ProviderUnavailable, SignInFailed, SignInNeeded, Visitor, sessions
from services.web.i18n import DEFAULT, LANGUAGES, Translator

log = get_logger(__name__)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LANGUAGE_COOKIE = "taal"
PRIVATE = {"Cache-Control": "no-store"}
"""Pages about people are kept by no cache: after sign-out, Back shows nothing of them."""


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str
    roles: frozenset[Role]


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


MENU = (
    MenuItem("/", "nav.home", _roles(*Role)),
    MenuItem("/aanbod", "nav.offerings", _roles(Role.STAFF)),
    MenuItem("/inschrijvingen", "nav.enrollments", _roles(Role.STAFF)),
    MenuItem("/portfolio", "nav.portfolio", _roles(Role.STAFF)),
    MenuItem("/pop", "nav.plan", _roles(Role.STAFF)),
    MenuItem("/goedkeuringen", "nav.approvals", _roles(Role.LEADER)),
    MenuItem("/team", "nav.team", _roles(Role.LEADER)),
    MenuItem("/school", "nav.school", _roles(Role.LEADER)),
    MenuItem("/academie", "nav.academy", _roles(Role.ACADEMY_ADMIN)),
    MenuItem("/bestuur", "nav.board", _roles(Role.BOARD_ADMIN)),
)
"""The menu: each page shown to the roles that use it. Whether a person may see a record
is the services' policy, applied to the person's own token on every call."""


def language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


class CsrfRefused(Exception):
    """A form posted without this session's CSRF token."""


class Forbidden(Exception):
    """The visitor's roles do not include one this page is for."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class Page:
    """One request of a signed-in visitor: their translator, the APIs as them, rendering."""

    request: Request
    visitor: Visitor
    t: Translator
    apis: Apis

    @property
    def me(self) -> str:
        return str(self.visitor.principal.staff_id)

    def has(self, role: Role) -> bool:
        return role in self.visitor.principal.roles

    def require(self, role: Role) -> None:
        if not self.has(role):
            raise Forbidden(self.t("role." + role.value))

    @property
    def directory(self) -> Directory:
        """The directory, as this service reads it: names shown to people come from it,
        never from events."""
        return runtime_of(self.request).gate.directory

    async def names(self, staff_ids: Iterable[UUID | str]) -> dict[str, str]:
        """Each person's name by staff id (as a string); someone the directory no longer
        knows (erased, or of another board) is "someone else"."""
        wanted = {UUID(str(s)) for s in staff_ids if s}
        found = await self.directory.people(wanted) if wanted else {}
        return {str(s): found[s].name if s in found else self.t("common.someone") for s in wanted}

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        menu = [m for m in MENU if m.roles & self.visitor.principal.roles]
        return TEMPLATES.TemplateResponse(
            self.request,
            template,
            {"t": self.t, "visitor": self.visitor, "menu": menu, "page": self, **context},
            status_code=status,
            headers=PRIVATE,
        )

    async def form(self) -> FormData:
        """The posted form, once its CSRF token is this session's."""
        form = await self.request.form()
        sent = form.get("csrf")
        expected = self.visitor.csrf.encode()
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected):
            raise CsrfRefused()
        return form

    def back(self, path: str, notice: str = "") -> RedirectResponse:
        """After a form: to a page (303, so a reload does not post again), with a notice."""
        suffix = ("&" if "?" in path else "?") + f"gedaan={quote(notice)}" if notice else ""
        return RedirectResponse(path + suffix, status_code=303)


async def page(request: Request) -> Page:
    """A page's dependency: the signed-in visitor (else off to sign in)."""
    visitor = await sessions(request).visitor(request)
    return Page(request, visitor, Translator(language(request)), apis_for(request, visitor))


def plain(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page for someone not (or no longer) signed in: sign-in, signed out, errors."""
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"t": Translator(language(request)), "visitor": None, "menu": [], **context},
        status_code=status,
        headers=PRIVATE,
    )


def problem(request: Request, status: int, message: str, **values: object) -> HTMLResponse:
    return plain(request, "problem.html", status, message=message, values=values)


class WebRoute(APIRoute):
    """A page's route: what goes wrong becomes a page that says why, in the visitor's
    language, with a status that matches (a refusal 403 or 404, an invalid form 422, a
    service away 503); sign-in needed is a redirect to sign in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInNeeded as e:
                return RedirectResponse(f"/aanmelden?next={quote(e.return_to)}", status_code=303)
            except SignInFailed as e:
                return problem(request, 400, "signin.failed", why=str(e))
            except RequestValidationError as e:
                # A path or query FastAPI could not read: a made-up address, a bad filter.
                if any(error.get("loc", ("",))[0] == "path" for error in e.errors()):
                    return problem(request, 404, "error.not_found")
                fields = ", ".join(str(error.get("loc", ("", "?"))[-1]) for error in e.errors())
                return problem(request, 422, "error.invalid", why=fields)
            except CsrfRefused:
                return problem(request, 403, "error.csrf")
            except Forbidden as e:
                return problem(request, 403, "error.refused", why=e.why)
            except Refused as e:
                status, message, why = _refusal(e)
                return problem(request, status, message, why=why)
            except (Unavailable, ProviderUnavailable) as e:
                log.warning("web_service_unavailable", error=str(e))
                return problem(request, 503, "error.unavailable")
            except Exception:
                log.exception("web_page_failed", path=request.url.path)
                return problem(request, 500, "error.internal")

        return handler


def _refusal(e: Refused) -> tuple[int, str, str]:
    """A service's refusal as the page's status, message and reason."""
    if e.status == 404:
        return 404, "error.not_found", ""
    if e.status in (401, 403):
        return 403, "error.refused", e.reason
    if e.status == 409:
        return 409, "error.conflict", e.reason
    return 422, "error.invalid", e.reason
