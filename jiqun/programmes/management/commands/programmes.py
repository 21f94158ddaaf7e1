"""`jiqun programmes list|show CODE|load FILE|check`: the programme packs and what they set."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
            self.stdout.write(_("没有已载入的培育工程。运行 `jiqun demo` 载入演示省份。"))
        for p in programmes:
            self.stdout.write(
                _("%(code)-14s %(name)s  %(document)s  %(start)s-%(end)s  目标 %(targets)s 项  集群 %(clusters)s 个")
                % {"code": p.code, "name": p.name, "document": p.document_number or _("（无文号）"),
                   "start": p.period_start, "end": p.period_end, "targets": p.targets.count(),
                   "clusters": p.clusters.count()}
            )

    def do_show(self, code: str, **options) -> None:
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            known = "、".join(Programme.objects.values_list("code", flat=True)) or _("无")
            raise CommandError(_("培育工程 %(code)s 不存在（已载入：%(known)s）") % {"code": code, "known": known})
        self.stdout.write(f"{programme.code} {programme.name}")
        self.stdout.write(f"  {programme.document_title} {programme.document_number}")
        self.stdout.write(_("  期限 %(start)s-%(end)s") % {"start": programme.period_start, "end": programme.period_end})
        self.stdout.write(_("目标："))
        for t in programme.targets.select_related("indicator", "programme", "subject_cluster", "subject_region"):
            self.stdout.write(
                _("  %(code)-5s %(label)s：%(subject)s %(comparator)s%(value)s%(unit)s（%(year)s年）  依据 %(citation)s")
                % {"code": t.code, "label": t.label, "subject": t.subject_display, "comparator": t.comparator_display,
                   "value": f"{t.value.normalize():f}", "unit": t.unit, "year": t.year, "citation": t.citation}
            )
            if t.aspiration:
                self.stdout.write(_("        （文件表述为“%(word)s”，非约束性目标）") % {"word": t.aspiration})
            if t.note:
                self.stdout.write(_("        说明：%(note)s") % {"note": t.note})
        rules = (programme.evaluation or {}).get("rules") or []
        if rules:
            self.stdout.write(_("考核奖惩："))
            for rule in rules:
                yearly = _("（每年）") if rule.get("yearly") else ""
                self.stdout.write(_("  %(code)-5s %(name)s%(yearly)s  依据 %(number)s %(clause)s")
                                  % {"code": rule["code"], "name": rule["name"], "yearly": yearly,
                                     "number": programme.document_number or programme.document_title,
                                     "clause": rule.get("clause") or ""})
        tasks = programme.tasks.all()
        if tasks:
            self.stdout.write(_("任务："))
            for task in tasks:
                # Only the units the document names: a document that lists only 责任单位 has no 牵头单位.
                units = []
                if task.lead_units:
                    units.append(_("牵头 %(units)s") % {"units": "、".join(task.lead_units)})
                if task.responsible_units:
                    units.append(_("责任 %(units)s") % {"units": "、".join(task.responsible_units)})
                self.stdout.write(_("  %(code)-5s %(title)s  %(units)s  依据 %(citation)s")
                                  % {"code": task.code, "title": task.title, "units": "  ".join(units),
                                     "citation": task.citation})

    def _indicator_params(self) -> dict[str, list[str]]:
        return {spec.code: spec.params for spec in indicators_parse()}

    def do_load(self, file: str, **options) -> None:
        try:
            parsed = pack_parse(Path(file), self._indicator_params())
            programme = pack_install(actor=None, parsed=parsed)
        except PackError as exc:
            raise CommandError(_("数据包有误，未写入任何数据：\n%(problems)s") % {"problems": exc}) from exc
        self.stdout.write(self.style.SUCCESS(_("已载入 %(code)s %(name)s") % {"code": programme.code, "name": programme.name}))

    def do_check(self, **options) -> None:
        params = self._indicator_params()
        problems = []
        for path in pack_files():
            try:
                parsed = pack_parse(path, params)
                spec = parsed.spec
                self.stdout.write(_("%(file)s: %(clusters)s 集群, %(targets)s 目标, %(tasks)s 任务")
                                  % {"file": path.name, "clusters": len(spec.clusters), "targets": len(spec.targets),
                                     "tasks": len(spec.tasks)})
            except PackError as exc:
                problems.append(str(exc))
        if problems:
            raise CommandError("\n".join(problems))
