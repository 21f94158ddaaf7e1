"""Excel in and out for the project library: the template a city fills, and the filtered list as .xlsx.

The template and the export have one layout (COLUMNS), so an exported workbook can be corrected and uploaded
again. The sheet starts with a title and an information line; the header is on row 3 and projects follow.
A project's stage is not typed: it is the last of the stage dates filled (入库、储备、开工、竣工、投产), since
the date a stage was reached is its evidence; the 所处阶段 column is shown for reading and checked on import.
Lists of the user's own regions, parks and clusters feed the cells' drop-downs (hidden sheet _lists).

Workbooks are written with xlsxwriter with `strings_to_formulas=False`, and user text beginning with
= + - @ is written after an apostrophe so no spreadsheet runs it (formula injection).
"""

import datetime
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter.utility import xl_col_to_name

from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.core.text import whole_number
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text
from jiqun.projects.models import EXITS, MajorLevel, Project, ProjectKind, Stage
from jiqun.regions.models import Region, Zone, within_q

TEMPLATE_ID = "jiqun-projects"
TEMPLATE_VERSION = "1"
DATA_SHEET = "项目库"
GUIDE_SHEET = "填报说明"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
HEADER_ROW = 2  # 0-based: title, information line, header
FIRST_DATA_ROW = 3
LIST_SEPARATORS = ("、", "，", ",", ";", "；")
YES, NO = gettext_lazy("是"), gettext_lazy("否")
# The stage dates in order: each column is the day the project reached that main-line stage.
STAGE_DATE_COLUMNS = (
    ("planning_on", Stage.PLANNING), ("reserve_on", Stage.RESERVE), ("started_on", Stage.STARTED),
    ("completed_on", Stage.COMPLETED), ("producing_on", Stage.PRODUCING),
)


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy: the header in the user's language
    width: int
    required: bool = False
    kind: str = "text"  # text, number, date, list


COLUMNS: tuple[Column, ...] = (
    Column("code", gettext_lazy("项目编号"), 18),
    Column("name", gettext_lazy("项目名称"), 30, True),
    Column("clusters", gettext_lazy("所属集群"), 24, kind="list"),
    Column("segment", gettext_lazy("产业链环节"), 14),
    Column("region", gettext_lazy("所在县市区"), 14, True, "list"),
    Column("zone", gettext_lazy("所在园区"), 20, kind="list"),
    Column("investor", gettext_lazy("投资主体"), 24, True),
    Column("total_investment", gettext_lazy("总投资（万元）"), 14, True, "number"),
    Column("year_plan", gettext_lazy("本年计划投资（万元）"), 14, kind="number"),
    Column("kind", gettext_lazy("项目类型"), 14, True, "list"),
    Column("is_major", gettext_lazy("重大项目"), 8, kind="list"),
    Column("major_level", gettext_lazy("重大项目级别"), 12, kind="list"),
    Column("leader", gettext_lazy("包保领导"), 12),
    Column("service_unit", gettext_lazy("服务专班/责任单位"), 18),
    Column("source", gettext_lazy("项目来源"), 18),
    Column("signed_on", gettext_lazy("签约日期"), 12, kind="date"),
    Column("stage", gettext_lazy("所处阶段"), 10, kind="list"),
    Column("planning_on", gettext_lazy("入库日期"), 12, kind="date"),
    Column("reserve_on", gettext_lazy("储备日期"), 12, kind="date"),
    Column("started_on", gettext_lazy("开工日期"), 12, kind="date"),
    Column("completed_on", gettext_lazy("竣工日期"), 12, kind="date"),
    Column("producing_on", gettext_lazy("投产日期"), 12, kind="date"),
    Column("planned_start_on", gettext_lazy("计划开工日期"), 12, kind="date"),
    Column("planned_completion_on", gettext_lazy("计划竣工日期"), 12, kind="date"),
    Column("planned_production_on", gettext_lazy("计划投产日期"), 12, kind="date"),
    Column("description", gettext_lazy("建设内容"), 30),
    Column("version", gettext_lazy("版本（勿改）"), 8, kind="number"),
)
INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
# A row in the template may hold projects of this many rows; more is refused (split the file).
MAX_ROWS = 5000


def column_letter(key: str) -> str:
    return xl_col_to_name(INDEX[key])


# --- what the user may pick -------------------------------------------------------------------------

def cluster_label(cluster: Cluster, shared: bool) -> str:
    """A cluster as the sheet names it: its name, with its programme when another visible cluster has that name."""
    return f"{cluster.name}（{cluster.programme.code}）" if shared else cluster.name


@dataclass
class Choices:
    """The regions, parks and clusters a user may put a project in, by the names the sheet shows."""

    regions: dict[str, Region]  # name → region; a name shared by two regions in scope is keyed by its code
    zones: dict[str, Zone]
    clusters: dict[str, list[Cluster]]  # name → clusters of that name (two programmes may share one)

    @classmethod
    def for_user(cls, user) -> "Choices":
        from jiqun.accounts.models import Role
        from jiqun.accounts.scoping import visible_prefix

        prefix = visible_prefix(user) if user is not None else ""
        regions = Region.objects.all() if not prefix else Region.objects.filter(code__startswith=prefix)
        if user is not None and user.role not in (Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER):
            regions = regions.none()
        named: dict[str, Region] = {}
        counts: dict[str, int] = {}
        listed = list(regions.order_by("code"))
        for region in listed:
            counts[region.name] = counts.get(region.name, 0) + 1
        for region in listed:
            named[region.name if counts[region.name] == 1 else f"{region.name}（{region.code}）"] = region
        zones = Zone.objects.all() if not prefix else Zone.objects.filter(within_q("region__code", prefix))
        if user is not None and not listed:
            zones = zones.none()
        clusters = Cluster.objects.exclude(status=ClusterStatus.EXITED)
        if user is not None:
            clusters = clusters.for_user(user)
        listed_clusters = list(clusters.select_related("programme").order_by("name", "pk"))
        shared: dict[str, int] = {}
        for cluster in listed_clusters:
            shared[cluster.name] = shared.get(cluster.name, 0) + 1
        by_name: dict[str, list[Cluster]] = {}
        for cluster in listed_clusters:
            # Two programmes may each have a cluster of one name: the sheet tells them apart by programme.
            by_name.setdefault(cluster_label(cluster, shared[cluster.name] > 1), []).append(cluster)
        return cls(named, {z.name: z for z in zones.order_by("name")}, by_name)

    def cluster_name(self, cluster: Cluster) -> str:
        for name, found in self.clusters.items():
            if any(c.pk == cluster.pk for c in found):
                return name
        return cluster.name

    def region_name(self, region: Region) -> str:
        for name, r in self.regions.items():
            if r.pk == region.pk:
                return name
        return region.name


# --- rows as the sheet shows them ---------------------------------------------------------------------

def _day(value: datetime.date | None):
    return value if value else ""


def project_row(project: Project, year: int, choices: Choices | None = None) -> dict[str, object]:
    """One project as a row of the sheet (keys of COLUMNS); the stage dates from its events."""
    reached: dict[str, datetime.date] = {}
    for event in sorted(project.events.all(), key=lambda e: (e.reached_on, e.at, e.pk)):
        reached[event.to_stage] = event.reached_on
    plan = next((p.planned for p in project.year_plans.all() if p.year == year), None)
    region = choices.region_name(project.region) if choices else project.region.name
    return {
        "code": project.code, "name": project.name,
        "clusters": "、".join(sorted(choices.cluster_name(c) if choices else c.name for c in project.clusters.all())),
        "segment": project.segment,
        "region": region, "zone": project.zone.name if project.zone else "", "investor": project.investor_label,
        "total_investment": project.total_investment, "year_plan": plan if plan is not None else "",
        "kind": project.get_kind_display(), "is_major": str(YES if project.is_major else NO),
        "major_level": project.get_major_level_display() if project.major_level else "",
        "leader": project.leader, "service_unit": project.service_unit, "source": project.source,
        "signed_on": _day(project.signed_on), "stage": project.get_stage_display(),
        **{key: _day(reached.get(stage)) for key, stage in STAGE_DATE_COLUMNS},
        "planned_start_on": _day(project.planned_start_on), "planned_completion_on": _day(project.planned_completion_on),
        "planned_production_on": _day(project.planned_production_on), "description": project.description,
        "version": project.version,
    }


def rows_queryset(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("region", "zone", "investor").prefetch_related(
        "clusters", "events", "year_plans").order_by("region__code", "code")


# --- the list's filters -------------------------------------------------------------------------------

FILTERS = ("q", "stage", "kind", "region", "zone", "cluster", "major", "level")


def filter_projects(queryset: QuerySet, params) -> tuple[QuerySet, dict[str, str]]:
    """The list page's filters: text, stage, type, region (and below), park, cluster, 重大项目 and level.

    Returns the filtered queryset and {parameter: problem} for values that are not understood (ignored)."""
    problems: dict[str, str] = {}
    text = (params.get("q") or "").strip()
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(code__icontains=text))
    stage = params.get("stage") or ""
    if stage:
        if stage in Stage.values:
            queryset = queryset.filter(stage=stage)
        else:
            problems["stage"] = _("没有“%(value)s”这一阶段") % {"value": stage}
    kind = params.get("kind") or ""
    if kind:
        if kind in ProjectKind.values:
            queryset = queryset.filter(kind=kind)
        else:
            problems["kind"] = _("没有“%(value)s”这一项目类型") % {"value": kind}
    region = params.get("region") or ""
    if region:
        if region.isdigit() and len(region) == 6:
            queryset = queryset.filter(within_q("region__code", region))
        else:
            problems["region"] = _("区划代码须为 6 位数字")
    for name, field in (("zone", "zone_id"), ("cluster", "clusters")):
        value = params.get(name) or ""
        if value:
            if whole_number(value) is not None:
                queryset = queryset.filter(**{field: whole_number(value)})
            else:
                problems[name] = _("须为编号（数字）")
    major = params.get("major") or ""
    if major:
        if major in ("1", "0"):
            queryset = queryset.filter(is_major=major == "1")
        else:
            problems["major"] = _("须为 1（重大项目）或 0")
    level = params.get("level") or ""
    if level:
        if level in MajorLevel.values:
            queryset = queryset.filter(major_level=level)
        else:
            problems["level"] = _("没有“%(value)s”这一级别") % {"value": level}
    return queryset.distinct(), problems


# --- the workbook -------------------------------------------------------------------------------------

def _lists(book, choices: Choices) -> dict[str, str]:
    """Write the drop-down lists to the hidden sheet; return {column key: the range its list reads}."""
    sheet = book.add_worksheet(LISTS_SHEET)
    ranges = {}
    lists = {
        "region": list(choices.regions), "zone": list(choices.zones), "clusters": list(choices.clusters),
        "kind": [str(label) for label in ProjectKind.labels],
        "major_level": [str(label) for label in MajorLevel.labels],
        "stage": [str(label) for label in Stage.labels],
        "is_major": [str(YES), str(NO)],
    }
    for col, (key, values) in enumerate(lists.items()):
        sheet.write(0, col, key)
        for row, value in enumerate(values, start=1):
            sheet.write_string(row, col, value)
        if values:
            ranges[key] = f"={LISTS_SHEET}!${xl_col_to_name(col)}$2:${xl_col_to_name(col)}${len(values) + 1}"
    sheet.hide()
    return ranges


def build_workbook(*, rows: list[dict[str, object]], choices: Choices, unit_name: str, year: int,
                   title: str, user_name: str = "") -> bytes:
    """The project-library workbook: the template (rows of the user's projects, blank rows to fill) or the export."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    title_format = book.add_format({"bold": True, "font_size": 16, "font_name": "宋体"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2"})
    required_head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                     "text_wrap": True, "bg_color": "#FCE4D6"})
    read_only_head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                      "text_wrap": True, "bg_color": "#D9D9D9"})
    text = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0.00"})
    day = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    grey = book.add_format({"border": 1, "font_color": "#666666"})

    sheet = book.add_worksheet(DATA_SHEET)
    sheet.write(0, 0, title, title_format)
    sheet.write(1, 0, _("填报单位：%(unit)s　金额单位：万元　本年：%(year)s年　生成时间：%(at)s") % {
        "unit": unit_name, "year": year, "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    for col, column in enumerate(COLUMNS):
        style = read_only_head if column.key in ("stage", "version") else required_head if column.required else head
        sheet.write(HEADER_ROW, col, str(column.label), style)
        sheet.set_column(col, col, column.width)
    sheet.set_row(HEADER_ROW, 32)
    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        for col, column in enumerate(COLUMNS):
            value = row.get(column.key, "")
            if value in ("", None):
                sheet.write_blank(r, col, None, text)
            elif column.kind == "date" and isinstance(value, datetime.date):
                sheet.write_datetime(r, col, datetime.datetime.combine(value, datetime.time()), day)
            elif isinstance(value, Decimal | int) and not isinstance(value, bool):
                sheet.write_number(r, col, float(value), grey if column.key == "version" else number)
            else:
                sheet.write_string(r, col, safe_text(str(value)), grey if column.key == "stage" else text)
    last = FIRST_DATA_ROW + len(rows) + 200  # room for new projects below the listed ones
    ranges = _lists(book, choices)
    for key, source in ranges.items():
        col = INDEX[key]
        options = {"validate": "list", "source": source, "ignore_blank": True}
        if key == "clusters":  # several clusters are joined by 、, which a list cannot check
            options.update({"error_type": "information", "error_message": _("多个集群用“、”分隔")})
        sheet.data_validation(FIRST_DATA_ROW, col, last, col, options)
    for column in COLUMNS:
        col = INDEX[column.key]
        if column.kind == "number" and column.key != "version":
            sheet.data_validation(FIRST_DATA_ROW, col, last, col, {
                "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
                "error_message": _("请填写不小于 0 的数值（万元）")})
        if column.kind == "date":
            sheet.data_validation(FIRST_DATA_ROW, col, last, col, {
                "validate": "date", "criteria": "between", "minimum": datetime.date(2000, 1, 1),
                "maximum": datetime.date(2100, 12, 31), "ignore_blank": True,
                "error_message": _("请填写日期，如 2024-03-15")})
    sheet.freeze_panes(FIRST_DATA_ROW, 2)

    guide = book.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, 110)
    lines = [
        _("重大项目库导入模板 填报说明"),
        _("1. 每行一个项目。“项目编号”已存在的行更新该项目，编号为空或系统中没有的行新建项目（编号为空时由系统生成）。"),
        _("2. 表头为橙色的列必填；金额单位为万元；日期写作 2024-03-15 或用 Excel 日期格式。"),
        _("3. 所在县市区、所在园区、所属集群、项目类型、重大项目级别请从下拉列表中选择，只能选择您管理范围内的区划、园区和集群；多个集群用“、”分隔。"),
        _("4. 阶段不直接填写：按入库、储备、开工、竣工、投产的顺序填写达到各阶段的日期，最后一个填了日期的阶段即所处阶段。阶段须逐级推进，"
          "不能跳过；已记录的阶段日期不能在导入中修改；停缓建、退出须在项目页面办理并填写原因。"),
        _("5. “所处阶段”和“版本（勿改）”两列由系统填写，导入时核对：所处阶段须与阶段日期相符；版本与系统不一致说明项目在下载后已被他人修改，请重新下载。"),
        _("6. 导入是整体的：任何一行有错误，整个文件都不导入，系统按工作表、行、列列出全部错误；改正后重新上传即可。"),
        _("7. 本年计划投资填入后记为该项目本年度的计划投资（序时进度的依据）。"),
        _("8. 每个文件最多 %(n)d 个项目；不要修改表头、插入列或改动隐藏的工作表，否则系统无法识别模板。") % {"n": MAX_ROWS},
    ]
    for r, line in enumerate(lines):
        guide.write_string(r, 0, line)

    meta = book.add_worksheet(META_SHEET)
    for r, (key, value) in enumerate({
        "template": TEMPLATE_ID, "version": TEMPLATE_VERSION, "year": str(year), "user": user_name,
        "generated": timezone.now().isoformat(timespec="seconds"),
        "columns": json.dumps([c.key for c in COLUMNS]),
    }.items()):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    meta.hide()
    meta.protect()
    book.close()
    return output.getvalue()


def unit_name_of(user) -> str:
    if user is None:
        return _("系统")
    return user.organisation or (user.region.name if getattr(user, "region_id", None) else user.username)


def template_for(user, year: int | None = None) -> bytes:
    """The template for a user: its own projects listed, its own regions, parks and clusters in the lists."""
    year = year or timezone.localdate().year
    choices = Choices.for_user(user)
    projects = rows_queryset(Project.objects.for_user(user)) if user is not None else rows_queryset(Project.objects.all())
    rows = [project_row(p, year, choices) for p in projects]
    return build_workbook(rows=rows, choices=choices, unit_name=unit_name_of(user), year=year,
                          title=_("重大项目库导入模板"), user_name=getattr(user, "username", "") or "")


def export_for(user, params, year: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The filtered list as .xlsx, in the template's layout; and the filters that were not understood."""
    year = year or timezone.localdate().year
    base = Project.objects.for_user(user) if user is not None else Project.objects.all()
    queryset, problems = filter_projects(base, params)
    choices = Choices.for_user(user)
    rows = [project_row(p, year, choices) for p in rows_queryset(queryset)]
    content = build_workbook(rows=rows, choices=choices, unit_name=unit_name_of(user), year=year,
                             title=_("重大项目库（导出）"), user_name=getattr(user, "username", "") or "")
    return content, problems


def stage_of(dates: dict[str, datetime.date | None], current: str | None = None) -> str:
    """The stage a row's dates say: the last main-line stage with a date (an exit stays as it is)."""
    if current in EXITS:
        return current
    stage = Stage.PLANNING
    for key, value in STAGE_DATE_COLUMNS:
        if dates.get(key):
            stage = value
    return stage


def pipeline_workbook(pipe, counts, *, title: str) -> bytes:
    """The pipeline's chart data as .xlsx: by cluster, by region, and the project-count targets with their basis."""
    from jiqun.projects.pipeline import PIPELINE_STAGES

    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    number = book.add_format({"num_format": "#,##0.00"})
    labels = dict(Stage.choices)
    for sheet_name, groups in ((_("按集群"), pipe.by_cluster), (_("按区划"), pipe.by_region)):
        sheet = book.add_worksheet(sheet_name)
        sheet.write(0, 0, f"{title}（{pipe.year}年）")
        header = [_("名称"), *[str(labels[s]) for s in PIPELINE_STAGES], _("项目数"), _("总投资（万元）"),
                  _("竣工及投产项目投资（万元）"), _("本年计划投资（万元）"), _("本年完成投资（万元）"), _("完成率（%）")]
        for col, text in enumerate(header):
            sheet.write(1, col, text, head)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(header), 12)
        for r, group in enumerate([*groups, pipe.total], start=2):
            sheet.write_string(r, 0, safe_text(group.name))
            for col, stage in enumerate(PIPELINE_STAGES, start=1):
                sheet.write_number(r, col, group.stages[stage])
            col = len(PIPELINE_STAGES) + 1
            sheet.write_number(r, col, group.count)
            for offset, value in enumerate((group.total_investment, group.producing_investment, group.planned,
                                            group.completed, group.completion_rate), start=1):
                if value is None:
                    sheet.write_string(r, col + offset, "—")
                else:
                    sheet.write_number(r, col + offset, float(value), number)
        if pipe.completed_reason:
            sheet.write_string(len(groups) + 3, 0, pipe.completed_reason)
    sheet = book.add_worksheet(_("目标计数"))
    for col, text in enumerate([_("目标"), _("目标内容"), _("对象"), _("当前数"), _("目标值"), _("状态"),
                                _("计入的项目"), _("投资"), _("说明")]):
        sheet.write(0, col, text, head)
    sheet.set_column(0, 8, 16)
    r = 1
    for row in counts:
        sheet.write_string(r, 0, row.target)
        sheet.write_string(r, 1, safe_text(row.label))
        sheet.write_string(r, 2, safe_text(row.subject))
        if row.value is not None:
            sheet.write_number(r, 3, float(row.value))
        sheet.write_string(r, 4, row.goal)
        sheet.write_string(r, 5, row.status)
        for basis in row.basis or [None]:
            if basis is not None:
                sheet.write_string(r, 6, safe_text(basis.label))
                if basis.value is not None:
                    sheet.write_number(r, 7, float(basis.value), number)
                sheet.write_string(r, 8, safe_text(basis.note))
            r += 1
    book.close()
    return output.getvalue()
