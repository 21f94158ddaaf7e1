"""/api/v1/ endpoints for the 复核 of provincial clusters: the review list and the province's decision."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jiqun.accounts.permissions import can_decide_cluster_standing
from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.clusters.models import Cluster, Review
from jiqun.clusters.selectors import review_data, reviews_listed
from jiqun.clusters.services import REVIEW_HORIZON, review_decide, review_decide_due, standing_denied_message
from jiqun.core.text import Text

router = Router(tags=["reviews"])


class ReviewOut(Schema):
    id: int | None = Field(description="复核编号；到期而尚未记录的复核为 null，由省级决定时记录（/reviews/due/{cluster_id}/decision）")
    cluster: int
    cluster_name: str
    programme: str
    recognised_on: datetime.date = Field(description="成为省级集群的日期（层级变更记录）")
    due_on: datetime.date = Field(description="复核到期日：认定满三年，此后每三年")
    state: str = Field(description="due 待复核 | overdue 已逾期 | decided 已决定")
    outcome: str = Field(description="kept 保留 | warned 预警 | withdrawn 撤销；未决定为空")
    basis: str
    decided_by: str
    decided_at: datetime.datetime | None


class ReviewFilter(Schema):
    as_of: datetime.date | None = Field(None, description="按此日期判断是否逾期（默认今天）")


class ReviewDecisionIn(BodyIn):
    outcome: str = Field(description="kept | warned | withdrawn")
    basis: Text = Field(max_length=150, description="复核依据：评审意见、文件或会议纪要（最多 150 个字符）")


@router.get("/reviews", response={200: list[ReviewOut], **errors(400, 401, 422)}, summary="复核名单（省级集群认定满三年）")
def list_reviews(request: HttpRequest, filters: Query[ReviewFilter]):
    today = datetime.date.today()
    as_of = filters.as_of or today
    if not 2000 <= as_of.year <= 2100:  # pydantic also reads a bare number as a Unix timestamp
        raise ValidationError({"as_of": [_("截至日期 %(day)s 应在 2000 年至 2100 年之间") % {"day": as_of}]})
    return [review_data(r, as_of) for r in reviews_listed(request.user, as_of, REVIEW_HORIZON)]  # a read only


@router.post("/reviews/{review_id}/decision", response={200: ReviewOut, **errors(400, 401, 403, 404, 422)},
             summary="记录复核结论并据此变更集群状态（省级）")
def post_review_decision(request: HttpRequest, review_id: DbId, payload: ReviewDecisionIn):
    review = get_object_or_404(Review.objects.for_user(request.user), pk=review_id)
    if not can_decide_cluster_standing(request.user):
        raise PermissionDenied(standing_denied_message())
    decided = review_decide(actor=request.user, review=review, outcome=payload.outcome, basis=payload.basis)
    decided = Review.objects.select_related("cluster__programme").get(pk=decided.pk)
    return review_data(decided, datetime.date.today())


class ReviewDueDecisionIn(ReviewDecisionIn):
    due_on: datetime.date | None = Field(None, description="名单中列出的复核到期日（可选；与当前到期日不符时拒绝）")


@router.post("/reviews/due/{cluster_id}/decision", response={200: ReviewOut, **errors(400, 401, 403, 404, 422)},
             summary="决定到期而尚未记录的复核：记录复核并作出结论（省级）")
def post_due_review_decision(request: HttpRequest, cluster_id: DbId, payload: ReviewDueDecisionIn):
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=cluster_id)
    if not can_decide_cluster_standing(request.user):
        raise PermissionDenied(standing_denied_message())
    decided = review_decide_due(actor=request.user, cluster=cluster, outcome=payload.outcome, basis=payload.basis,
                                due_on=payload.due_on)
    decided = Review.objects.select_related("cluster__programme").get(pk=decided.pk)
    return review_data(decided, datetime.date.today())
