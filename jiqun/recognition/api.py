"""/api/v1/recognition/: calls, applications and the expert's assignments, with the pages' scoping; the
assigned expert posts its scores."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import WithJsonSchema

from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.core.text import Text
from jiqun.recognition.models import ASPECT_CODES, Application, Assignment, Attachment, Call
from jiqun.recognition.services import (
    attachment_add,
    attachment_delete,
    attachment_downloaded,
    call_cancel,
    scores_submit,
)

router = Router(tags=["recognition"])


class CallOut(Schema):
    id: int
    title: str
    programme: str = Field(alias="programme.code")
    tier_sought: str
    quota: int
    deadline: datetime.date
    data_year: int
    status: str = Field(description="draft 草拟 | open 申报中 | review 评审中 | publicity 公示中 | done 已完成 | cancelled 已撤销")
    objection_until: datetime.date | None
    cancel_reason: str
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


# --- cancelling a call -------------------------------------------------------------------------------------

class CancelIn(BodyIn):
    reason: Text = Field("", max_length=2000, description="撤销原因；评审中撤销时必填")


@router.post("/calls/{call_id}/cancel", response={200: CallOut, **errors(400, 401, 403, 404, 422)},
             summary="撤销批次（省级；草拟、申报中或评审中，评审中须填原因）")
def post_cancel(request: HttpRequest, call_id: DbId, payload: CancelIn):
    call = get_object_or_404(Call.objects.for_user(request.user).select_related("programme"), pk=call_id)
    return call_cancel(actor=request.user, call=call, reason=payload.reason)


# --- attachments of an application -------------------------------------------------------------------------

class AttachmentOut(Schema):
    id: int
    application: int = Field(alias="application_id")
    name: str = Field(description="上传时的文件名（已去掉路径和不可见字符）")
    kind: str = Field(description="pdf | docx | xlsx | jpeg | png，按文件内容判定")
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime.datetime


def _application(request: HttpRequest, application_id: int) -> Application:
    return get_object_or_404(Application.objects.for_user(request.user).select_related("call", "cluster"),
                             pk=application_id)


def _attachment(request: HttpRequest, application_id: int, attachment_id: int) -> Attachment:
    return get_object_or_404(Attachment.objects.for_user(request.user), pk=attachment_id,
                             application_id=application_id)


@router.get("/applications/{application_id}/attachments", response={200: list[AttachmentOut], **errors(401, 404, 422)},
            summary="申报附件")
def list_attachments(request: HttpRequest, application_id: DbId):
    return list(_application(request, application_id).attachments.all())


@router.post("/applications/{application_id}/attachments",
             response={201: AttachmentOut, **errors(400, 401, 403, 404, 422)},
             summary="上传申报附件（申报人，申报中且未过截止日期）",
             description="multipart/form-data，字段 file。只接受 PDF、Word（.docx）、Excel（.xlsx）、JPEG、PNG，"
                         "按文件内容判定类型；单个文件和每份申报的附件数有上限。")
def post_attachment(request: HttpRequest, application_id: DbId, file: File[UploadedFile] = None):
    # The file is optional in the signature so that the scope (404) and the role (403) answer first.
    return Status(201, attachment_add(actor=request.user, application=_application(request, application_id), upload=file))


@router.get("/applications/{application_id}/attachments/{attachment_id}",
            response={200: None, **errors(401, 404, 422)}, summary="下载申报附件（记入审计日志）",
            openapi_extra={"responses": {200: {"description": "文件本身（Content-Disposition: attachment）",
                                               "content": {"application/octet-stream": {}}}}})
def get_attachment(request: HttpRequest, application_id: DbId, attachment_id: DbId) -> HttpResponse:
    from jiqun.recognition.views import attachment_response

    attachment = _attachment(request, application_id, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    attachment_downloaded(actor=request.user, attachment=attachment, ip=request.META.get("REMOTE_ADDR"))
    return attachment_response(attachment, handle)


@router.delete("/applications/{application_id}/attachments/{attachment_id}",
               response={204: None, **errors(400, 401, 403, 404, 422)},
               summary="删除申报附件（申报人，申报中且未过截止日期）")
def delete_attachment(request: HttpRequest, application_id: DbId, attachment_id: DbId):
    attachment_delete(actor=request.user, attachment=_attachment(request, application_id, attachment_id))
    return Status(204, None)
