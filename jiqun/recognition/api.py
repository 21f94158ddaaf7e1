"""/api/v1/recognition/: calls, applications and the expert's assignments, with the pages' scoping; the
assigned expert posts its scores."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.core.text import Text
from jiqun.recognition.models import ASPECT_CODES, Application, Assignment, Call
from jiqun.recognition.services import scores_submit

router = Router(tags=["recognition"])


class CallOut(Schema):
    id: int
    title: str
    programme: str = Field(alias="programme.code")
    tier_sought: str
    quota: int
    deadline: datetime.date
    data_year: int
    status: str
    objection_until: datetime.date | None
    quantitative_weight: Decimal
    aspect_weights: dict[str, str]


class ThresholdOut(Schema):
    indicator: str = Field(alias="indicator.code")
    minimum: Decimal


class ApplicationOut(Schema):
    id: int
    call: int = Field(alias="call_id")
    cluster: int = Field(alias="cluster_id")
    cluster_name: str = Field(alias="cluster.name")
    eligible: bool
    quantitative_score: Decimal | None
    expert_score: Decimal | None
    final_score: Decimal | None
    rank: int | None
    selected: bool


class CallDetailOut(CallOut):
    thresholds: list[ThresholdOut]
    applications: list[ApplicationOut] = Field(description="本人可见的申报")

    @staticmethod
    def resolve_thresholds(obj) -> list:
        return list(obj.thresholds.select_related("indicator"))

    @staticmethod
    def resolve_applications(obj, context) -> list:
        visible = Application.objects.for_user(context["request"].user).filter(call=obj)
        return list(visible.select_related("cluster").order_by("rank", "cluster__name"))


class ApplicationDetailOut(ApplicationOut):
    texts: dict[str, str] = Field(description="发展基础、总体思路、提升目标、重点任务、具体举措、保障措施")
    figures: dict = Field(description="取自经省级审核数据的量化指标及其来源（报表、修订号）")
    screen: list = Field(description="资格审查：每个门槛的数值、门槛值、是否通过与原因")

    @staticmethod
    def resolve_texts(obj) -> dict[str, str]:
        return {code: getattr(obj, code) for code in ASPECT_CODES}


class AssignmentOut(Schema):
    id: int
    application: int = Field(alias="application_id")
    cluster_name: str = Field(alias="application.cluster.name")
    call: str = Field(alias="application.call.title")
    scores: dict
    total: Decimal | None
    submitted_at: datetime.datetime | None
    version: int = Field(description="版本号；提交评分时原样带回，其间已有另一次保存则返回 412")


# A score is a JSON number from 0 to 100 with at most two decimals (a Decimal inside, never a float in the
# arithmetic); scores_submit refuses more decimals naming the aspect, as the page does.
Score = Annotated[Decimal, Field(ge=0, le=100),
                  WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100,
                                  "description": "0–100，最多两位小数"})]


class AspectScoreIn(BodyIn):
    score: Score
    comment: Text = Field("", max_length=2000)


class ScoresIn(BodyIn):
    basis: AspectScoreIn
    approach: AspectScoreIn
    goals: AspectScoreIn
    tasks: AspectScoreIn
    measures: AspectScoreIn
    safeguards: AspectScoreIn
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="必填：读取评审任务时得到的 version")


@router.get("/calls", response={200: list[CallOut], **errors(401)}, summary="赛马认定批次")
def list_calls(request: HttpRequest):
    return Call.objects.for_user(request.user).select_related("programme")


@router.get("/calls/{call_id}", response={200: CallDetailOut, **errors(401, 404, 422)}, summary="批次、门槛与申报")
def get_call(request: HttpRequest, call_id: DbId):
    return get_object_or_404(Call.objects.for_user(request.user).select_related("programme"), pk=call_id)


@router.get("/applications/{application_id}", response={200: ApplicationDetailOut, **errors(401, 404, 422)},
            summary="申报书、量化数据与资格审查")
def get_application(request: HttpRequest, application_id: DbId):
    return get_object_or_404(Application.objects.for_user(request.user).select_related("cluster"), pk=application_id)


@router.get("/assignments", response={200: list[AssignmentOut], **errors(401)}, summary="评审任务（专家本人的）")
def list_assignments(request: HttpRequest):
    return Assignment.objects.for_user(request.user).select_related("application__cluster", "application__call")


@router.post("/assignments/{assignment_id}/scores",
             response={200: AssignmentOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="提交评分（被分配的专家本人，评审中）",
             description="请求体须带 version（读取评审任务时得到的版本号）；其间已有另一次保存时返回 412，说明何时由谁保存。")
def post_scores(request: HttpRequest, assignment_id: DbId, payload: ScoresIn):
    assignment = get_object_or_404(
        Assignment.objects.for_user(request.user).select_related("application__call", "expert"), pk=assignment_id)
    data = payload.dict()
    return scores_submit(actor=request.user, assignment=assignment, base_version=payload.version,
                         scores={code: data[code]["score"] for code in ASPECT_CODES},
                         comments={code: data[code]["comment"] for code in ASPECT_CODES})
