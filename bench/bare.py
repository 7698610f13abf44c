"""The burst's reference: a bare FastAPI + asyncpg endpoint that only inserts a row.

Run by `python -m bench.bare` with BENCH_BARE_DATABASE_URL and BENCH_BARE_PORT set."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from fastapi import FastAPI, Request
from pydantic import BaseModel


class EnrolIn(BaseModel):
    staff_id: uuid.UUID
    offering_id: uuid.UUID


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(os.environ["BENCH_BARE_DATABASE_URL"], max_size=20)
    assert pool is not None
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS bare (id uuid PRIMARY KEY, staff_id uuid, offering_id uuid)"
    )
    app.state.pool = pool
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/enrollments", status_code=201)
async def enrol(body: EnrolIn, request: Request) -> dict[str, str]:
    made = uuid.uuid4()
    await request.app.state.pool.execute(
        "INSERT INTO bare (id, staff_id, offering_id) VALUES ($1, $2, $3)",
        made,
        body.staff_id,
        body.offering_id,
    )
    return {"enrollment_id": str(made), "status": "enrolled"}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BENCH_BARE_PORT"]), log_level="warning")
