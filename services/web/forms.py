"""Reading posted forms and addresses: trimmed text, ticked boxes, comma-separated focal
points, numbers as a Dutch person types them, ids."""

import math
from uuid import UUID

from starlette.datastructures import FormData

from services.web.apis import Refused


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


def path_id(text: str) -> UUID:
    """An id from the address or a form; anything else is simply not found (not a failure)."""
    try:
        return UUID(text)
    except ValueError:
        raise Refused(404, "not found") from None


def decimal(text: str) -> float | None:
    """A number as typed: "62,5" or "62.5"; empty is None. Raises ValueError otherwise."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError(text)
    return number
