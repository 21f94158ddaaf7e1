"""Pages for targets and supervision: progress per programme and per subject, one target with the figures
behind it, tasks (督导) with their updates and overdue list, and chain checklists (九个一)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster
from jiqun.core.downloads import xlsx_response
from jiqun.core.text import has_control_characters
from jiqun.programmes.models import Programme, SubjectKind
from jiqun.regions.selectors import regions_for
from jiqun.targets.excel import build_targets_workbook
from jiqun.targets.figures import ProgrammeData
from jiqun.targets.forms import (
    ChecklistChainForm,
    ChecklistCreateForm,
    EvidenceForm,
    TargetFilterForm,
    TargetOverrideForm,
    TaskUpdateForm,
)
from jiqun.targets.models import ChecklistEvidence, ProgressStatus, TaskStatus, TaskUpdate
from jiqun.targets.permissions import can_adjust_target, can_fill_checklist, task_units
from jiqun.targets.selectors import (
    Visibility,
    assess_target,
    status_counts,
    subject_for,
    target_for,
    target_rows,
)
from jiqun.targets.services import (
    checklist_chain_set,
    checklist_create,
    checklist_evidence_set,
    target_override_clear,
    target_override_set,
    task_update_create,
)
from jiqun.targets.structure import programme_structure
from jiqun.targets.supervision import (
    checklist_lines,
    checklist_programmes,
    completeness,
    sheets_for,
    task_rows,
    tasks_for,
)


def _programme_or_404(code: str) -> Programme:
    if has_control_characters(code):  # not a programme code (PostgreSQL could not even look it up)
        raise Http404
    return get_object_or_404(Programme, code=code)


def _filters(request: HttpRequest) -> tuple[TargetFilterForm, dict]:
    """The filter form and what it asks for; a bad field is reported and left out, never guessed."""
    form = TargetFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return form, {
        "as_of": data.get("as_of") or datetime.date.today(),
        "statuses": data.get("status") or None,
        "subject_kind": data.get("subject") or None,
        "year": data.get("year"),
    }


def _apply_errors(form: Form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, wanted = _filters(request)
    rows = target_rows(request.user, as_of=wanted["as_of"])
    programmes = []
    for programme in Programme.objects.all():
        mine = [r for r in rows if r.target.programme_id == programme.pk]
        programmes.append({"programme": programme, "total": len(mine), "counts": status_counts(mine)})
    tasks = task_rows(tasks_for(request.user))
    return render(request, "targets/overview.html", {
        "form": form, "as_of": wanted["as_of"], "programmes": programmes, "counts": status_counts(rows),
        "task_total": len(tasks), "task_overdue": sum(1 for t in tasks if t.overdue),
        "task_done": sum(1 for t in tasks if t.status == TaskStatus.COMPLETED),
        "statuses": ProgressStatus.choices,
    })


def _table_context(request: HttpRequest, rows_all, wanted: dict) -> dict:
    statuses = wanted["statuses"]
    rows = [r for r in rows_all if not statuses or r.result.status in statuses]
    return {"rows": rows, "counts": status_counts(rows_all), "as_of": wanted["as_of"], "statuses": ProgressStatus.choices,
            "subjects": SubjectKind.choices, "query": request.GET.urlencode(), "selected": statuses or []}


@login_required
def programme_targets(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme_or_404(code)
    form, wanted = _filters(request)
    rows_all = target_rows(request.user, as_of=wanted["as_of"], programme=programme,
                           subject_kind=wanted["subject_kind"], year=wanted["year"])
    structure = None
    if Visibility(request.user).programme_totals(programme):
        every = rows_all if not (wanted["subject_kind"] or wanted["year"]) else target_rows(
            request.user, as_of=wanted["as_of"], programme=programme)
        structure = programme_structure(programme, every, wanted["as_of"])
    context = _table_context(request, rows_all, wanted)
    context.update({"programme": programme, "form": form, "structure": structure,
                    "tasks": task_rows(tasks_for(request.user).filter(programme=programme))})
    return render(request, "targets/programme.html", context)


@login_required
def programme_export(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme_or_404(code)
    form, wanted = _filters(request)
    rows = [r for r in target_rows(request.user, as_of=wanted["as_of"], programme=programme,
                                   subject_kind=wanted["subject_kind"], year=wanted["year"])
            if not wanted["statuses"] or r.result.status in wanted["statuses"]]
    tasks = task_rows(tasks_for(request.user).filter(programme=programme))
    content = build_targets_workbook(rows=rows, tasks=tasks, as_of=wanted["as_of"],
                                     title=f"{programme.name} 目标进度与任务督导",
                                     user_name=request.user.get_full_name() or request.user.username)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=programme,
                 object_repr=f"目标进度 {programme.code} 截至{wanted['as_of']}（{len(rows)} 行）")
    return xlsx_response(content, f"目标进度-{programme.code}-{wanted['as_of']:%Y%m%d}.xlsx")


@login_required
def subject_targets(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    subject = subject_for(request.user, kind, key)
    if subject is None:
        raise Http404
    form, wanted = _filters(request)
    rows_all = target_rows(request.user, as_of=wanted["as_of"], subject=subject, year=wanted["year"])
    context = _table_context(request, rows_all, wanted)
    context.update({"subject": subject, "form": form})
    return render(request, "targets/subject.html", context)


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = target_for(request.user, pk, request.GET)
    if found is None:
        raise Http404
    target, subject = found
    form, wanted = _filters(request)
    can_adjust = can_adjust_target(request.user)
    override_form = None
    if can_adjust:
        initial = {}
        override = getattr(target, "override", None)
        if override is not None:
            initial = {f: getattr(override, f) for f in ("value", "year", "comparator", "baseline_value",
                                                          "baseline_year", "reason")}
        override_form = TargetOverrideForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not can_adjust:  # the target is in scope (else 404 above): refusing says nothing new
            raise PermissionDenied(_("只有省级管理员可以调整目标"))
        try:
            if request.POST.get("action") == "clear":
                target_override_clear(actor=request.user, target=target)
                messages.success(request, _("已恢复文件原定目标"))
                return redirect(request.get_full_path())
            if override_form.is_valid():
                target_override_set(actor=request.user, target=target, **override_form.cleaned_data)
                messages.success(request, _("已调整目标，原定数值仍保留"))
                return redirect(request.get_full_path())
        except ValidationError as exc:
            _apply_errors(override_form, exc)
    target.refresh_from_db()
    row = assess_target(target, subject, ProgrammeData(target.programme, wanted["as_of"]), wanted["as_of"])
    history = []
    if getattr(target, "override", None) is not None:
        history = list(target.override.history.all()[:20])
    return render(request, "targets/detail.html", {
        "row": row, "target": target, "form": form, "override_form": override_form, "as_of": wanted["as_of"],
        "history": history,
    })


# --- tasks -----------------------------------------------------------------------------------------

@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    tasks = tasks_for(request.user)
    programme = request.GET.get("programme", "")
    if has_control_characters(programme):  # no programme code holds one: show the filter matching nothing
        tasks = tasks.none()
    elif programme:
        tasks = tasks.filter(programme__code=programme)
    rows = task_rows(tasks)
    status = request.GET.get("status", "")
    if status in TaskStatus.values:
        rows = [r for r in rows if r.status == status]
    if request.GET.get("overdue"):
        rows = [r for r in rows if r.overdue]
    return render(request, "targets/tasks.html", {
        "rows": rows, "statuses": TaskStatus.choices, "status": status, "programme": programme,
        "programmes": Programme.objects.filter(tasks__in=tasks_for(request.user)).distinct(),
        "overdue": bool(request.GET.get("overdue")),
    })


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(tasks_for(request.user), pk=pk)
    units = task_units(request.user, task)
    form = TaskUpdateForm(request.POST or None, request.FILES or None, units=units) if units else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有该任务的牵头单位或责任单位可以报送进展"))
        if form.is_valid():
            try:
                task_update_create(actor=request.user, task=task, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已报送进展"))
                return redirect("targets:task", pk=task.pk)
    (row,) = task_rows(tasks_for(request.user).filter(pk=task.pk))
    return render(request, "targets/task.html", {
        "row": row, "task": task, "form": form,
        "updates": TaskUpdate.objects.for_user(request.user).filter(task=task).select_related("region"),
    })


def _file_response(field, name: str) -> FileResponse:
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=name or "附件")


@login_required
def task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(TaskUpdate.objects.for_user(request.user), pk=pk)
    return _file_response(update.evidence_file, update.evidence_name)


# --- chain checklists ------------------------------------------------------------------------------

def _chains_for(user, clusters):
    """The chains a sheet of these clusters may be attached to: those the user sees that serve one of them."""
    from jiqun.chains.models import Chain

    return Chain.objects.for_user(user).filter(clusters__in=clusters).distinct().select_related("region")


def _checklist_form(request: HttpRequest, programme: Programme) -> ChecklistCreateForm | None:
    clusters = Cluster.objects.for_user(request.user).filter(programme=programme)
    regions = regions_for(request.user)
    if request.user.is_read_only or not clusters.exists() or not regions.exists():
        return None
    return ChecklistCreateForm(request.POST or None, clusters=clusters, regions=regions,
                               chains=_chains_for(request.user, clusters))


@login_required
def checklist_list(request: HttpRequest) -> HttpResponse:
    programmes = list(checklist_programmes())
    sections = []
    for programme in programmes:
        items = programme.checklist_items.filter(applies_to="chain").order_by("id")
        code = items[0].checklist_code if items else ""
        form = _checklist_form(request, programme)
        if request.method == "POST" and request.POST.get("programme") == programme.code:
            if form is None:
                raise Http404
            if form.is_valid():
                try:
                    sheet = checklist_create(actor=request.user, programme=programme, checklist_code=code,
                                             **form.cleaned_data)
                except (ValidationError, PermissionDenied) as exc:
                    if isinstance(exc, PermissionDenied):
                        form.add_error("region", str(exc))
                    else:
                        _apply_errors(form, exc)
                else:
                    messages.success(request, _("已建立清单"))
                    return redirect("targets:checklist", pk=sheet.pk)
        sheets = [(s, completeness(checklist_lines(s))) for s in
                  sheets_for(request.user).filter(programme=programme).prefetch_related("entries")]
        sections.append({"programme": programme, "items": items, "form": form, "sheets": sheets,
                         "name": items[0].checklist_name if items else ""})
    return render(request, "targets/checklists.html", {"sections": sections})


@login_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(sheets_for(request.user), pk=pk)
    can_fill = can_fill_checklist(request.user, sheet)
    errors: dict[str, list[str]] = {}
    chains = _chains_for(request.user, Cluster.objects.filter(pk=sheet.cluster_id))
    link_form = None
    if can_fill:
        link_form = ChecklistChainForm(request.POST if request.POST.get("action") == "link" else None,
                                       chains=chains, initial={"chain": sheet.chain_record_id,
                                                               "base_version": sheet.version})
    if request.method == "POST":
        if not can_fill:  # the sheet is in scope (else 404 above): refusing says nothing new
            raise PermissionDenied(_("只有责任县市区或其上级、集群促进机构可以填报该清单"))
        if request.POST.get("action") == "link":
            if link_form.is_valid():
                try:
                    checklist_chain_set(actor=request.user, sheet=sheet, **link_form.cleaned_data)
                except ValidationError as exc:
                    _apply_errors(link_form, exc)
                else:
                    messages.success(request, _("已关联产业链"))
                    return redirect("targets:checklist", pk=sheet.pk)
            return _checklist_page(request, sheet, can_fill, errors, link_form)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                checklist_evidence_set(actor=request.user, sheet=sheet, **form.cleaned_data)
            except ValidationError as exc:
                errors[form.cleaned_data["item_code"]] = exc.messages
            else:
                messages.success(request, _("已保存"))
                return redirect("targets:checklist", pk=sheet.pk)
        else:
            errors[request.POST.get("item_code", "")] = [m for ms in form.errors.values() for m in ms]
    return _checklist_page(request, sheet, can_fill, errors, link_form)


def _checklist_page(request: HttpRequest, sheet, can_fill: bool, errors: dict, link_form) -> HttpResponse:
    from jiqun.chains.models import Chain

    lines = checklist_lines(sheet)
    # The chain as the user may see it: a linked chain out of the user's scope is named, not linked to.
    chain = Chain.objects.for_user(request.user).filter(pk=sheet.chain_record_id).select_related("region").first()
    return render(request, "targets/checklist.html", {
        "sheet": sheet, "lines": lines, "score": completeness(lines), "can_fill": can_fill, "errors": errors,
        "done": sum(1 for line in lines if line.done), "chain": chain, "link_form": link_form,
    })


@login_required
def checklist_evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(ChecklistEvidence.objects.for_user(request.user), pk=pk)
    return _file_response(entry.evidence_file, entry.evidence_name)
