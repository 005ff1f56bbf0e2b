"""Shapes of the API. Validation here is about shape only; the rules live in
the services.

Partner-facing schemas list their fields explicitly (never ``exclude``), so a
new sensitive column on ParticipantProfile (support notes, readiness history,
self-description) can never leak into a partner's response by accident.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import (
    AfterValidator,
    AwareDatetime,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonDict

from opportunities.models import Opportunity, Partner, Session
from people.models import ParticipantProfile

# PostgreSQL text cannot hold NUL characters; refuse them at the edge with a
# 400 rather than let the database raise.
NO_NUL = r"^[^\x00]*$"


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(max_length=max_length, min_length=min_length, pattern=NO_NUL)


# Text fields by their length limits (each alias spelled out, so type checkers
# see a type, not a call).
Text50 = Annotated[str, _text(50)]
Text100 = Annotated[str, _text(100)]
Text300 = Annotated[str, _text(300)]
Text2000 = Annotated[str, _text(2000)]
Text5000 = Annotated[str, _text(5000)]
Title = Annotated[str, _text(200, 1)]
SkillName = Annotated[str, _text(50, 1)]


YEARS = (2000, 2100)
YEAR_RULE = f"The year must be from {YEARS[0]} to {YEARS[1]}."


def _plausible(value):
    # Bounded so that time-zone arithmetic can never overflow, and so that a
    # typo such as year 0202 is refused instead of stored.
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(
            _("年は%(low)s〜%(high)sの範囲で指定してください。")
            % {"low": YEARS[0], "high": YEARS[1]}
        )
    return value


# The year range in the OpenAPI schema: in words, and as x-year-minimum /
# x-year-maximum for machines (JSON Schema has no keyword for it).
_YEAR_SCHEMA = {"x-year-minimum": YEARS[0], "x-year-maximum": YEARS[1]}
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_plausible),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": f"ISO 8601 with a UTC offset. {YEAR_RULE}",
            **_YEAR_SCHEMA,
        }
    ),
]
Day = Annotated[
    date,
    AfterValidator(_plausible),
    WithJsonSchema({"type": "string", "format": "date", "description": YEAR_RULE, **_YEAR_SCHEMA}),
]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
KindLiteral = Literal["volunteering", "supported_work", "intermediate_employment", "farm_welfare"]
EmploymentTypeLiteral = Literal["", "non_employment", "employment"]
Skills = Annotated[list[SkillName], Field(max_length=30)]


class ErrorOut(Schema):
    detail: str


def errors(*codes: int) -> dict:
    """Documented error responses: every error body is ``{"detail": str}``.
    400 (input that does not fit the schema) can happen everywhere."""
    return {code: ErrorOut for code in sorted({400, *codes})}


class Pagination(LimitOffsetPagination):
    """ninja's limit/offset, with the offset bounded (an unbounded one reaches
    PostgreSQL as an out-of-range OFFSET)."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=100)
        offset: int = Field(0, ge=0, le=1_000_000)


# --- opportunities -----------------------------------------------------------


class PartnerBriefOut(ModelSchema):
    class Meta:
        model = Partner
        fields = ["code", "name", "municipality"]


class OpportunityOut(ModelSchema):
    """What anyone may see about an open opportunity."""

    partner: PartnerBriefOut

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "code",
            "title",
            "description",
            "kind",
            "employment_type",
            "is_farm_setting",
            "min_readiness",
            "skills",
            "useful_skills",
            "municipality",
            "address",
            "lat",
            "lon",
            "capacity",
            "what_to_bring",
            "contact_name",
        ]


class ManagedOpportunityOut(OpportunityOut):
    """An opportunity as the partner that runs it sees it."""

    status: str
    created_at: datetime
    updated_at: datetime


class OpportunityFilter(Schema):
    q: Text100 = Field("", description="Free text, matched in the title and description.")
    kind: KindLiteral | None = None
    municipality: Text50 = ""


EMPLOYMENT_TYPE_RULE = (
    "Only for kind=intermediate_employment, where it is required: non_employment or "
    'employment. For every other kind it must be left empty ("").'
)
# The same rule as JSON Schema (OpenAPI 3.1), for generated clients and validators.
_EMPLOYMENT_TYPE_SCHEMA: JsonDict = {
    "if": {"properties": {"kind": {"const": "intermediate_employment"}}, "required": ["kind"]},
    "then": {
        "properties": {"employment_type": {"enum": ["non_employment", "employment"]}},
        "required": ["employment_type"],
    },
    "else": {"properties": {"employment_type": {"const": ""}}},
}


def _check_employment_type(kind: str | None, employment_type: str | None) -> None:
    if kind is None or employment_type is None:
        return  # a PATCH that changes one of them: the model's constraint decides
    if kind == "intermediate_employment" and employment_type == "":
        raise ValueError(
            _("中間的就労では雇用形態（non_employment か employment）を指定してください。")
        )
    if kind != "intermediate_employment" and employment_type != "":
        raise ValueError(
            _("雇用形態は中間的就労（intermediate_employment）のときだけ指定できます。")
        )


class OpportunityIn(Schema):
    """A new opportunity. employment_type is only for kind=intermediate_employment,
    where it is required; any other kind leaves it empty (otherwise 400)."""

    model_config = {"json_schema_extra": _EMPLOYMENT_TYPE_SCHEMA}

    code: Annotated[str, StringConstraints(max_length=20, pattern=r"^[A-Za-z0-9_-]*$")] = Field(
        "", description="Left out, one is made from the partner's code."
    )
    title: Title
    description: Text5000 = ""
    kind: KindLiteral
    employment_type: EmploymentTypeLiteral = Field("", description=EMPLOYMENT_TYPE_RULE)
    is_farm_setting: bool = False
    min_readiness: int = Field(1, ge=1, le=5)
    skills: Skills = []
    useful_skills: Skills = []
    status: Literal["draft", "open"] = "draft"
    municipality: Text50 = ""
    address: Text300 = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    capacity: int = Field(3, ge=1, le=1000)
    what_to_bring: Text2000 = ""
    contact_name: Text100 = ""

    @model_validator(mode="after")
    def employment_type_fits_kind(self):
        _check_employment_type(self.kind, self.employment_type)
        return self


class OpportunityPatch(Schema):
    """Only the fields sent are changed. The code cannot change."""

    title: Title | None = None
    description: Text5000 | None = None
    kind: KindLiteral | None = None
    employment_type: EmploymentTypeLiteral | None = Field(
        None,
        description=f"{EMPLOYMENT_TYPE_RULE} Checked against the kind after the change.",
    )
    is_farm_setting: bool | None = None
    min_readiness: int | None = Field(None, ge=1, le=5)
    skills: Skills | None = None
    useful_skills: Skills | None = None
    status: Literal["draft", "open", "closed"] | None = None
    municipality: Text50 | None = None
    address: Text300 | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    capacity: int | None = Field(None, ge=1, le=1000)
    what_to_bring: Text2000 | None = None
    contact_name: Text100 | None = None

    @model_validator(mode="after")
    def employment_type_fits_kind(self):
        _check_employment_type(self.kind, self.employment_type)
        return self

    def changes(self) -> dict:
        # null means "leave as is" except for the coordinates, where it clears them.
        return {
            k: v
            for k, v in self.dict(exclude_unset=True).items()
            if v is not None or k in ("lat", "lon")
        }


# --- sessions ----------------------------------------------------------------


class SessionOut(ModelSchema):
    seats_left: int

    class Meta:
        model = Session
        fields = ["id", "opportunity", "starts_at", "ends_at", "capacity", "status"]


class ManagedSessionOut(SessionOut):
    seats_taken: int
    instructor_name: str


class SessionFilter(Schema):
    date_from: Day | None = Field(
        None, description=f"First local (Asia/Tokyo) day; default today. {YEAR_RULE}"
    )
    date_to: Day | None = Field(
        None, description=f"Last local day; default 14 days after date_from. {YEAR_RULE}"
    )
    status: Literal["scheduled", "held", "cancelled"] | None = None


class SessionIn(Schema):
    """A session. ends_at must be after starts_at (otherwise 400)."""

    starts_at: Instant
    ends_at: Instant = Field(
        description=f"Must be after starts_at. ISO 8601 with a UTC offset. {YEAR_RULE}",
        json_schema_extra={"x-after": "starts_at"},
    )
    capacity: int | None = Field(
        None, ge=1, le=1000, description="Defaults to the opportunity's capacity."
    )
    instructor_name: Text100 = ""

    @model_validator(mode="after")
    def ends_after_it_starts(self):
        if self.ends_at <= self.starts_at:
            raise ValueError(_("終了日時は開始日時より後にしてください。"))
        return self


# --- sign-ups ----------------------------------------------------------------


class SignupOut(Schema):
    """A sign-up as the participant, their coach or the secretariat see it."""

    id: int
    status: str
    participant_id: int
    session_id: int
    opportunity_id: int = Field(alias="session.opportunity_id")
    opportunity_title: str = Field(alias="session.opportunity.title")
    starts_at: datetime = Field(alias="session.starts_at")
    ends_at: datetime = Field(alias="session.ends_at")
    created_at: datetime


class SignupIn(Schema):
    session_id: Id
    participant_id: Id | None = Field(
        None,
        description="For a coach placing someone from their caseload; a participant leaves it out.",
    )


class SignupFilter(Schema):
    status: Literal["requested", "confirmed", "waitlisted", "cancelled"] | None = None
    participant_id: Id | None = None


class RosterParticipantOut(ModelSchema):
    """The only participant fields partner staff ever receive."""

    class Meta:
        model = ParticipantProfile
        fields = ["id", "display_name", "emergency_contact"]


class RosterEntryOut(Schema):
    signup_id: int = Field(alias="id")
    status: str
    participant: RosterParticipantOut


# --- attendance --------------------------------------------------------------


class AttendanceIn(Schema):
    participant_id: Id
    status: Literal["present", "absent", "excused"]
    minutes: int | None = Field(
        None, ge=0, le=24 * 60, description="Defaults to the session's length when present."
    )


class AttendanceOut(Schema):
    id: int
    session_id: int
    participant_id: int | None
    participant_name: str | None = None
    supporter_id: int | None
    role: str
    status: str
    minutes: int
    recorded_at: datetime

    @staticmethod
    def resolve_participant_name(obj) -> str | None:
        return obj.participant.display_name if obj.participant_id else None


class MeOut(Schema):
    id: int
    username: str
    role: str
    partner_id: int | None
