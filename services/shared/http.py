"""What every service's HTTP API shares: the lifespan, error mapping and health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.shared.errors import CommandRejected, Conflict, NotFound
from services.shared.runtime import Runtime, ServiceDefinition, run_service
from services.shared.settings import ServiceSettings


def create_http_app(
    definition: ServiceDefinition, settings: ServiceSettings, *, title: str, description: str
) -> FastAPI:
    """A FastAPI app whose lifespan runs the service's runtime (pool, broker, relay)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with run_service(definition, settings) as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(title=title, description=description, lifespan=lifespan)

    @app.exception_handler(ValidationError)
    async def _invalid(_: Request, exc: ValidationError) -> JSONResponse:
        # A model built from a valid request can still break a rule of the whole (say, a
        # change that leaves an offering inconsistent): the caller's error, not ours.
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(CommandRejected)
    async def _rejected(_: Request, exc: CommandRejected) -> JSONResponse:
        return JSONResponse(status_code=status_code(exc), content={"detail": exc.message})

    @app.get("/health", tags=["operations"])
    async def health(request: Request) -> JSONResponse:
        """Ready (200) when the database and the broker answer; reports the outbox backlog."""
        report = await runtime_of(request).health()
        return JSONResponse(status_code=200 if report["ready"] else 503, content=report)

    return app


def status_code(error: CommandRejected) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 422


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime
