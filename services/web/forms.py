"""Reading posted forms: trimmed text, ticked boxes, comma-separated focal points."""

from datetime import date

from starlette.datastructures import FormData


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def listed(form: FormData, name: str) -> list[str]:
    """Every value of a field sent several times (ticked checkboxes)."""
    return [v for v in form.getlist(name) if isinstance(v, str)]


def tags(written: str) -> list[str]:
    """Focal points as typed, comma-separated: trimmed, lower case, each once, in order."""
    seen: list[str] = []
    for tag in (t.strip().lower() for t in written.split(",")):
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def school_year_of(day: date) -> str:
    """The Dutch school year runs from 1 August to 31 July."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"
