"""Enrollment: the iCalendar feed says the same on a server whose local time zone is not
UTC: sessions and the stamp in UTC, never in the host's zone."""

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from contracts.values import EnrollmentStatus, Session
from services.enrollment.domain.calendar import Booking, render
from tests.support.factories import offering_details

pytestmark = pytest.mark.unit

DUTCH = "CET-1CEST,M3.5.0,M10.5.0/3"
"""The Netherlands' local time as a POSIX TZ rule: needs no time zone database."""


@pytest.fixture
def dutch_local_time() -> Iterator[None]:
    """The process's local time zone set to Dutch time for one test, then put back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = DUTCH
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def a_booking() -> Booking:
    starts = datetime(2026, 1, 12, 14, 0, tzinfo=UTC)
    session = Session(session_id=uuid4(), starts_at=starts, ends_at=starts + timedelta(hours=2))
    details = offering_details(sessions=(session,))
    return Booking(uuid4(), EnrollmentStatus.ENROLLED, 0, details, False)


def lines(feed: bytes) -> list[str]:
    return feed.decode().splitlines()


@pytest.mark.usefixtures("dutch_local_time")
def test_sessions_are_written_in_utc_whatever_the_hosts_zone() -> None:
    assert time.localtime(0).tm_gmtoff == 3600  # the fixture took effect
    written = lines(render([a_booking()], "Mijn sessies", datetime(2026, 1, 5, 8, 0, tzinfo=UTC)))
    assert "DTSTART:20260112T140000Z" in written
    assert "DTEND:20260112T160000Z" in written
    assert "DTSTAMP:20260105T080000Z" in written


@pytest.mark.usefixtures("dutch_local_time")
def test_the_default_stamp_is_now_in_utc_whatever_the_hosts_zone() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    [stamp] = [line for line in lines(render([a_booking()], "Mijn sessies")) if "DTSTAMP" in line]
    after = datetime.now(UTC)
    written = datetime.strptime(stamp, "DTSTAMP:%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= written <= after
