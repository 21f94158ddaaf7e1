"""Pages of the AHP consultation: the province opens one on a scheme version and closes it; each invited
expert enters its pairwise judgements on its own page and sees each matrix's CR after saving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiqun.evaluation.ahp_forms import JudgementsForm, OpenConsultationForm
from jiqun.evaluation.ahp_matrices import CR_THRESHOLD
from jiqun.evaluation.ahp_services import (
    consultation_close,
    consultation_matrices,
    consultation_open,
    judgements_save,
    judgements_submit,
)
from jiqun.evaluation.models import AhpConsultation, AhpInvitation, ConsultationStatus, InvitationStatus
from jiqun.evaluation.permissions import can_consult_experts, can_enter_judgements
from jiqun.evaluation.selectors import schemes_for


@login_required
def consultation_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_for(request.user), pk=pk)
    if not can_consult_experts(request.user):
        if request.method == "POST":
            raise PermissionDenied(_("只有省级管理员可以开展层次分析法征询"))
        return redirect("evaluation:scheme", pk=pk)
    form = OpenConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = consultation_open(actor=request.user, scheme=scheme, experts=form.cleaned_data["experts"])
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, texts in errors.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            messages.success(request, _("已开启层次分析法征询，受邀专家可在“我的判断征询”中填写"))
            return redirect("evaluation:ahp", pk=consultation.pk)
    return render(request, "evaluation/ahp_open.html", {"scheme": scheme, "form": form})


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(AhpConsultation.objects.for_user(request.user).select_related("scheme"), pk=pk)
    invitations = AhpInvitation.objects.for_user(request.user).filter(consultation=consultation).select_related("expert")
    matrices = consultation_matrices(consultation)
    weights = (consultation.result or {}).get("weights", {})
    dimension_weights = (consultation.result or {}).get("dimension_weights", {})
    rows = [(dimension, dimension_weights.get(dimension), name, code, weights.get(code))
            for dimension, group in zip(consultation.structure["dimensions"], consultation.structure["groups"], strict=True)
            for code, name in group]
    return render(request, "evaluation/ahp_consultation.html", {
        "weights": rows,
        "consultation": consultation, "matrices": matrices, "threshold": CR_THRESHOLD,
        "invitations": [(inv, [inv.consistency.get(m.key) for m in matrices]) for inv in invitations],
        "may_close": can_consult_experts(request.user) and consultation.status == ConsultationStatus.OPEN})


@login_required
@require_POST
def consultation_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(AhpConsultation.objects.for_user(request.user), pk=pk)
    if not can_consult_experts(request.user):
        raise PermissionDenied(_("只有省级管理员可以结束层次分析法征询"))
    try:
        consultation_close(actor=request.user, consultation=consultation)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("征询已结束：专家判断已按几何平均集结，层次分析法权重已写入方案"))
    return redirect("evaluation:ahp", pk=pk)


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    invitations = (AhpInvitation.objects.for_user(request.user)
                   .select_related("consultation__scheme", "expert").order_by("-consultation__opened_at", "pk"))
    return render(request, "evaluation/ahp_invitations.html", {"invitations": invitations})


@login_required
def invitation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's page: one select per pair of every matrix, each matrix's CR after saving, and submit."""
    invitation = get_object_or_404(AhpInvitation.objects.for_user(request.user)
                                   .select_related("consultation__scheme", "expert"), pk=pk)
    mine = can_enter_judgements(request.user, invitation)
    if request.method == "POST" and not mine:
        raise PermissionDenied(_("只有受邀专家本人可以填写判断"))
    matrices = consultation_matrices(invitation.consultation)
    form = JudgementsForm(request.POST or None, matrices=matrices, judgements=invitation.judgements,
                          initial={"version": invitation.version})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["judgements"]:
                invitation = judgements_save(actor=request.user, invitation=invitation,
                                             judgements=form.cleaned_data["judgements"],
                                             base_version=form.cleaned_data["version"])
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for texts in errors.values():
                form.add_error(None, texts)
        else:
            if "submit" not in request.POST:
                messages.success(request, _("判断已保存；各矩阵的一致性比率见下"))
                return redirect("evaluation:invitation", pk=pk)
            try:
                judgements_submit(actor=request.user, invitation=invitation)
            except ValidationError as exc:  # what was saved stays, with each matrix's CR shown
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("判断已提交"))
            return redirect("evaluation:invitation", pk=pk)
    editable = mine and invitation.status == InvitationStatus.INVITED \
        and invitation.consultation.status == ConsultationStatus.OPEN
    return render(request, "evaluation/ahp_invitation.html", {
        "invitation": invitation, "form": form, "editable": editable, "threshold": CR_THRESHOLD,
        "tables": [(m, rows, invitation.consistency.get(m.key)) for m, rows in form.tables()]})
