"""The project library's pages: the list, a project, its forms (record, stage move, year plan, constraints)
and the overdue list. Every object is fetched through `for_user`, so one outside the user's scope is a 404;
every write goes through jiqun.projects.services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.projects.forms import (
    ConstraintCloseForm,
    ConstraintForm,
    ProjectFilterForm,
    ProjectForm,
    StageMoveForm,
    YearPlanForm,
)
from jiqun.projects.models import Constraint, ConstraintStatus, Project
from jiqun.projects.permissions import can_edit_project, can_edit_project_in
from jiqun.projects.selectors import ProjectFilter, overdue, project_audit, project_list, timeline
from jiqun.projects.services import (
    EDITABLE_FIELDS,
    constraint_close,
    constraint_raise,
    project_create,
    project_move_stage,
    project_plan_year,
    project_update,
)

REFUSED = gettext_lazy("您无权修改该项目；项目由所在县区、市或省级管理员维护")


def _form_error(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has that field."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, texts in errors.items():
        form.add_error(name if name in form.fields else None, texts)


def _visible(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.for_user(request.user).select_related("region", "zone", "investor"),
                             pk=pk)


def _editable(request: HttpRequest, project: Project) -> HttpResponse | None:
    """A read-only viewer is sent back to the project on GET and refused (403) on POST."""
    if can_edit_project(request.user, project):
        return None
    if request.method == "POST":
        raise PermissionDenied(str(REFUSED))
    messages.error(request, REFUSED)
    return redirect("projects:detail", pk=project.pk)


def _can_create(user) -> bool:
    return bool(user.region_id) and can_edit_project_in(user, user.region_id)


@login_required
def project_list_view(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET or None, user=request.user)
    filters = ProjectFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = ProjectFilter(cluster=data["cluster"].pk if data["cluster"] else None,
                                region=data["region"].code if data["region"] else "",
                                zone=data["zone"].pk if data["zone"] else None, stage=data["stage"],
                                kind=data["kind"], major_level=data["major_level"], q=data["q"])
    elif form.is_bound:
        messages.error(request, _("筛选条件有误：%(detail)s") % {"detail": "；".join(
            f"{form.fields[f].label}：{m}" if f in form.fields else m for f, ms in form.errors.items() for m in ms)})
    page = Paginator(project_list(request.user, filters), 30).get_page(request.GET.get("page"))
    template = "projects/_rows.html" if request.htmx else "projects/list.html"
    return render(request, template, {"form": form, "page": page, "can_create": _can_create(request.user)})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    return render(request, "projects/detail.html", {
        "project": project,
        "clusters": project.clusters.select_related("programme"),
        "timeline": timeline(project),
        "events": project.events.all(),
        "plans": project.year_plans.all(),
        "constraints": project.constraints.all(),
        "audit": project_audit(project),
        "can_edit": can_edit_project(request.user, project),
        "open_status": ConstraintStatus.OPEN,
    })


@login_required
def project_create_view(request: HttpRequest) -> HttpResponse:
    if not _can_create(request.user):
        raise Http404
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = project_create(actor=request.user, code=data["code"], clusters=data["clusters"],
                                     stage_reached_on=data["stage_reached_on"],
                                     **{name: data[name] for name in EDITABLE_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记项目“%(name)s”（%(code)s）") % {"name": project.name, "code": project.code})
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    if (back := _editable(request, project)) is not None:
        return back
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project_update(actor=request.user, project=Project.objects.get(pk=pk), base_version=data["version"],
                           clusters=data["clusters"], **{name: data[name] for name in EDITABLE_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/form.html", {"form": form, "project": project})


@login_required
def project_move(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    if (back := _editable(request, project)) is not None:
        return back
    form = StageMoveForm(request.POST or None, project=project)
    if not form.fields["to_stage"].choices:
        messages.error(request, _("项目处于“%(stage)s”，已无后续阶段") % {"stage": project.get_stage_display()})
        return redirect("projects:detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = project_move_stage(actor=request.user, project=project, to_stage=data["to_stage"],
                                       reached_on=data["reached_on"], evidence=data["evidence"],
                                       reason=data["reason"], base_version=data["version"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("项目已转入“%(stage)s”（%(day)s）") % {
                "stage": event.get_to_stage_display(), "day": event.reached_on})
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/move.html", {"form": form, "project": project})


@login_required
def project_plan(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    if (back := _editable(request, project)) is not None:
        return back
    form = YearPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project_plan_year(actor=request.user, project=project, year=data["year"], planned=data["planned"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存 %(year)s 年度计划投资") % {"year": data["year"]})
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/plan.html", {"form": form, "project": project, "plans": project.year_plans.all()})


@login_required
def constraint_raise_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    if (back := _editable(request, project)) is not None:
        return back
    form = ConstraintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            constraint_raise(actor=request.user, project=project, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记要素制约"))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/constraint.html", {"form": form, "project": project})


@login_required
def constraint_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    constraint = get_object_or_404(Constraint.objects.for_user(request.user).select_related("project"), pk=pk)
    project = constraint.project
    if (back := _editable(request, project)) is not None:
        return back
    if constraint.status != ConstraintStatus.OPEN and request.method == "GET":
        messages.error(request, _("该要素制约已是“%(status)s”") % {"status": constraint.get_status_display()})
        return redirect("projects:detail", pk=project.pk)
    form = ConstraintCloseForm(request.POST or None, initial={"version": constraint.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            constraint_close(actor=request.user, constraint=constraint, status=data["status"],
                             decision=data["decision"], decided_by=data["decided_by"],
                             decided_on=data["decided_on"], base_version=data["version"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("要素制约已关闭"))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/constraint_close.html", {"form": form, "project": project,
                                                              "constraint": constraint})


@login_required
def overdue_view(request: HttpRequest) -> HttpResponse:
    late = overdue(request.user)
    return render(request, "projects/overdue.html", {
        "late": late, "by_region": late.stages_by_region(), "by_unit": late.constraints_by_unit()})
