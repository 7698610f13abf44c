"""What every service's HTTP API shares: the lifespan, error mapping and health."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.shared import telemetry
from services.shared.definition import ServiceDefinition
from services.shared.errors import CommandRejected, Conflict, NotFound
from services.shared.failures import Failure, classify
from services.shared.identity.http import Forbidden, TokenFirst, Unauthenticated, guard
from services.shared.identity.tokens import IssuerUnavailable
from services.shared.logging import get_logger
from services.shared.runtime import NotReady, Runtime, run_service
from services.shared.settings import ServiceSettings
from services.shared.unit_of_work import Database

log = get_logger(__name__)
T = TypeVar("T")


class Rejected(BaseModel):
    """Why a request was refused: a sentence, or FastAPI's list of invalid fields."""

    detail: str | list[dict[str, Any]]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Rejected, "description": "No valid bearer token (WWW-Authenticate says why)"},
    403: {"model": Rejected, "description": "Signed in, but not allowed to do this"},
    404: {"model": Rejected, "description": "Not found"},
    413: {"model": Rejected, "description": "The request body is too large"},
    409: {"model": Rejected, "description": "Conflicts with the current state"},
    422: {"model": Rejected, "description": "Invalid, or breaks a rule"},
    503: {"model": Rejected, "description": "Starting, or the database is unavailable"},
}


def create_http_app(
    definition: ServiceDefinition[Any], settings: ServiceSettings | None = None
) -> FastAPI:
    """A service's app, its lifespan running the service's runtime (pool, broker, relay),
    with the service's routes and the operations routes every service has. Settings come
    from the environment unless given."""
    settings = settings or definition.settings()
    title, description = f"huisacademie {definition.name}", definition.about

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with run_service(definition, settings) as runtime:
            app.state.runtime = runtime
            app.state.use_cases = {}
            yield
        # Here, not after uvicorn returns: on SIGTERM it then raises the signal again.
        await telemetry.flush()

    docs = settings.http_docs
    app = FastAPI(
        title=title,
        description=description,
        lifespan=lifespan,
        responses=ERRORS,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        # A span per request once tracing is on; exported by our own provider
        # (services/shared/telemetry.py), never one FastAPI would add from the environment.
        telemetry={"exclude": telemetry.unwatched, "auto_configure": False},
    )

    app.add_middleware(BodyLimit, limit=definition.max_request_bytes)
    open_paths = ["/health*", *(path for _, path in definition.policy.public)]
    if definition.pages is not None:
        open_paths += [route.path for route in definition.pages.routes if hasattr(route, "path")]
    if docs:
        open_paths += ["/docs*", "/openapi.json"]
    app.add_middleware(TokenFirst, open_paths=open_paths)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        return _too_large_response(exc.limit)

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        headers = {"WWW-Authenticate": exc.challenge()}
        return JSONResponse(status_code=401, content={"detail": exc.message}, headers=headers)

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse(status_code=403, content={"detail": exc.message})

    @app.exception_handler(IssuerUnavailable)
    async def _issuer_unavailable(_: Request, exc: IssuerUnavailable) -> JSONResponse:
        return _unavailable(str(exc))

    @app.exception_handler(ValidationError)
    async def _invalid(_: Request, exc: ValidationError) -> JSONResponse:
        # A model built from a valid request can still break a rule of the whole (say, a
        # change that leaves an offering inconsistent): the caller's error, not ours.
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(CommandRejected)
    async def _rejected(_: Request, exc: CommandRejected) -> JSONResponse:
        return JSONResponse(status_code=status_code(exc), content={"detail": exc.message})

    @app.exception_handler(NotReady)
    async def _not_ready(_: Request, exc: NotReady) -> JSONResponse:
        return _unavailable(str(exc))

    @app.exception_handler(Exception)
    async def _failed(_: Request, exc: Exception) -> JSONResponse:
        # The database dropped away under a request: nothing was committed, so the caller
        # may send it again (with the same Idempotency-Key where there is one).
        if classify(exc) is Failure.OUTAGE:
            log.warning("request_failed_outage", error=repr(exc))
            return _unavailable("the database is unavailable for a moment; try again")
        log.exception("request_failed")
        return JSONResponse(status_code=500, content={"detail": "internal error"})

    @app.get("/health/live", tags=["operations"])
    async def live() -> dict[str, str]:
        """Alive (200) whenever the process answers: restart it only when this fails."""
        return {"status": "alive"}

    @app.get("/health/ready", tags=["operations"])
    async def ready(request: Request) -> JSONResponse:
        """Ready for traffic (200) when what requests need answers (the database, and the key
        store and directory where the service uses them), else 503. Kafka is not asked:
        commands go on while it is away, their events wait in the outbox."""
        report = await runtime_of(request).health(consumers=False)
        return JSONResponse(status_code=200 if report["ready"] else 503, content=report)

    @app.get("/health/consumers", tags=["operations"])
    async def consuming(request: Request) -> JSONResponse:
        """The consumers' health (200) apart from readiness: the broker answers, the relay
        runs and every consumer holds partitions (an instance beyond a topic's partitions
        holds none, and says so); else 503."""
        report = await runtime_of(request).health()
        return JSONResponse(status_code=200 if report["consuming"] else 503, content=report)

    @app.get("/health", tags=["operations"])
    async def whole(request: Request) -> JSONResponse:
        """Ready and consuming both (200): what a stack waits for before it calls itself up."""
        report = await runtime_of(request).health()
        up = report["ready"] and report["consuming"]
        return JSONResponse(status_code=200 if up else 503, content=report)

    @app.get(
        "/metrics", tags=["operations"], response_class=Response, dependencies=[Depends(guard)]
    )
    async def metrics(request: Request) -> Response:
        """Prometheus metrics: consumer lag, outbox backlog, events by outcome, retries."""
        await runtime_of(request).measure()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(definition.router, dependencies=[Depends(guard)])
    if definition.pages is not None:
        app.include_router(definition.pages)
    return app


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


def _too_large_response(limit: int) -> JSONResponse:
    detail = f"the request body is larger than {limit // 1024} KiB"
    return JSONResponse(status_code=413, content={"detail": detail})


class BodyLimit:
    """Refuses a body over the limit before it is read whole: at once by its Content-Length,
    or (sent in chunks) as soon as the bytes read pass it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large_response(self.limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


def _unavailable(message: str) -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": message}, headers={"Retry-After": "1"})


def status_code(error: CommandRejected) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 422


def runtime_of(request: Request) -> Runtime[Any]:
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime


def use_cases(make: Callable[[Database[Any]], T]) -> Callable[[Request], Awaitable[T]]:
    """A FastAPI dependency giving the request's service its `make(database)`: command or
    query objects, made once per app and database (command objects may keep state across
    requests: enrollment groups them), kept in the app's state.

    Async on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, a thread
    hop (and a GIL hand-over) on every request."""

    async def dependency(request: Request) -> T:
        database = runtime_of(request).database
        made: dict[object, tuple[Database[Any], Any]] = request.app.state.use_cases
        found = made.get(make)
        if found is None or found[0] is not database:
            found = made[make] = (database, make(database))
        made_for: T = found[1]
        return made_for

    return dependency
