"""`jiqun programmes list|show CODE|load FILE|check`: the programme packs and what they set."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiqun.programmes.models import Programme
from jiqun.programmes.packs import PackError, indicators_parse, pack_files, pack_parse
from jiqun.programmes.services import pack_install


class Command(BaseCommand):
    help = (
        "List programmes, show one with its targets and citations, load a pack file, or check every "
        "shipped pack without writing anything."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="list loaded programmes")
        show = sub.add_parser("show", help="show one programme with its targets")
        show.add_argument("code")
        load = sub.add_parser("load", help="validate and load a pack YAML file")
        load.add_argument("file")
        sub.add_parser("check", help="validate every shipped pack; writes nothing")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_list(self, **options) -> None:
        programmes = Programme.objects.all()
        if not programmes:
            self.stdout.write("没有已载入的培育工程。运行 `jiqun demo` 载入演示省份。")
        for p in programmes:
            self.stdout.write(
                f"{p.code:<14} {p.name}  {p.document_number or '（无文号）'}  {p.period_start}-{p.period_end}  "
                f"目标 {p.targets.count()} 项  集群 {p.clusters.count()} 个"
            )

    def do_show(self, code: str, **options) -> None:
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            known = "、".join(Programme.objects.values_list("code", flat=True)) or "无"
            raise CommandError(f"培育工程 {code} 不存在（已载入：{known}）")
        self.stdout.write(f"{programme.code} {programme.name}")
        self.stdout.write(f"  {programme.document_title} {programme.document_number}")
        self.stdout.write(f"  期限 {programme.period_start}-{programme.period_end}")
        self.stdout.write("目标：")
        for t in programme.targets.select_related("indicator", "programme", "subject_cluster", "subject_region"):
            self.stdout.write(
                f"  {t.code:<5} {t.label}：{t.subject_display} {t.comparator_display}{t.value.normalize():f}{t.unit}"
                f"（{t.year}年）  依据 {t.citation}"
            )
        tasks = programme.tasks.all()
        if tasks:
            self.stdout.write("任务：")
            for task in tasks:
                self.stdout.write(f"  {task.code:<5} {task.title}  牵头 {'、'.join(task.lead_units)}  依据 {task.citation}")

    def _indicator_params(self) -> dict[str, list[str]]:
        return {spec.code: spec.params for spec in indicators_parse()}

    def do_load(self, file: str, **options) -> None:
        try:
            parsed = pack_parse(Path(file), self._indicator_params())
            programme = pack_install(actor=None, parsed=parsed)
        except PackError as exc:
            raise CommandError(f"数据包有误，未写入任何数据：\n{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"已载入 {programme.code} {programme.name}"))

    def do_check(self, **options) -> None:
        params = self._indicator_params()
        problems = []
        for path in pack_files():
            try:
                parsed = pack_parse(path, params)
                spec = parsed.spec
                self.stdout.write(f"{path.name}: {len(spec.clusters)} 集群, {len(spec.targets)} 目标, {len(spec.tasks)} 任务")
            except PackError as exc:
                problems.append(str(exc))
        if problems:
            raise CommandError("\n".join(problems))
