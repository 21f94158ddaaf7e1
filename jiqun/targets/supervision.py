"""Reads for supervision (督导): tasks with their latest status and the overdue list, and chain checklists."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from jiqun.programmes.models import ChecklistItem, Programme, Task
from jiqun.targets.models import ChainChecklist, TaskStatus, TaskUpdate

STALE_DAYS = 90  # a task with no update for a quarter shows as 久未报送


# --- tasks -----------------------------------------------------------------------------------------

def tasks_for(user):
    """Tasks the user may see (scoping.task_q)."""
    return Task.objects.for_user(user).select_related("programme", "programme__scope_region")


@dataclass
class TaskRow:
    task: Task
    status: str
    latest: TaskUpdate | None
    deadline: datetime.date
    overdue: bool
    stale: bool

    @property
    def status_label(self) -> str:
        return str(TaskStatus(self.status).label)


def task_deadline(task: Task) -> datetime.date:
    return datetime.date(task.due_year, 12, 31)


def task_rows(tasks, today: datetime.date | None = None) -> list[TaskRow]:
    """Each task with its latest update; overdue = past its year and not completed."""
    today = today or datetime.date.today()
    tasks = list(tasks.order_by("programme__period_start", "programme__code", "code"))
    latest: dict[int, TaskUpdate] = {}
    for update in TaskUpdate.objects.filter(task__in=tasks).order_by("task_id", "-reported_at", "-id"):
        latest.setdefault(update.task_id, update)
    rows = []
    for task in tasks:
        update = latest.get(task.pk)
        status = update.status if update else TaskStatus.NOT_STARTED
        deadline = task_deadline(task)
        last = update.reported_at.date() if update else None
        rows.append(TaskRow(
            task=task, status=status, latest=update, deadline=deadline,
            overdue=today > deadline and status != TaskStatus.COMPLETED,
            stale=status != TaskStatus.COMPLETED and (last is None or (today - last).days > STALE_DAYS),
        ))
    return rows


def task_status(task: Task) -> str:
    update = task.updates.order_by("-reported_at", "-id").first()
    return update.status if update else TaskStatus.NOT_STARTED


# --- checklists ------------------------------------------------------------------------------------

@dataclass
class ChecklistLine:
    item: ChecklistItem
    entry: object | None

    @property
    def done(self) -> bool:
        return bool(self.entry and self.entry.done)


def checklist_items(programme: Programme, code: str) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(programme=programme, checklist_code=code).order_by("id"))


def checklist_lines(sheet: ChainChecklist) -> list[ChecklistLine]:
    entries = {e.item_code: e for e in sheet.entries.all()}
    return [ChecklistLine(item, entries.get(item.code)) for item in checklist_items(sheet.programme, sheet.checklist_code)]


def completeness(lines: list[ChecklistLine]) -> Decimal:
    """Items in place (each with evidence) as a share of all items, %."""
    if not lines:
        return Decimal(0)
    return Decimal(sum(1 for line in lines if line.done)) * 100 / len(lines)


def checklist_programmes():
    """Programmes whose packs set a per-chain checklist."""
    return Programme.objects.filter(checklist_items__applies_to="chain").distinct()


def chain_name_key(name: str) -> str:
    """A chain's name without spaces and without the trailing 产业链/链: “工程机械产业链” on a sheet finds the
    registered chain “工程机械”. (Migration targets 0002 keeps a copy of this rule for the sheets it links.)"""
    key = "".join((name or "").split())
    for suffix in ("产业链", "链"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def chain_named(name: str, cluster):
    """The one registered chain of this name serving the cluster, or None (none, or more than one)."""
    from jiqun.chains.models import Chain

    key = chain_name_key(name)
    found = [c for c in Chain.objects.filter(clusters=cluster).order_by("pk") if chain_name_key(c.name) == key]
    return found[0] if len(found) == 1 else None


def sheets_for(user):
    return ChainChecklist.objects.for_user(user).select_related("programme", "cluster", "region", "chain_record")


def task_data(row: TaskRow) -> dict:
    task, latest = row.task, row.latest
    return {
        "id": task.pk, "programme": task.programme.code, "code": task.code, "title": task.title,
        "lead_units": task.lead_units, "responsible_units": task.responsible_units, "due_year": task.due_year,
        "deadline": row.deadline, "status": row.status, "status_label": row.status_label, "overdue": row.overdue,
        "stale": row.stale, "citation": task.citation, "clause": task.clause,
        "latest_unit": latest.unit if latest else "", "latest_at": latest.reported_at if latest else None,
        "latest_progress": latest.progress if latest else "",
    }
