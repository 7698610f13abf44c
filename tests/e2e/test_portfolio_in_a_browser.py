"""The portfolio page in real headless Chromium: the chart is drawn, and its bars are as
long as the hours in the JSON say. A browser does not send a bearer token by itself: the
page is opened with the staff member's token as an extra HTTP header on its requests (as
a front end holding the sign-in would send it)."""

import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
from PIL import Image

from huisacademie.demo import Endpoints
from tests.support.browser import page
from tests.support.people import Caller, People

pytestmark = pytest.mark.e2e

TOTAL_BAR = (0x44, 0x44, 0x44)  # services/portfolio/page.py: COLOURS["total"]


def add(endpoints: Endpoints, me: Caller, hours: float, on: str) -> None:
    body = {
        "title": "Study day",
        "kind": "study",
        "hours": hours,
        "completed_on": on,
        "domains": ["pedagogy"],
    }
    response = httpx.post(
        f"{endpoints.portfolio}/staff/{me.id}/entries", json=body, headers=me.headers
    )
    assert response.status_code == 201, response.text


def bar_widths(row_widths: Iterable[int]) -> list[int]:
    """One width per bar, widest first: rows within a pixel or two (edges are smoothed)
    belong to the same bar."""
    bars: list[int] = []
    for width in sorted(set(row_widths), reverse=True):
        if not bars or bars[-1] - width > 2:
            bars.append(width)
    return bars


def test_the_chart_is_drawn_to_scale(endpoints: Endpoints, people: People) -> None:
    me = people.staff()
    add(endpoints, me, 4.5, "2026-09-01")
    add(endpoints, me, 3.0, "2026-03-01")
    portfolio: dict[str, Any] = httpx.get(
        f"{endpoints.portfolio}/staff/{me.id}/portfolio", headers=me.headers
    ).json()
    url = f"{endpoints.portfolio}/staff/{me.id}/portfolio.html"

    with page() as browser_page:
        refused = browser_page.goto(url)  # no token: the page is not shown
        assert refused is not None and refused.status == 401
        browser_page.set_extra_http_headers(me.headers)
        shown = browser_page.goto(url)
        assert shown is not None and shown.status == 200
        bars = browser_page.locator("#hours-chart rect.bar")
        assert bars.count() == 4  # a total and a pedagogy bar per school year
        drawn = [float(w) for w in bars.evaluate_all("rs => rs.map(r => r.getBBox().width)")]
        png = browser_page.screenshot()
    assert drawn[0] == 420 and drawn[2] == 280  # the totals, in proportion 4.5 : 3.0

    shot = Image.open(io.BytesIO(png)).convert("RGB")
    assert shot.size == (1000, 1200)
    rows = Counter(
        y
        for x in range(shot.width)
        for y in range(shot.height)
        if shot.getpixel((x, y)) == TOTAL_BAR
    )
    # Each total bar is 14 px high; its width is proportional to the year's hours.
    widths = bar_widths(n for n in rows.values() if n > 20)
    hours = [y["hours"] for y in portfolio["school_years"]]
    assert hours == [4.5, 3.0]
    assert len(widths) == 2
    assert abs(widths[1] / widths[0] - hours[1] / hours[0]) < 0.02
