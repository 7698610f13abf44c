"""The web application's rows: sessions and sign-ins under way (mail has its own module)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.shared.db import Connection

SIGN_IN_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class SessionRow:
    id_hash: bytes
    staff_id: UUID | None
    issuer: str
    subject: str
    tokens: bytes
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class UnderWay:
    verifier: str
    nonce: str
    return_to: str
    browser: bytes


class Store:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def begin_sign_in(
        self, state: str, verifier: str, nonce: str, return_to: str, browser: bytes
    ) -> None:
        await self.conn.execute(
            "INSERT INTO sign_ins_under_way (state, verifier, nonce, return_to, browser)"
            " VALUES ($1, $2, $3, $4, $5)",
            state, verifier, nonce, return_to, browser,
        )  # fmt: skip

    async def end_sign_in(self, state: str) -> UnderWay | None:
        """The sign-in this state began, once: a second callback with it finds nothing."""
        row = await self.conn.fetchrow(
            "DELETE FROM sign_ins_under_way WHERE state = $1 AND created_at > now() - $2::interval"
            " RETURNING verifier, nonce, return_to, browser",
            state,
            SIGN_IN_TIMEOUT,
        )
        if row is None or row["browser"] is None:
            return None
        return UnderWay(row["verifier"], row["nonce"], row["return_to"], row["browser"])

    async def open_session(self, row: SessionRow) -> None:
        await self.conn.execute(
            "INSERT INTO sessions (id_hash, staff_id, issuer, subject, tokens, csrf, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            row.id_hash, row.staff_id, row.issuer, row.subject, row.tokens, row.csrf,
            row.expires_at,
        )  # fmt: skip

    async def session(self, id_hash: bytes, idle: timedelta) -> SessionRow | None:
        """The session, if neither expired nor idle too long; marks it seen."""
        row = await self.conn.fetchrow(
            "UPDATE sessions SET last_seen_at = now()"
            " WHERE id_hash = $1 AND expires_at > now() AND last_seen_at > now() - $2::interval"
            " RETURNING id_hash, staff_id, issuer, subject, tokens, csrf, expires_at",
            id_hash,
            idle,
        )
        return SessionRow(**dict(row)) if row else None

    async def csrf_of(self, id_hash: bytes) -> str | None:
        found: str | None = await self.conn.fetchval(
            "SELECT csrf FROM sessions WHERE id_hash = $1", id_hash
        )
        return found

    async def session_for_update(self, id_hash: bytes) -> SessionRow | None:
        """The session, locked until the transaction ends (one renewal at a time)."""
        row = await self.conn.fetchrow(
            "SELECT id_hash, staff_id, issuer, subject, tokens, csrf, expires_at FROM sessions"
            " WHERE id_hash = $1 AND expires_at > now() FOR UPDATE",
            id_hash,
        )
        return SessionRow(**dict(row)) if row else None

    async def renew_tokens(self, id_hash: bytes, tokens: bytes) -> None:
        await self.conn.execute(
            "UPDATE sessions SET tokens = $2 WHERE id_hash = $1", id_hash, tokens
        )

    async def close_session(self, id_hash: bytes) -> None:
        await self.conn.execute("DELETE FROM sessions WHERE id_hash = $1", id_hash)

    async def close_sessions_of(self, staff_id: UUID) -> int:
        done = await self.conn.execute("DELETE FROM sessions WHERE staff_id = $1", staff_id)
        return int(done.split()[-1])

    async def sessions_of(self, staff_id: UUID) -> list[dict[str, object]]:
        rows = await self.conn.fetch(
            "SELECT created_at, last_seen_at, expires_at FROM sessions WHERE staff_id = $1"
            " ORDER BY created_at",
            staff_id,
        )
        return [dict(r) for r in rows]

    async def sweep(self, idle: timedelta) -> int:
        """Ends sessions past their time and sign-ins never finished."""
        done = await self.conn.execute(
            "DELETE FROM sessions WHERE expires_at < now() OR last_seen_at < now() - $1::interval",
            idle,
        )
        await self.conn.execute(
            "DELETE FROM sign_ins_under_way WHERE created_at < now() - $1::interval",
            SIGN_IN_TIMEOUT,
        )
        return int(done.split()[-1])
