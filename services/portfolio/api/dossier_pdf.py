"""The portfolio as a PDF dossier: a cover, the hours ledger per school year, and every
entry with its evidence, reflections and notes. No I/O but reading fonts."""

from datetime import date
from pathlib import Path
from uuid import UUID

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.portfolio.domain.hours import YearLedger
from services.portfolio.domain.portfolio import Entry

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
_STYLES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


def _font(pdf: FPDF, fonts: Path | None) -> str:
    """DejaVu, which writes any name (ş, ł, €), where it is installed; otherwise the
    core Helvetica, which knows Latin-1 only."""
    if fonts is None or not all((fonts / f).is_file() for f in _STYLES.values()):
        return "Helvetica"
    for style, file in _STYLES.items():
        pdf.add_font("DejaVu", style, str(fonts / file))
    return "DejaVu"


def _text(pdf: FPDF, text: str, size: int = 10, style: str = "") -> None:
    family = pdf.font_family if pdf.font_family == "dejavu" else "Helvetica"
    pdf.set_font(family, style, size)
    if family == "Helvetica":  # anything outside Latin-1 is shown as "?" rather than failing
        text = text.encode("latin-1", "replace").decode("latin-1")
    pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(
    staff_id: UUID,
    years: list[YearLedger],
    entries: list[Entry],
    as_of: date | None,
    today: date,
    fonts: Path | None = DEJAVU,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_font(_font(pdf, fonts), "", 10)
    pdf.set_title("Bekwaamheidsdossier")
    pdf.set_author("huisacademie")
    pdf.add_page()
    _text(pdf, "Bekwaamheidsdossier", 22, "B")
    _text(pdf, f"Staff member {staff_id}")
    _text(pdf, f"As it stood on {as_of.isoformat()}" if as_of else f"Made on {today.isoformat()}")
    _text(pdf, f"Total: {round(sum(y.hours for y in years), 2)} hours", 12, "B")
    pdf.ln(4)
    _text(pdf, "Hours per school year", 14, "B")
    for year in years:
        domains = ", ".join(f"{d} {h}" for d, h in year.by_domain.items()) or "no domain"
        _text(
            pdf, f"School year {year.school_year}: {year.hours} hours, {year.activities} activities"
        )
        _text(pdf, f"    per domain: {domains}", 9)
        if year.by_goal_tag:
            tags = ", ".join(f"{g} {h}" for g, h in year.by_goal_tag.items())
            _text(pdf, f"    per goal: {tags}", 9)
    pdf.ln(4)
    _text(pdf, "Entries", 14, "B")
    if not entries:
        _text(pdf, "No activity recorded yet.")
    for e in entries:
        pdf.ln(2)
        _text(pdf, e.title, 11, "B")
        when = f" on {e.completed_on.isoformat()}" if e.completed_on else ""
        hours = f", {e.hours} hours" if e.hours is not None else ""
        _text(
            pdf,
            f"{e.kind}{', ' + e.academy_name if e.academy_name else ''}: {e.status}{when}{hours}",
            9,
        )
        for item in e.evidence:
            _text(pdf, f"Evidence: {item.get('link') or item.get('file_name')}", 9)
        for r in e.reflections:
            _text(pdf, f"Reflection: {r['text']}", 9, "I")
        for n in e.notes:
            _text(pdf, f"School leader's note: {n['text']}", 9, "I")
    return bytes(pdf.output())
