"""Fake units of work for the catalogue's and enrollment's commands: their tables in
dictionaries, and the events of each unit of work kept only when the unit ends without an
error (a failed one emits nothing and leaves the tables as they were, as a rolled-back
transaction would)."""

import copy
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from typing import Generic, TypeVar, cast
from uuid import UUID, uuid4

from contracts import Envelope, Event
from contracts.values import EnrollmentStatus, Session
from services.catalogue.domain.audits import Audit
from services.catalogue.domain.offerings import Academy, Offering
from services.catalogue.domain.programmes import Programme
from services.enrollment.domain import enrollments
from services.enrollment.domain.eligibility import StaffMember
from services.enrollment.domain.reservations import Reservation
from services.enrollment.store import Store
from services.shared.errors import NotFound
from services.shared.identity.access import Policy, Principal, Target
from services.shared.identity.directory import Person
from services.shared.identity.http import Gate
from services.shared.identity.tokens import Identity, TrustedIssuer
from services.shared.unit_of_work import Begin

T = TypeVar("T")


class FakeCatalogueTables:
    """What services.catalogue.commands.Tables asks, in memory."""

    def __init__(self) -> None:
        self.academies: dict[UUID, Academy] = {}
        self.offerings: dict[UUID, Offering] = {}
        self.audits: dict[UUID, Audit] = {}
        self.programmes: dict[UUID, Programme] = {}

    async def add_academy(self, academy: Academy) -> None:
        self.academies[academy.academy_id] = academy

    async def get_academy(self, academy_id: UUID) -> Academy | None:
        return self.academies.get(academy_id)

    async def save_offering(self, offering: Offering) -> None:
        self.offerings[offering.details.offering_id] = offering

    async def get_offering(self, offering_id: UUID, *, lock: bool = False) -> Offering | None:
        return self.offerings.get(offering_id)

    async def get_offerings(self, offering_ids: list[UUID]) -> dict[UUID, Offering]:
        return {i: self.offerings[i] for i in offering_ids if i in self.offerings}

    async def seats_taken(self, offering_id: UUID) -> int:
        return 0  # seats are taken by enrollment's events, which no unit test sends here

    async def save_audit(self, audit: Audit) -> None:
        self.audits[audit.audit_id] = audit

    async def get_audit(self, audit_id: UUID, *, lock: bool = False) -> Audit | None:
        return self.audits.get(audit_id)

    async def add_programme(self, programme: Programme) -> None:
        self.programmes[programme.programme_id] = programme


class FakeUnitOfWork(Generic[T]):
    def __init__(self, store: T) -> None:
        self.store = store
        self.events: list[Event] = []

    def emit(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    def envelope(self, event: Event) -> Envelope[Event]:
        raise LookupError("a fake unit of work applies no events")


class FakeDatabase(Generic[T]):
    """Units of work on fake tables: a unit that ends in an error commits no events and
    leaves the tables as they were, as a rolled-back transaction would."""

    def __init__(self, store: T) -> None:
        self.store = store
        self.committed: list[Event] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeUnitOfWork[T]]:
        before = copy.deepcopy(vars(self.store))
        unit = FakeUnitOfWork(self.store)
        try:
            yield unit
        except BaseException:
            vars(self.store).update(before)
            raise
        self.committed.extend(unit.events)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[T]:
        yield self.store


def fake_catalogue() -> FakeDatabase[FakeCatalogueTables]:
    return FakeDatabase(FakeCatalogueTables())


_BOOKED = (EnrollmentStatus.REQUESTED, EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
_ENDED = (EnrollmentStatus.CANCELLED, EnrollmentStatus.DECLINED)


class FakeEnrollmentStore:
    """What enrollment's commands ask of services.enrollment.store.Store, in memory; the
    waiting list in the order people joined it. Programmes are left out (none finish)."""

    def __init__(self) -> None:
        self.offerings: dict[UUID, enrollments.Offering] = {}
        self.enrollments: dict[UUID, enrollments.Enrollment] = {}
        self.reservations: dict[UUID, Reservation] = {}
        self.reservation_keys: dict[tuple[UUID, str], UUID] = {}
        self.attendance: dict[UUID, dict[UUID, bool]] = {}

    async def offering(self, offering_id: UUID, *, lock: str = "") -> enrollments.Offering:
        if offering_id not in self.offerings:
            raise NotFound(f"no offering {offering_id}")
        return self.offerings[offering_id]

    async def enrollment(
        self, enrollment_id: UUID, *, lock: bool = False
    ) -> enrollments.Enrollment:
        if enrollment_id not in self.enrollments:
            raise NotFound(f"no enrollment {enrollment_id}")
        return self.enrollments[enrollment_id]

    async def locked(
        self, enrollment_id: UUID, *, seats: bool = True
    ) -> tuple[enrollments.Enrollment, enrollments.Offering]:
        e = await self.enrollment(enrollment_id)
        return e, await self.offering(e.offering_id)

    async def count_seated(self, offering_id: UUID) -> int:
        held = sum(
            e.offering_id == offering_id and e.status in enrollments.HOLDS_A_SEAT
            for e in self.enrollments.values()
        )
        return held + sum(
            r.open for r in self.reservations.values() if r.offering_id == offering_id
        )

    async def live(self, offering_id: UUID, staff_id: UUID) -> enrollments.Enrollment | None:
        return next(
            (
                e
                for e in self.enrollments.values()
                if (e.offering_id, e.staff_id) == (offering_id, staff_id) and e.status not in _ENDED
            ),
            None,
        )

    async def booked_sessions(self, staff_id: UUID, besides: UUID) -> list[tuple[str, Session]]:
        return [
            (self.offerings[e.offering_id].details.title, s)
            for e in self.enrollments.values()
            if e.staff_id == staff_id
            and e.offering_id != besides
            and e.status in _BOOKED
            and not self.offerings[e.offering_id].withdrawn
            for s in self.offerings[e.offering_id].sessions
        ]

    async def add_many(
        self, added: Sequence[tuple[enrollments.Enrollment, StaffMember, str | None]]
    ) -> None:
        for e, _, _ in added:
            self.enrollments[e.enrollment_id] = e

    async def update(self, items: Sequence[enrollments.Enrollment]) -> None:
        for e in items:
            before = self.enrollments[e.enrollment_id]
            joins_the_queue = before.status is not EnrollmentStatus.WAITLISTED
            if e.status is EnrollmentStatus.WAITLISTED and joins_the_queue:
                del self.enrollments[e.enrollment_id]  # to the end of the queue
            self.enrollments[e.enrollment_id] = e

    async def with_status(
        self, offering_id: UUID, *statuses: EnrollmentStatus
    ) -> list[enrollments.Enrollment]:
        return [
            e
            for e in self.enrollments.values()
            if e.offering_id == offering_id and e.status in statuses
        ]

    async def record_attendance(
        self, enrollment_id: UUID, session_id: UUID, attended: bool
    ) -> None:
        self.attendance.setdefault(enrollment_id, {})[session_id] = attended

    async def attendance_of(self, enrollment_id: UUID) -> dict[UUID, bool]:
        return dict(self.attendance.get(enrollment_id, {}))

    async def lock_person(self, staff_id: UUID) -> None:
        pass

    async def programmes_finished(
        self, staff_id: UUID, offering_id: UUID
    ) -> list[tuple[UUID, str, list[UUID]]]:
        return []

    async def add_programme_completion(self, staff_id: UUID, programme_id: UUID, on: date) -> None:
        raise AssertionError("no programme is finished in the fake")

    async def add_reservation(self, r: Reservation, key: str | None = None) -> None:
        self.reservations[r.reservation_id] = r
        if key:
            self.reservation_keys[r.leader_id, key] = r.reservation_id

    async def reservation_by_key(self, leader_id: UUID, key: str) -> Reservation | None:
        found = self.reservation_keys.get((leader_id, key))
        return None if found is None else self.reservations[found]

    async def reservation(self, reservation_id: UUID, *, lock: bool = False) -> Reservation:
        if reservation_id not in self.reservations:
            raise NotFound(f"no reservation {reservation_id}")
        return self.reservations[reservation_id]

    async def fill_reservation(self, reservation_id: UUID, seats: int) -> None:
        r = self.reservations[reservation_id]
        self.reservations[reservation_id] = replace(r, filled=r.filled + seats)

    async def release_reservation(self, reservation_id: UUID) -> None:
        r = self.reservations[reservation_id]
        self.reservations[reservation_id] = replace(r, released=True)


class FakeEnrollmentDatabase(FakeDatabase[FakeEnrollmentStore]):
    def __init__(self) -> None:
        super().__init__(FakeEnrollmentStore())

    @property
    def begin(self) -> Begin[Store]:
        """What enrollment's command classes take: the fake stands in for the Store."""
        return cast("Begin[Store]", self.transaction)


class OneSchoolDirectory:
    """A directory (for unit tests of the HTTP layer) that knows one signed-in principal,
    and everyone else as staff of that principal's first school and board."""

    def __init__(self, principal: Principal) -> None:
        self.known = principal

    async def principal(self, issuer: str, subject: str) -> Principal | None:
        return self.known

    async def person(self, staff_id: UUID) -> Person:
        board = self.known.board_id or uuid4()
        return Person(staff_id, board, "colleague", self.known.schools)

    async def staff_target(self, staff_id: UUID) -> Target:
        return (await self.person(staff_id)).target()

    async def people(self, staff_ids: Iterable[UUID]) -> dict[UUID, Person]:
        return {s: await self.person(s) for s in staff_ids}


class AnyTokenVerifier:
    """Takes any bearer token as the directory's principal (unit tests only: the real
    verifier meets the real identity provider in the e2e tests)."""

    def __init__(self) -> None:
        self.issuers = {"unit": TrustedIssuer(issuer="unit")}

    async def verify(self, token: str) -> Identity:
        return Identity("unit", token, {})


def signed_in_gate(principal: Principal, policy: Policy) -> Gate:
    """The HTTP layer's gate, for a unit test of an API on a fake database."""
    return Gate(AnyTokenVerifier(), OneSchoolDirectory(principal), policy)  # type: ignore[arg-type]
