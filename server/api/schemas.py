"""Request bodies. Unknown fields, wrong types and oversized values are refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from server.domain.errors import BadInput
from server.domain.queue import MAX_PRIORITY, NORMAL_PRIORITY, PreviousPatient
from server.domain.text import check_line
from server.domain.wayfinding import Mode


def _one_line(value: str) -> str:
    """The domain's text rule, as a field error (the field is named by pydantic)."""
    try:
        return check_line(value, field="value")
    except BadInput:
        raise ValueError("control characters are not allowed") from None


Line = AfterValidator(_one_line)
ShortText = Annotated[str, Field(min_length=1, max_length=64), Line]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Empty(Body):
    """No fields; send {}."""


class Login(Body):
    username: ShortText
    password: Annotated[str, Field(min_length=1, max_length=256)]


StepFree = Annotated[
    bool, Field(description="Show this patient ways without stairs or escalators.")
]


class WalkIn(Body):
    service: ShortText = Field(description="The service's prefix (e.g. 'B') or code.")
    language: Language | None = None
    step_free: StepFree = False


class AppointmentLookup(Body):
    code: Annotated[str, Field(min_length=1, max_length=32), Line] | None = None
    last_name: Annotated[str, Field(min_length=1, max_length=100), Line] | None = None
    date_of_birth: date | None = None

    @model_validator(mode="after")
    def _one_way_to_find_it(self) -> AppointmentLookup:
        by_name = self.last_name is not None and self.date_of_birth is not None
        if (self.code is None) == (not by_name):
            raise ValueError("give either code, or last_name and date_of_birth")
        return self


class AppointmentCheckIn(AppointmentLookup):
    language: Language | None = None
    step_free: StepFree = False


class DeskAdd(Body):
    service: ShortText
    patient_name: Annotated[str, Field(min_length=1, max_length=200), Line] | None = None
    language: Language | None = None
    step_free: bool = False


Previous = Annotated[
    PreviousPatient | None,
    Field(
        description="What became of the room's patient who was called and has not been"
        " seen: 'no_show', or 'return' (the back of the line). Without it such a call is"
        " refused (409 room_occupied). A patient in service is done either way.",
    ),
]


class CallNext(Body):
    previous: Previous = None


class CallTicket(Body):
    room: ShortText
    previous: Previous = None


class Transfer(Body):
    service: ShortText


class Priority(Body):
    level: Annotated[int, Field(ge=NORMAL_PRIORITY, le=MAX_PRIORITY)]


class Notice(Body):
    scope: Literal["site", "service", "room"]
    target: ShortText | None = None
    reason: Annotated[str, Field(min_length=1, max_length=200), Line]
    expected_minutes: Annotated[int, Field(ge=1, le=480)]


class Query(BaseModel):
    """Query-string parameters: text, so not strict; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DestinationsQuery(Query):
    lang: Language | None = None


class RouteQuery(Query):
    to: ShortText = Field(description="The destination's code.")
    start: ShortText | None = Field(
        default=None, alias="from", description="A kiosk's or destination's code."
    )
    mode: Mode = Mode.SHORTEST
    lang: Language | None = None
