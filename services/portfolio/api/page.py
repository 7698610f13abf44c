"""The portfolio as a web page: a table per school year, a chart of hours per school year
and domain (inline SVG, no scripts), and every entry with its evidence and reflections."""

from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.portfolio.domain.hours import YearLedger
from services.portfolio.domain.portfolio import Entry

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
DOMAINS = ("subject_knowledge", "subject_didactics", "pedagogy", "school_leadership")
COLOURS = {
    "subject_knowledge": "#1b6ca8",
    "subject_didactics": "#2e8b57",
    "pedagogy": "#d2691e",
    "school_leadership": "#8a2be2",
    "total": "#444444",
}
BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 14, 10, 120, 420


@dataclass(frozen=True)
class Bar:
    label: str
    hours: float
    x: int
    y: int
    width: int
    colour: str


def bars(years: list[YearLedger]) -> tuple[list[Bar], list[tuple[str, int]], int]:
    """Bars (a total and one per domain, per school year), year labels and the height."""
    most = max((y.hours for y in years), default=0.0) or 1.0
    out: list[Bar] = []
    labels: list[tuple[str, int]] = []
    top = 0
    for year in years:
        labels.append((year.school_year, top + BAR_HEIGHT))
        rows = [("total", year.hours)] + [
            (d, year.by_domain[d]) for d in DOMAINS if d in year.by_domain
        ]
        for name, hours in rows:
            width = round(CHART_WIDTH * hours / most)
            out.append(Bar(name, hours, LABEL_WIDTH, top, width, COLOURS[name]))
            top += BAR_HEIGHT + 2
        top += GAP
    return out, labels, top


def render(staff_id: UUID, years: list[YearLedger], entries: list[Entry], as_of: str | None) -> str:
    chart, labels, height = bars(years)
    return _templates.get_template("portfolio.html").render(
        staff_id=staff_id,
        years=years,
        entries=entries,
        as_of=as_of,
        bars=chart,
        labels=labels,
        height=height,
        colours=COLOURS,
        label_width=LABEL_WIDTH,
        chart_width=CHART_WIDTH,
        total=round(sum(y.hours for y in years), 2),
    )
