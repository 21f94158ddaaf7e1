from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

# Every integer that reaches a query is bounded, so a huge number is a 422 and never a database overflow.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


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


class TaskOut(CitationOut):
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
    tasks: list[TaskOut]

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


class ClusterIn(Schema):
    programme: str
    code: str
    name: str
    regions: list[str]
    kind: str | None = None
    tier: str = ""
    status: str = "cultivating"
    industry: str = ""
    industry_codes: str = ""
    promotion_org: str = ""
    chief: str = ""
    description: str = ""


class ClusterPatch(Schema):
    name: str | None = None
    tier: str | None = None
    status: str | None = None
    regions: list[str] | None = None
    industry: str | None = None
    industry_codes: str | None = None
    promotion_org: str | None = None
    chief: str | None = None
    description: str | None = None
    basis: str = ""
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


class EnterpriseIn(Schema):
    name: str
    region: str
    full_name: str = ""
    credit_code: str | None = None
    zone: DbId | None = None
    industry_code: str = ""


class EnterprisePatch(Schema):
    name: str | None = None
    full_name: str | None = None
    credit_code: str | None = None
    region: str | None = None
    zone: DbId | None = None
    industry_code: str | None = None
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
