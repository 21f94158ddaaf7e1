"""The API's shared schemas: what comes in (bodies are objects, text passes jiqun.core.text) and what goes out."""

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from jiqun.core.text import PATTERN, Text

# Every integer that reaches a query is bounded, so a huge number is a 422 and never a database overflow.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]

# A figure: exact decimal text or a JSON number, at most 16 digits before the point and 4 after (a 20-digit,
# 4-place column). The document states the bounds, so a request within them is never refused as malformed.
AMOUNT_PATTERN = r"^[+-]?\d{1,16}(\.\d{1,4})?$"
Amount = Annotated[Decimal, Field(max_digits=20, decimal_places=4), WithJsonSchema({"anyOf": [
    {"type": "string", "pattern": AMOUNT_PATTERN},
    {"type": "integer", "minimum": -(10**16) + 1, "maximum": 10**16 - 1},
]})]


class Problem(Schema):
    """Every error response: a Chinese message, and the messages by field where a field is at fault."""

    detail: str
    errors: dict[str, list[str]] = {}


def errors(*codes: int) -> dict[int, type[Problem]]:
    """The error responses an operation declares, each a Problem: 400 a rule refused the data, 401 no valid token,
    403 the caller may not, 404 not found or outside the caller's scope, 422 a parameter or body of the wrong shape."""
    return dict.fromkeys(codes, Problem)


# A dict[Text, …] field's keys as the document states them (pydantic writes only patternProperties, which
# leaves other keys allowed).
TEXT_KEYS = {"propertyNames": {"pattern": PATTERN}}


class BodyIn(Schema):
    """A request body, which must be a JSON object: a PATCH's optional fields would take [], [null] or a bare
    value as "no change". A field the operation does not take is refused (422 naming it), not ignored: a client
    that sends `tier` or `id` where they cannot be set must learn that nothing of it was applied."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _is_an_object(cls, value: Any) -> Any:
        # ninja's own validator, which runs first, wraps what came in into a DjangoGetter.
        if not isinstance(value._obj if isinstance(value, DjangoGetter) else value, dict):
            raise PydanticCustomError("object_expected", _("请求体应为 JSON 对象（以花括号括起的键值对），"
                                                          "不能是数组、null 或单个值"))
        return value


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent_id")


class ZoneOut(Schema):
    id: int
    name: str
    kind: str
    level: str
    region: str = Field(alias="region_id")


class CitationOut(Schema):
    clause: str
    quote: str
    citation: str


class TargetOut(CitationOut):
    code: str
    label: str
    subject_kind: str
    subject_ref: str
    subject: str = Field(alias="subject_display")
    indicator: str = Field(alias="indicator.code")
    params: dict
    comparator: str
    value: Decimal
    unit: str
    year: int


class ProgrammeTaskOut(CitationOut):
    code: str
    title: str
    lead_units: list[str]
    responsible_units: list[str]
    due_year: int


class ProgrammeOut(Schema):
    code: str
    name: str
    version: int
    document_number: str
    document_title: str
    issuer: str
    period_start: int
    period_end: int
    scope: str


class ProgrammeDetailOut(ProgrammeOut):
    reporting: dict | None
    evaluation: dict | None
    targets: list[TargetOut]
    tasks: list[ProgrammeTaskOut]

    @staticmethod
    def resolve_targets(obj) -> list:
        return list(obj.targets.select_related(
            "indicator", "programme", "subject_cluster", "subject_region", "subject_zone"
        ))

    @staticmethod
    def resolve_tasks(obj) -> list:
        return list(obj.tasks.select_related("programme"))


class ClusterOut(Schema):
    id: int
    programme: str = Field(alias="programme.code")
    code: str
    name: str
    kind: str | None = Field(None, alias="kind.code")
    tier: str
    status: str
    regions: list[str]
    zones: list[str]
    industry: str
    industry_codes: str
    promotion_org: str
    chief: str
    clause: str
    citation: str
    version: int = Field(description="版本号；修改（PATCH）时原样带回，其间他人已修改则返回 412")

    @staticmethod
    def resolve_regions(obj) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_zones(obj) -> list[str]:
        return [z.name for z in obj.zones.all()]


class ClusterIn(BodyIn):
    programme: Text
    code: Text
    name: Text
    regions: list[Text]
    kind: Text | None = None
    tier: Text = ""
    status: Text = "cultivating"
    industry: Text = ""
    industry_codes: Text = ""
    promotion_org: Text = ""
    chief: Text = ""
    description: Text = ""


class ClusterPatch(BodyIn):
    name: Text | None = None
    tier: Text | None = None
    status: Text | None = None
    regions: list[Text] | None = None
    industry: Text | None = None
    industry_codes: Text | None = None
    promotion_org: Text | None = None
    chief: Text | None = None
    description: Text | None = None
    basis: Text = ""
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="必填：读取集群时得到的 version")


class HonourOut(Schema):
    kind: str
    level: str
    year: int
    valid_until: int | None
    source: str


class MembershipOut(Schema):
    cluster: int = Field(alias="cluster_id")
    role: str


class EnterpriseOut(Schema):
    id: int
    name: str
    full_name: str
    credit_code: str | None
    region: str = Field(alias="region_id")
    zone: int | None = Field(None, alias="zone_id")
    industry_code: str
    source: str
    version: int = Field(description="版本号；修改（PATCH）时原样带回，其间他人已修改则返回 412")
    honours: list[HonourOut]
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_honours(obj) -> list:
        return list(obj.honours.all())

    @staticmethod
    def resolve_memberships(obj) -> list:
        return list(obj.memberships.all())


class EnterpriseIn(BodyIn):
    name: Text
    region: Text
    full_name: Text = ""
    credit_code: Text | None = None
    zone: DbId | None = None
    industry_code: Text = ""


class EnterprisePatch(BodyIn):
    name: Text | None = None
    full_name: Text | None = None
    credit_code: Text | None = None
    region: Text | None = None
    zone: DbId | None = None
    industry_code: Text | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="必填：读取企业时得到的 version")


class CarrierOut(Schema):
    id: int
    name: str
    kind: str
    level: str
    host: int | None = Field(None, alias="host_id")
    region: str = Field(alias="region_id")
    cluster: int | None = Field(None, alias="cluster_id")
    year: int | None
    source: str
