"""Access on the HTTP API: every route but the public ones needs a bearer token of a
trusted issuer and a role its service's policy admits; the handler then names the record
it touches and the caller's reach is checked against it."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as Connection

from services.shared.errors import NotFound
from services.shared.identity.access import (
    Policy,
    Principal,
    Rule,
    Target,
    Verdict,
    decide,
    may_use,
)
from services.shared.identity.directory import Directory
from services.shared.identity.tokens import Identity, InvalidToken, TokenVerifier


class Unauthenticated(Exception):
    """No token, or not a valid one: 401 with a WWW-Authenticate header."""

    def __init__(self, message: str, *, token_given: bool) -> None:
        super().__init__(message)
        self.message = message
        self.token_given = token_given

    def challenge(self) -> str:
        if not self.token_given:
            return 'Bearer realm="huisacademie"'
        reason = self.message.replace('"', "'")
        return f'Bearer realm="huisacademie", error="invalid_token", error_description="{reason}"'


class Forbidden(Exception):
    """A valid token without the right: 403, saying why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Gate:
    """What a service checks callers with: the token verifier, the directory and its policy."""

    verifier: TokenVerifier
    directory: Directory
    policy: Policy


@dataclass(frozen=True)
class Caller:
    """The verified caller of one request, with the rule of the route it called."""

    principal: Principal
    rule: Rule
    directory: Directory

    def allow(self, target: Target, *, named: bool = True) -> None:
        """Go on only if the caller reaches the target. `named`: the request names the
        record in its path, so a caller out of reach gets 404, as if it did not exist."""
        verdict = decide(self.principal, self.rule, target)
        if verdict is Verdict.ALLOWED:
            return
        if verdict is Verdict.OUT_OF_REACH and named:
            raise NotFound("not found")
        raise Forbidden("this is outside what your role reaches")

    async def allow_staff(self, staff_id: UUID, *, named: bool = True) -> Target:
        """Go on only if the caller reaches this staff member's records."""
        target = await self.directory.staff_target(staff_id)
        self.allow(target, named=named)
        return target

    async def allow_school(self, school_id: UUID) -> Target:
        """Go on only if the caller reaches this school's records."""
        target = await self.directory.school_target(school_id)
        self.allow(target)
        return target

    def reaches(self, target: Target) -> bool:
        return decide(self.principal, self.rule, target) is Verdict.ALLOWED

    def own_board(self, named: UUID | None) -> UUID:
        """The caller's board, for a field naming the board acted for: another is refused."""
        board = self.principal.board_id
        if board is None or (named is not None and named != board):
            raise Forbidden("board_id must be your own board")
        return board

    async def refuse_other_boards(self, board: UUID, schools: Iterable[UUID]) -> None:
        """None of the schools is known as another board's (else that board's leaders would
        see this board's records in their schools')."""
        for school in set(schools):
            known = await self.directory.school_target(school)
            if known.board_id not in (None, board):
                raise Forbidden(f"school {school} is another board's")

    def acts_as(self, staff_id: UUID | None, what: str) -> UUID:
        """The caller's own staff id, for a field that names who acts: a body naming
        someone else is refused, not overwritten."""
        own = self.principal.staff_id
        if own is None:
            raise Forbidden(f"{what} must be a person, not a client")
        if staff_id is not None and staff_id != own:
            raise Forbidden(f"{what} must be you: a request cannot act as someone else")
        return own


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.runtime.gate  # NotReady (503) while it starts
    return gate


def _route(request: Request) -> tuple[str, str]:
    return request.method, request.scope["route"].path


async def current_caller(request: Request) -> Caller:
    found: Caller | None = getattr(request.state, "caller", None)
    if found is not None:
        return found
    gate = _gate(request)
    rule = gate.policy.rule(*_route(request))
    if rule is None:  # a route missing from the table is closed (and the matrix test fails)
        raise Forbidden("no one may use this route")
    principal = await _principal(request, gate)
    if not may_use(principal, rule):
        roles = ", ".join(sorted(principal.roles)) or "none"
        raise Forbidden(f"your roles ({roles}) may not do this")
    request.state.caller = caller = Caller(principal, rule, gate.directory)
    return caller


async def guard(request: Request) -> None:
    """Every service route's dependency: the caller must pass, unless the route is public."""
    if _route(request) not in _gate(request).policy.public:
        await current_caller(request)


async def _identity(authorization: str, gate: Gate) -> Identity:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required", token_given=False)
    try:
        return await gate.verifier.verify(token.strip())
    except InvalidToken as e:
        raise Unauthenticated(str(e), token_given=True) from e


async def _principal(request: Request, gate: Gate) -> Principal:
    identity: Identity | None = getattr(request.state, "identity", None)
    if identity is None:
        identity = await _identity(request.headers.get("authorization", ""), gate)
    principal = await gate.directory.principal(identity.issuer, identity.subject)
    if principal is None:
        raise Forbidden(
            "you are signed in, but huisacademie does not know you yet:"
            " ask your board's administrator to add you"
        )
    trusted = gate.verifier.issuers[identity.issuer]
    if (
        principal.board_id is not None
        and trusted.boards
        and str(principal.board_id) not in trusted.boards
    ):
        raise Forbidden("this sign-in is not one of your board's")
    return principal


class TokenFirst:
    """Checks the bearer token before anything reads the request's body: a request without
    a valid token gets 401 whatever its body holds (FastAPI parses a body before a route's
    dependencies run). The open paths (/health, the public routes) pass unchecked; the
    identity found is kept for the route's own check."""

    def __init__(self, app: ASGIApp, open_paths: Iterable[str]) -> None:
        self.app = app
        self.open = [_pattern(path) for path in open_paths]

    async def __call__(self, scope: Connection, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or any(p.fullmatch(path) for p in self.open):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            gate: Gate = request.app.state.runtime.gate
            identity = await _identity(request.headers.get("authorization", ""), gate)
        except Exception as e:  # answered by the app's own handlers (401, 503)
            handler = request.app.exception_handlers.get(type(e))
            if handler is None:
                raise
            await (await handler(request, e))(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)


def _pattern(template: str) -> re.Pattern[str]:
    """A route template (or a prefix ending in *) as a pattern of the paths it serves."""
    if template.endswith("*"):
        return re.compile(re.escape(template[:-1]) + ".*")
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


Who = Annotated[Caller, Depends(current_caller)]
"""A handler's parameter: the verified caller of the request."""
