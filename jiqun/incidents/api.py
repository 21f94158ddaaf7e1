"""/api/v1/incidents: the incident register, with the same scoping and services as the pages."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.clusters.models import Cluster
from jiqun.core.stale import version_missing
from jiqun.core.text import Text
from jiqun.enterprises.models import Enterprise
from jiqun.incidents.models import Incident
from jiqun.incidents.permissions import can_record_incident, may_record_incidents
from jiqun.incidents.selectors import incident_data, incidents_for
from jiqun.incidents.services import incident_create, incident_update, incident_withdraw

router = Router(tags=["incidents"])


def _denied() -> str:
    return _("只有省级管理员或集群所在市的市级用户可以登记、更正或撤销事故与失信记录")


class IncidentOut(Schema):
    id: int
    cluster: int
    cluster_name: str
    enterprise: int | None
    enterprise_name: str
    kind: str = Field(description="safety 安全生产事故 | environment 环境污染事件 | quality 质量事故 | cyber 网络安全和数据安全事件 | dishonesty 严重失信 | tax 偷税漏税 | violation 违法违规")
    kind_label: str
    severity: str = Field(description="major 重大 | large 较大 | general 一般")
    severity_label: str
    occurred_on: datetime.date
    description: str
    document: str = Field(description="认定或通报该事件的文件文号")
    status: str = Field(description="recorded 有效 | withdrawn 已撤销")
    status_label: str
    withdrawn_reason: str
    withdrawn_by: str
    withdrawn_at: datetime.datetime | None
    recorded_by: str
    recorded_organisation: str
    recorded_at: datetime.datetime
    version: int = Field(description="更正、撤销时带上此版本号；其间他人已修改时返回 412")


class IncidentFilter(Schema):
    cluster: DbId | None = None
    kind: Text = ""
    severity: Text = ""
    status: Text = ""
    year: int | None = Field(None, ge=2000, le=2100, description="发生年度")


class IncidentIn(BodyIn):
    cluster: DbId
    enterprise: DbId | None = Field(None, description="可选：集群的成员企业")
    kind: Text
    severity: Text
    occurred_on: datetime.date
    description: Text = Field(max_length=2000)
    document: Text = Field(max_length=120)


class IncidentPatch(BodyIn):
    version: int | None = Field(None, ge=1, description="读取记录时得到的版本号（必填）")
    enterprise: DbId | None = None
    kind: Text | None = None
    severity: Text | None = None
    occurred_on: datetime.date | None = None
    description: Text | None = Field(None, max_length=2000)
    document: Text | None = Field(None, max_length=120)


class WithdrawIn(BodyIn):
    reason: Text = Field(max_length=200, description="撤销理由（最多 200 个字符）")
    version: int = Field(ge=1, description="所依据的记录版本（version）；记录已被他人修改时返回 412")


def _visible(request: HttpRequest, incident_id: int) -> Incident:
    return get_object_or_404(Incident.objects.for_user(request.user).select_related("cluster", "enterprise"),
                             pk=incident_id)


def _enterprise(request: HttpRequest, enterprise_id: int | None) -> Enterprise | None:
    if enterprise_id is None:
        return None
    enterprise = Enterprise.objects.for_user(request.user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"enterprise": [_("企业 %(id)s 不存在或不在您的范围内") % {"id": enterprise_id}]})
    return enterprise


@router.get("/incidents", response={200: list[IncidentOut], **errors(401, 422)}, summary="事故与失信记录（本人范围内）")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]):
    incidents = incidents_for(request.user, kind=filters.kind, severity=filters.severity, status=filters.status,
                              year=filters.year)
    if filters.cluster is not None:  # a filter: a cluster the user does not see lists nothing
        incidents = incidents.filter(cluster_id=filters.cluster)
    return [incident_data(i) for i in incidents]


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **errors(401, 404, 422)}, summary="一条记录")
def get_incident(request: HttpRequest, incident_id: DbId):
    return incident_data(_visible(request, incident_id))


@router.post("/incidents", response={201: IncidentOut, **errors(400, 401, 403, 404, 422)},
             summary="登记事件（省级或集群所在市）")
def create_incident(request: HttpRequest, payload: IncidentIn):
    if not may_record_incidents(request.user):  # a role that records nothing learns so whatever the cluster
        raise PermissionDenied(_denied())
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=payload.cluster)
    if not can_record_incident(request.user, cluster):
        raise PermissionDenied(_denied())
    incident = incident_create(actor=request.user, cluster=cluster, enterprise=_enterprise(request, payload.enterprise),
                               kind=payload.kind, severity=payload.severity, occurred_on=payload.occurred_on,
                               description=payload.description, document=payload.document)
    return Status(201, incident_data(Incident.objects.select_related("cluster", "enterprise").get(pk=incident.pk)))


@router.patch("/incidents/{incident_id}", response={200: IncidentOut, **errors(400, 401, 403, 404, 412, 422)},
              summary="更正记录",
              description="请求体须带 version（读取记录时得到的版本号）；其间他人已修改时返回 412，说明何时由谁改了哪些字段。")
def update_incident(request: HttpRequest, incident_id: DbId, payload: IncidentPatch):
    incident = _visible(request, incident_id)
    if not can_record_incident(request.user, incident.cluster):
        raise PermissionDenied(_denied())
    if payload.version is None:
        raise version_missing(kind=_("记录"))
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    for key in ("kind", "severity", "occurred_on", "description", "document"):
        if key in changes and changes[key] is None:
            raise ValidationError({key: [_("不能为空")]})
    if "enterprise" in changes:
        changes["enterprise"] = _enterprise(request, changes["enterprise"])
    updated = incident_update(actor=request.user, incident=incident, base_version=payload.version, **changes)
    return incident_data(Incident.objects.select_related("cluster", "enterprise").get(pk=updated.pk))


@router.post("/incidents/{incident_id}/withdraw", response={200: IncidentOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="撤销记录（须说明理由；记录保留）")
def withdraw_incident(request: HttpRequest, incident_id: DbId, payload: WithdrawIn):
    incident = _visible(request, incident_id)
    if not can_record_incident(request.user, incident.cluster):
        raise PermissionDenied(_denied())
    withdrawn = incident_withdraw(actor=request.user, incident=incident, reason=payload.reason,
                                  base_version=payload.version)
    return incident_data(Incident.objects.select_related("cluster", "enterprise").get(pk=withdrawn.pk))
