"""Pages that copy a scheme version, edit an unlocked one and export one as a YAML pack."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.evaluation.permissions import can_edit_scheme
from jiqun.evaluation.scheme_edit import scheme_copy, scheme_update, scheme_yaml
from jiqun.evaluation.scheme_edit_forms import SchemeCopyForm, SchemeEditForm
from jiqun.evaluation.selectors import schemes_for


def scheme_edit_context(user, scheme) -> dict:
    """What the scheme page adds for copying, editing and AHP consultations: the actions the user may take,
    and the consultations it sees with each expert's CR per matrix and the aggregate's."""
    from jiqun.evaluation.ahp_matrices import matrices_of
    from jiqun.evaluation.models import AhpConsultation, AhpInvitation

    consultations = []
    for consultation in AhpConsultation.objects.for_user(user).filter(scheme=scheme).order_by("-opened_at", "-pk"):
        matrices = matrices_of(consultation.structure)
        experts = [(inv, [inv.consistency.get(m.key) for m in matrices])
                   for inv in AhpInvitation.objects.for_user(user).filter(consultation=consultation).select_related("expert")]
        aggregate = [(consultation.result or {}).get("matrices", {}).get(m.key, {}).get("cr") for m in matrices]
        consultations.append({"consultation": consultation, "matrices": matrices, "experts": experts,
                              "aggregate": aggregate if consultation.result else None})
    return {"may_edit": can_edit_scheme(user), "consultations": consultations, "copy_form": SchemeCopyForm()}


def _province_only(request: HttpRequest) -> None:
    if not can_edit_scheme(request.user):
        raise PermissionDenied(_("只有省级管理员可以复制和修改评价方案"))


@login_required
@require_POST
def scheme_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_for(request.user), pk=pk)
    _province_only(request)
    form = SchemeCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("evaluation:scheme", pk=pk)
    try:
        copy = scheme_copy(actor=request.user, scheme=scheme, code=form.cleaned_data["code"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("evaluation:scheme", pk=pk)
    messages.success(request, _("已复制为 %(code)s 第%(v)s版（未锁定），可以修改") % {"code": copy.code, "v": copy.version})
    return redirect("evaluation:scheme_edit", pk=copy.pk)


@login_required
def scheme_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_for(request.user), pk=pk)
    if not can_edit_scheme(request.user):
        if request.method == "POST":
            raise PermissionDenied(_("只有省级管理员可以复制和修改评价方案"))
        return redirect("evaluation:scheme", pk=pk)
    if scheme.locked:
        messages.error(request, _("第%(v)s版已被发布的评价使用，不能修改；请先“复制为新版本”，再修改副本") % {"v": scheme.version})
        return redirect("evaluation:scheme", pk=pk)
    form = SchemeEditForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            scheme_update(actor=request.user, scheme=scheme, changes=form.changes(),
                          base_revision=form.cleaned_data["revision"])
        except ValidationError as exc:
            form.show_refusal(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        else:
            messages.success(request, _("评价方案已保存"))
            return redirect("evaluation:scheme", pk=pk)
    return render(request, "evaluation/scheme_edit.html", {"scheme": scheme, "form": form})


@login_required
def scheme_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_for(request.user), pk=pk)
    text = scheme_yaml(scheme)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=scheme, object_repr=f"{scheme}（YAML）")
    response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scheme.code}-v{scheme.version}.yaml"'
    return response
