"""Catalogue: what the HTTP models accept for the new offering fields and programmes."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.values import OfferingContent, OfferingDetails, OfferingIdentity
from services.catalogue.api.schemas import OfferingIn, OfferingPatch, ProgrammeIn

pytestmark = pytest.mark.unit


def test_a_patch_may_null_the_window_and_credits_but_not_audience_or_approval() -> None:
    nulls = {"capacity": None, "enrolment_opens": None, "enrolment_closes": None, "credits": None}
    assert OfferingPatch.model_validate(nulls).model_dump(exclude_unset=True) == nulls
    with pytest.raises(
        ValidationError,
        match="audience, completion, requires_approval: may be left out, but not null",
    ):
        OfferingPatch.model_validate(
            {"audience": None, "completion": None, "requires_approval": None}
        )


def test_version_is_not_settable_through_the_api() -> None:
    with pytest.raises(ValidationError, match="version"):
        OfferingPatch.model_validate({"version": 4})
    with pytest.raises(ValidationError, match="version"):
        body = {"academy_id": str(uuid4()), "title": "t", "kind": "course", "study_hours": 1}
        OfferingIn.model_validate({**body, "version": 4})


def test_an_offering_accepts_the_new_fields() -> None:
    body = OfferingIn.model_validate(
        {
            "academy_id": str(uuid4()),
            "title": "Coaching for new school leaders",
            "kind": "coaching",
            "study_hours": 12,
            "enrolment_opens": "2026-05-01T09:00:00+02:00",
            "enrolment_closes": "2026-06-01T17:00:00+02:00",
            "audience": {"roles": ["school_leader"], "sectors": ["po", "vo"]},
            "credits": {"sbu": 28, "ects": 1},
            "completion": {"min_attendance_share": 0.75},
            "requires_approval": True,
        }
    )
    assert body.enrolment_closes == datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    assert body.audience.roles == ("school_leader",)
    assert body.credits is not None and (body.credits.sbu, body.credits.ects) == (28, 1)
    assert (body.completion.min_attendance_share, body.requires_approval) == (0.75, True)


def test_window_bounds_need_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        OfferingPatch.model_validate({"enrolment_opens": "2026-05-01T09:00:00"})


@pytest.mark.parametrize("count", [0, 51])
def test_a_programme_body_lists_one_to_fifty_offerings(count: int) -> None:
    with pytest.raises(ValidationError, match="offering_ids"):
        ids = [str(uuid4()) for _ in range(count)]
        ProgrammeIn.model_validate(
            {"academy_id": str(uuid4()), "title": "Path", "offering_ids": ids}
        )


def test_a_programme_body_refuses_an_offering_twice() -> None:
    twice = str(uuid4())
    with pytest.raises(ValidationError, match="offering_ids must be distinct"):
        ProgrammeIn.model_validate(
            {"academy_id": str(uuid4()), "title": "Path", "offering_ids": [twice, twice]}
        )


def test_an_offering_is_published_and_patched_with_the_contracts_fields() -> None:
    """The offering's fields have one source, contracts.values.OfferingContent: publishing
    takes them (and the academy), a patch may change each of them but the kind."""
    assert set(OfferingIn.model_fields) == {*OfferingContent.model_fields, "academy_id"}
    assert set(OfferingPatch.model_fields) == set(OfferingContent.model_fields) - {"kind"}
    assert set(OfferingDetails.model_fields) == {
        *OfferingContent.model_fields,
        *OfferingIdentity.model_fields,
        "version",
    }
