"""Portfolio web page: the chart's bars and the rendered HTML."""

from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from uuid import uuid4

import pytest

from contracts.values import EnrollmentStatus
from services.portfolio.api.page import CHART_WIDTH, LABEL_WIDTH, bars, render
from services.portfolio.domain.hours import ledger
from services.portfolio.domain.portfolio import Entry, EntrySource

pytestmark = pytest.mark.unit

STAFF = uuid4()
VOID = {"br", "meta", "img", "input", "hr", "link"}
Attrs = dict[str, str | None]


class Page(HTMLParser):
    """Every element of a page with its attributes and the text inside it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, Attrs, list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.elements.append((tag, dict(attrs), text))
        if tag not in VOID:
            self._open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)

    def find(self, tag: str, **attrs: str) -> list[tuple[Attrs, str]]:
        return [
            (a, " ".join(" ".join(t).split()))
            for name, a, t in self.elements
            if name == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def entry(title: str, hours: float, on: date, *domains: str) -> Entry:
    return Entry(
        entry_id=uuid4(),
        staff_id=STAFF,
        source=EntrySource.ENROLLMENT,
        status=EnrollmentStatus.COMPLETED,
        title=title,
        kind="course",
        hours=hours,
        completed_on=on,
        domains=domains,
    )


ENTRIES = [
    entry("Reading aloud", 10.0, date(2025, 10, 1), "subject_didactics", "pedagogy"),
    entry("Classroom climate", 5.0, date(2026, 7, 31), "pedagogy"),
    entry("Fractions", 6.0, date(2025, 7, 31), "subject_knowledge"),
]


def test_bars_give_a_total_and_one_per_domain_per_school_year_scaled_to_the_largest() -> None:
    chart, labels, height = bars(ledger(ENTRIES))
    assert [(b.label, b.hours, b.width) for b in chart] == [
        ("total", 15.0, CHART_WIDTH),
        ("subject_didactics", 10.0, 280),
        ("pedagogy", 15.0, CHART_WIDTH),
        ("total", 6.0, 168),
        ("subject_knowledge", 6.0, 168),
    ]
    assert [label for label, _ in labels] == ["2025-2026", "2024-2025"]
    assert {b.x for b in chart} == {LABEL_WIDTH}
    ys = [b.y for b in chart]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert height > ys[-1]


def test_no_years_no_bars() -> None:
    assert bars([]) == ([], [], 0)


def test_the_page_shows_the_chart_the_ledger_and_the_entries() -> None:
    years = ledger(ENTRIES)
    noted = replace(
        ENTRIES[0],
        reflections=({"reflection_id": "r1", "text": "I now read aloud daily."},),
        notes=({"note_id": "n1", "leader_id": "l1", "text": "Share it with group 4."},),
    )
    page = Page(render(STAFF, years, [noted, *ENTRIES[1:]], as_of="2026-08-01"))
    [(svg, _)] = page.find("svg", id="hours-chart")
    rects = [a for a, _ in page.find("rect", **{"class": "bar"})]
    assert [(r["data-series"], r["data-hours"]) for r in rects] == [
        ("total", "15.0"),
        ("subject_didactics", "10.0"),
        ("pedagogy", "15.0"),
        ("total", "6.0"),
        ("subject_knowledge", "6.0"),
    ]
    assert [r["width"] for r in rects] == [str(CHART_WIDTH), "280", str(CHART_WIDTH), "168", "168"]
    rows = {a["data-school-year"]: text for a, text in page.find("tr") if "data-school-year" in a}
    assert rows == {
        "2025-2026": "2025-2026 15.0 2 pedagogy: 15.0, subject_didactics: 10.0",
        "2024-2025": "2024-2025 6.0 1 subject_knowledge: 6.0",
    }
    assert [text for _, text in page.find("strong", id="total-hours")] == ["21.0"]
    titles = [text for _, text in page.find("strong")]
    assert {"Reading aloud", "Classroom climate", "Fractions"} <= set(titles)
    assert [text for _, text in page.find("blockquote")] == ["I now read aloud daily."]
    assert any("Share it with group 4." in text for _, text in page.find("p"))
    assert any("as it stood on 2026-08-01" in text for _, text in page.find("p"))
    assert svg["id"] == "hours-chart"


def test_an_empty_portfolio_says_so() -> None:
    html = render(STAFF, [], [], as_of=None)
    page = Page(html)
    assert "No activity recorded yet." in [text for _, text in page.find("p")]
    assert page.find("rect") == []
    assert [text for _, text in page.find("strong", id="total-hours")] == ["0"]
    assert "as it stood" not in html


def test_user_text_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    hostile = replace(
        entry(evil, 2.0, date(2025, 9, 1)),
        reflections=({"reflection_id": "r", "text": f"{evil} & more"},),
    )
    html = render(STAFF, ledger([hostile]), [hostile], as_of=None)
    page = Page(html)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert [name for name, _, _ in page.elements if name == "script"] == []
    assert evil in [text for _, text in page.find("strong")]
    assert [text for _, text in page.find("blockquote")] == [f"{evil} & more"]
