"""The PDF dossier: the text extracted from it matches the ledger and the entries."""

import io
from datetime import date
from uuid import uuid4

import pytest
from pypdf import PdfReader

from contracts.values import EnrollmentStatus
from services.portfolio.api.dossier_pdf import render
from services.portfolio.domain.hours import ledger
from services.portfolio.domain.portfolio import Entry, EntrySource

pytestmark = pytest.mark.unit


def entry(title: str, hours: float, on: date, domains: tuple[str, ...] = ()) -> Entry:
    return Entry(
        entry_id=uuid4(),
        staff_id=uuid4(),
        source=EntrySource.ENROLLMENT,
        status=EnrollmentStatus.COMPLETED,
        title=title,
        kind="course",
        hours=hours,
        completed_on=on,
        domains=domains,
    )


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_dossier_holds_the_ledger_per_school_year_and_every_entry() -> None:
    staff = uuid4()
    entries = [
        entry("Reading didactics", 12, date(2026, 7, 31), ("subject_didactics",)),
        entry("Classroom management", 6.5, date(2026, 8, 1), ("pedagogy",)),
    ]
    reflected = Entry(
        **{**entries[0].__dict__, "reflections": ({"reflection_id": "r", "text": "Useful"},)}
    )
    content = render(staff, ledger(entries), [reflected, entries[1]], None, date(2026, 11, 26))
    assert content.startswith(b"%PDF")
    text = text_of(content)
    assert "Bekwaamheidsdossier" in text and str(staff) in text
    assert "Total: 18.5 hours" in text
    assert "School year 2026-2027: 6.5 hours, 1 activities" in text
    assert "School year 2025-2026: 12.0 hours, 1 activities" in text
    assert "subject_didactics 12.0" in text and "pedagogy 6.5" in text
    assert "Reading didactics" in text and "Reflection: Useful" in text
    assert "Made on 2026-11-26" in text


def test_an_empty_dossier_and_an_as_of_date_say_so() -> None:
    text = text_of(render(uuid4(), [], [], date(2026, 1, 31), date(2026, 11, 26)))
    assert "No activity recorded yet." in text
    assert "As it stood on 2026-01-31" in text
    assert "Total: 0 hours" in text


def test_names_outside_latin_1_are_written_with_dejavu_and_replaced_without_it() -> None:
    title = "Rekenen \u2013 groep 5 met \u015eule \u0141ukasz"
    with_dejavu = render(uuid4(), [], [entry(title, 1, date(2026, 9, 1))], None, date(2026, 11, 26))
    assert title in text_of(with_dejavu)
    core = render(
        uuid4(), [], [entry(title, 1, date(2026, 9, 1))], None, date(2026, 11, 26), fonts=None
    )
    assert "Rekenen ? groep 5 met ?ule ?ukasz" in text_of(core)
