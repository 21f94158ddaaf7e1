"""Pages of 赛马 recognition rounds: calls, applications, the expert library, assignment, expert scoring,
results with 公示 and objections. Every object is fetched through its `for_user` scope (404 outside it)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiqun.clusters.models import Cluster
from jiqun.recognition.forms import (
    AnswerForm,
    ApplicationForm,
    AssignForm,
    AttachmentForm,
    CallForm,
    CancelForm,
    ConflictForm,
    ExpertForm,
    MoveForm,
    ObjectionForm,
    ScoreForm,
)
from jiqun.recognition.models import (
    ASPECT_CODES,
    ASPECTS,
    Application,
    Assignment,
    Attachment,
    Call,
    CallStatus,
    Expert,
)
from jiqun.recognition.permissions import can_apply_for, can_manage_rounds, can_score, is_applicant_role
from jiqun.recognition.services import (
    MOVES,
    TRANSITIONS,
    application_create,
    assignment_create,
    assignment_refusal,
    attachment_add,
    attachment_delete,
    attachment_downloaded,
    attachment_refusal,
    call_create,
    call_publicise,
    conflict_declare,
    expert_create,
    objection_answer,
    objection_record,
    scores_submit,
)


def _form_error(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has that field."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def _refused(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


def _province_only(request: HttpRequest) -> None:
    if not can_manage_rounds(request.user):
        raise Http404  # the province's tools do not exist for anyone else


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    calls = Call.objects.for_user(request.user).select_related("programme")
    return render(request, "recognition/calls.html", {
        "calls": calls, "can_manage": can_manage_rounds(request.user),
        "assignments": Assignment.objects.for_user(request.user).exists(),
    })


@login_required
def call_create_view(request: HttpRequest) -> HttpResponse:
    _province_only(request)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        thresholds = ([(data["threshold_indicator"].code, data["threshold_minimum"])]
                      if data["threshold_indicator"] else [])
        try:
            call = call_create(
                actor=request.user, programme=data["programme"], title=data["title"],
                tier_sought=data["tier_sought"], quota=data["quota"], deadline=data["deadline"],
                data_year=data["data_year"], quantitative_weight=data["quantitative_weight"],
                aspect_weights={code: data[f"weight_{code}"] for code in ASPECT_CODES},
                quantitative_indicators=[i.code for i in data["quantitative_indicators"]], thresholds=thresholds)
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("批次已创建（草拟），发布后开始申报"))
            return redirect("recognition:call", pk=call.pk)
    return render(request, "recognition/form.html", {"form": form, "title": _("新建赛马认定批次")})


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.for_user(request.user).select_related("programme"), pk=pk)
    applications = (Application.objects.for_user(request.user).filter(call=call).select_related("cluster")
                    .prefetch_related("objections").order_by("rank", "cluster__name"))
    province = can_manage_rounds(request.user)
    return render(request, "recognition/call.html", {
        "call": call, "applications": applications, "can_manage": province,
        "thresholds": call.thresholds.select_related("indicator"),
        "weights": [(label, call.aspect_weights.get(code)) for code, label in ASPECTS],
        "next": [CallStatus(s) for s in TRANSITIONS[call.status] if s != CallStatus.CANCELLED] if province else [],
        "can_cancel": province and CallStatus.CANCELLED in TRANSITIONS[call.status],
        "cancel_form": CancelForm(),
        "published": call.status in (CallStatus.PUBLICITY, CallStatus.DONE),
        "can_apply": call.status == CallStatus.OPEN and is_applicant_role(request.user),
    })


@login_required
@require_POST
def call_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the call one step of its TRANSITIONS (the province)."""
    call = get_object_or_404(Call.objects.for_user(request.user), pk=pk)
    if not can_manage_rounds(request.user):
        raise PermissionDenied(_("赛马认定由省级管理员组织，您无权进行此操作。"))
    form = MoveForm(request.POST)
    if not form.is_valid() or form.cleaned_data["to"] not in MOVES:
        messages.error(request, _("未知的操作"))
        return redirect("recognition:call", pk=pk)
    to = form.cleaned_data["to"]
    try:
        if to == CallStatus.CANCELLED:
            cancel = CancelForm(request.POST)
            if not cancel.is_valid():
                raise ValidationError([e for errors in cancel.errors.values() for e in errors])
            MOVES[to](actor=request.user, call=call, reason=cancel.cleaned_data["reason"])
        elif to == CallStatus.PUBLICITY:
            call_publicise(actor=request.user, call=call, objection_until=form.cleaned_data["objection_until"])
        else:
            MOVES[to](actor=request.user, call=call)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("批次已进入“%(status)s”") % {"status": CallStatus(to).label})
    return redirect("recognition:call", pk=pk)


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """A cluster organisation or city officer applies for one of its clusters."""
    call = get_object_or_404(Call.objects.for_user(request.user).select_related("programme"), pk=pk)
    if not is_applicant_role(request.user):
        if request.method == "POST":
            raise PermissionDenied(_("只有集群促进机构或市级用户可以申报。"))
        messages.error(request, _("只有集群促进机构或市级用户可以申报。"))
        return redirect("recognition:call", pk=pk)
    if call.status != CallStatus.OPEN:
        messages.error(request, _("批次“%(call)s”当前为“%(status)s”，不受理申报") % {
            "call": call.title, "status": call.get_status_display()})
        return redirect("recognition:call", pk=pk)
    clusters = Cluster.objects.for_user(request.user).filter(programme=call.programme).exclude(
        recognition_applications__call=call)
    clusters = clusters.filter(pk__in=[c.pk for c in clusters if can_apply_for(request.user, c)])
    form = ApplicationForm(request.POST or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = application_create(actor=request.user, call=call, cluster=data["cluster"],
                                             texts={code: data[code] for code in ASPECT_CODES})
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            if application.eligible:
                messages.success(request, _("申报已提交，资格审查通过"))
            else:
                messages.warning(request, _("申报已提交，但未通过资格审查，详见下方"))
            return redirect("recognition:application", pk=application.pk)
    return render(request, "recognition/form.html", {
        "form": form, "title": _("申报：%(call)s") % {"call": call.title}, "call": call})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.for_user(request.user).select_related("call__programme", "cluster"), pk=pk)
    province = can_manage_rounds(request.user)
    call = application.call
    return render(request, "recognition/application.html", {
        "application": application, "call": call, "can_manage": province,
        "assignments": application.assignments.select_related("expert") if province else [],
        "objections": application.objections.all(),
        "published": call.status in (CallStatus.PUBLICITY, CallStatus.DONE),
        "can_object": province and call.status == CallStatus.PUBLICITY,
        "objection_form": ObjectionForm(), "aspects": ASPECTS,
    } | _attachments_context(request, application))


def _attachments_context(request: HttpRequest, application: Application, form: AttachmentForm | None = None) -> dict:
    editable = not attachment_refusal(request.user, application)
    return {"attachments": application.attachments.all(), "can_attach": editable,
            "attachment_form": (form or AttachmentForm()) if editable else None}


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant adds a file to its application (申报中, before the deadline)."""
    application = get_object_or_404(
        Application.objects.for_user(request.user).select_related("call__programme", "cluster"), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    try:
        upload = form.cleaned_data["file"] if form.is_valid() else None
        attachment = attachment_add(actor=request.user, application=application, upload=upload)
    except ValidationError as exc:  # PermissionDenied is a 403
        _refused(request, exc)
    else:
        messages.success(request, _("附件“%(name)s”已上传") % {"name": attachment.name})
    return redirect("recognition:application", pk=pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, to whoever sees its application; as a download, never shown inline, and recorded."""
    attachment = get_object_or_404(Attachment.objects.for_user(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    attachment_downloaded(actor=request.user, attachment=attachment, ip=request.META.get("REMOTE_ADDR"))
    return attachment_response(attachment, handle)


def attachment_response(attachment: Attachment, handle) -> FileResponse:
    from jiqun.recognition.attachments import KINDS

    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type=KINDS[attachment.kind].content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant deletes a file of its application (申报中, before the deadline)."""
    attachment = get_object_or_404(Attachment.objects.for_user(request.user).select_related("application"), pk=pk)
    try:
        attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("附件“%(name)s”已删除") % {"name": attachment.name})
    return redirect("recognition:application", pk=attachment.application_id)


@login_required
@require_POST
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The province records an objection received during 公示."""
    application = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    form = ObjectionForm(request.POST)
    if not can_manage_rounds(request.user):
        raise PermissionDenied(_("异议由省级管理员登记。"))
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("recognition:application", pk=pk)
    try:
        objection_record(actor=request.user, application=application, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("异议已登记"))
    return redirect("recognition:application", pk=pk)


@login_required
@require_POST
def objection_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The province answers an objection on this application."""
    application = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    if not can_manage_rounds(request.user):
        raise PermissionDenied(_("异议由省级管理员答复。"))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写答复内容"))
        return redirect("recognition:application", pk=pk)
    objection = get_object_or_404(application.objections, pk=form.cleaned_data["objection"])
    try:
        objection_answer(actor=request.user, objection=objection, answer=form.cleaned_data["answer"])
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("异议已答复"))
    return redirect("recognition:application", pk=pk)


@login_required
def expert_library(request: HttpRequest) -> HttpResponse:
    """The province's expert library: add experts and their declared conflicts."""
    _province_only(request)
    kind = request.POST.get("form") if request.method == "POST" else None
    expert_form = ExpertForm(request.POST if kind == "expert" else None, prefix="expert")
    conflict_form = ConflictForm(request.POST if kind == "conflict" else None, prefix="conflict")
    if kind == "expert" and expert_form.is_valid():
        try:
            expert_create(actor=request.user, **expert_form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _form_error(expert_form, exc)
        else:
            messages.success(request, _("专家已加入专家库"))
            return redirect("recognition:experts")
    if kind == "conflict" and conflict_form.is_valid():
        try:
            conflict_declare(actor=request.user, **conflict_form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _form_error(conflict_form, exc)
        else:
            messages.success(request, _("回避申报已登记"))
            return redirect("recognition:experts")
    experts = Expert.objects.select_related("city", "user").prefetch_related("conflicts__cluster")
    return render(request, "recognition/experts.html", {
        "experts": experts, "expert_form": expert_form, "conflict_form": conflict_form})


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign experts to the eligible applications of a call; those who must stand aside are shown why."""
    _province_only(request)
    call = get_object_or_404(Call.objects.for_user(request.user), pk=pk)
    if request.method == "POST":
        form = AssignForm(request.POST)
        if form.is_valid():
            application = get_object_or_404(call.applications, pk=form.cleaned_data["application"])
            try:
                assignment_create(actor=request.user, application=application, expert=form.cleaned_data["expert"])
            except (ValidationError, PermissionDenied) as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("已分配：%(expert)s → %(cluster)s") % {
                    "expert": form.cleaned_data["expert"].name, "cluster": application.cluster.name})
        else:
            messages.error(request, _("请选择专家"))
        return redirect("recognition:assign", pk=pk)
    experts = list(Expert.objects.select_related("city").prefetch_related("conflicts"))
    rows = []
    for application in call.applications.filter(eligible=True).select_related("cluster").prefetch_related(
            "cluster__regions", "assignments__expert"):
        assigned = {a.expert_id for a in application.assignments.all()}
        candidates = [(e, assignment_refusal(e, application)) for e in experts if e.pk not in assigned]
        rows.append((application, candidates))
    return render(request, "recognition/assign.html", {"call": call, "rows": rows,
                                                       "open": call.status == CallStatus.REVIEW})


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    """An expert's own assignments (the province sees all)."""
    assignments = Assignment.objects.for_user(request.user).select_related("application__call", "application__cluster",
                                                                           "expert")
    return render(request, "recognition/assignments.html", {"assignments": assignments})


@login_required
def assignment_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's scoring page: the application's texts and figures, a score (0–100) and comment per aspect."""
    assignment = get_object_or_404(
        Assignment.objects.for_user(request.user).select_related("application__call", "application__cluster",
                                                                  "expert"), pk=pk)
    application = assignment.application
    mine = can_score(request.user, assignment)
    if request.method == "POST" and not mine:
        raise PermissionDenied(_("只有被分配的评审专家本人可以评分。"))
    initial = {"version": assignment.version}
    for code, entry in (assignment.scores or {}).items():
        initial[f"score_{code}"] = entry.get("score")
        initial[f"comment_{code}"] = entry.get("comment")
    form = ScoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scores_submit(actor=request.user, assignment=assignment, base_version=data["version"],
                          scores={code: data[f"score_{code}"] for code in ASPECT_CODES},
                          comments={code: data[f"comment_{code}"] for code in ASPECT_CODES})
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("评分已提交，加权得分 %(total)s") % {"total": assignment.total})
            return redirect("recognition:assignment", pk=pk)
    rows = [(label, getattr(application, code), form[f"score_{code}"], form[f"comment_{code}"])
            for code, label in ASPECTS]
    return render(request, "recognition/score.html", {
        "assignment": assignment, "application": application, "form": form, "rows": rows,
        "can_score": mine and application.call.status == CallStatus.REVIEW,
        "weights": application.call.aspect_weights, "attachments": application.attachments.all(),
    })
