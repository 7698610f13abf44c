"""The web application says everything in Dutch and in English: every area's tables have
the same keys, every key a template or page module asks for exists, and no template holds
text of its own (a word outside t(...) would stay untranslated)."""

import re
from pathlib import Path

import pytest

from services.web import messages
from services.web.i18n import LANGUAGES, Translator, catalogue

pytestmark = pytest.mark.unit

WEB = Path(messages.__file__).resolve().parent.parent
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
PAGES = [*sorted((WEB / "pages").glob("*.py")), WEB / "frame.py"]
ASKED = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']\s*[,)]""")
TEXT_ATTRIBUTES = re.compile(r"""\b(?:aria-label|title|placeholder|alt)=["']([^"'{]+)["']""")


def test_both_languages_have_every_key() -> None:
    nl, en = catalogue("nl"), catalogue("en")
    assert set(nl) == set(en), sorted(set(nl) ^ set(en))
    for key in nl:  # the same placeholders in both
        assert re.findall(r"{(\w+)}", nl[key]) == re.findall(r"{(\w+)}", en[key]) or sorted(
            re.findall(r"{(\w+)}", nl[key])
        ) == sorted(re.findall(r"{(\w+)}", en[key])), key


def test_every_key_asked_for_exists() -> None:
    table = catalogue("nl")
    asked = {key for source in [*TEMPLATES, *PAGES] for key in ASKED.findall(source.read_text())}
    assert asked, "the pattern finds the keys"
    assert sorted(asked - set(table)) == []


def test_every_named_value_has_a_name() -> None:
    """Values the system names (domains, kinds, states, roles) have a name in each
    language, for every value the contracts define."""
    from contracts.portfolio import LearningKind
    from contracts.values import CompetenceDomain, EnrollmentStatus, OfferingKind, StaffRole
    from services.shared.identity.access import Role

    values = {
        "domain": list(CompetenceDomain),
        "kind": [*OfferingKind, *LearningKind],
        "state": list(EnrollmentStatus),
        "srole": list(StaffRole),
        "role": list(Role),
    }
    for language in LANGUAGES:
        t = Translator(language)
        for group, members in values.items():
            for member in members:
                assert t.has(f"{group}.{member.value}"), (language, group, member)


def _words_outside_expressions(template: str) -> list[str]:
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", template, flags=re.S)
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    return [w for w in text.split() if re.search(r"[^\W\d_]", w)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_a_template_has_no_text_of_its_own(template: Path) -> None:
    source = template.read_text()
    assert _words_outside_expressions(source) == []
    assert TEXT_ATTRIBUTES.findall(source) == []


def test_the_check_finds_text_left_in_a_template() -> None:
    assert _words_outside_expressions('<p>{{ t("a.b") }} Opslaan</p>') == ["Opslaan"]
    assert _words_outside_expressions('<p>{{ t("a.b") }} · 12</p>') == []


def test_a_missing_key_shows_as_untranslated() -> None:
    assert Translator("en")("no.such.key") == "⟦no.such.key⟧"


def test_dates_hours_and_school_years_the_dutch_way() -> None:
    t = Translator("nl")
    assert t.date("2027-01-08") == "8 januari 2027"
    assert t.moment("2027-02-09T14:00:00+01:00") == "di 9 februari 2027, 14:00"
    assert t.hours(4.5) == "4,5 uur"
    assert t.school_year("2026-2027") == "Schooljaar 2026-2027"
    assert Translator("en").hours(4.5) == "4.5 hours"
