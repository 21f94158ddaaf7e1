"""`jiqun chains list|show|gaps|import|export`: industry chains on the command line.

Without --user a command runs as the system (every chain, every supply link); with --user USERNAME it sees and
may change what that user sees and may change on the pages. Every refusal is a CommandError (non-zero exit)
with the reason in the user's language, and a refused import writes nothing.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.accounts.scoping import sees_supply_links
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains import excel
from jiqun.chains.analysis import Need, Rating, analyse_chain
from jiqun.chains.importer import import_chain
from jiqun.chains.models import Chain, Placement, Position
from jiqun.monitoring.importer.package import mib

HELP = (
    "Industry chains (产业链). `list [--json]` lists the chains; `show CODE [--year Y] [--json]` shows one with its "
    "segment tree, each segment's 强/弱/缺 rating and the local supporting rate; `gaps CODE [--year Y] [--json]` lists "
    "the segments to fill, strengthen or extend with the inputs of their rating; `import FILE [--chain CODE]` imports "
    "a chain workbook all or nothing (into the chain CODE names, created when none has it, or the one the file "
    "names); `export CODE -o FILE.xlsx` writes the chain's workbook. --user USERNAME acts as that user (its scope "
    "and rights); without it the command runs as the system."
)


def add_arguments(parser: CommandParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="the chains")
    show = sub.add_parser("show", help="one chain: its segments, ratings and local rate")
    show.add_argument("code", help="chain code")
    gaps = sub.add_parser("gaps", help="the segments to fill, strengthen or extend")
    gaps.add_argument("code", help="chain code")
    for command in (show, gaps):
        command.add_argument("--year", type=str, default="", help="the year rated (default: the latest with links)")
    for command in (listing, show, gaps):
        command.add_argument("--json", action="store_true", help="print JSON")
    imp = sub.add_parser("import", help="import a chain workbook (.xlsx), all or nothing")
    imp.add_argument("file", help="the .xlsx file")
    imp.add_argument("--chain", default="", help="the chain to import into (a new code creates a chain)")
    imp.add_argument("--json", action="store_true", help="print the result (or the problems) as JSON")
    exp = sub.add_parser("export", help="write a chain's workbook (.xlsx)")
    exp.add_argument("code", help="chain code")
    exp.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    for command in (listing, show, gaps, imp, exp):
        command.add_argument("--user", default="", help="act as this user (its scope and rights)")


def _user(username: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("--user：用户 %(user)s 不存在或已停用") % {"user": username[:60]})
    return user


def _chains(user):
    return Chain.objects.for_user(user) if user is not None else Chain.objects.all()


def _chain(user, code: str) -> Chain:
    chain = _chains(user).select_related("region").filter(code=code).first()
    if chain is None:
        raise CommandError(_("没有编码为“%(code)s”的产业链（或不在您的范围内）；用 chains list 查看") % {"code": code[:60]})
    return chain


def _year(value: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= 2100):
        raise CommandError(_("--year 的值“%(value)s”无效，应为 2000 到 2100 之间的四位年份") % {"value": value[:20]})
    return int(value)


class ChainsCli:
    def __init__(self, stdout) -> None:
        self.stdout = stdout

    def out(self, data) -> None:
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))

    def handle(self, options: dict) -> None:
        user = _user(options.get("user") or "")
        getattr(self, f"do_{options['action']}")(user, options)

    def do_list(self, user, options) -> None:
        rows = [{"code": c.code, "name": c.name, "region": c.region_id, "region_name": c.region.name,
                 "segments": c.segments.filter(retired=False).count(), "structure_version": c.structure_version,
                 "local_rate_target": c.local_rate_target}
                for c in _chains(user).select_related("region").order_by("region__code", "code")]
        if options["json"]:
            self.out(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['code']}\t{row['name']}\t{row['region_name']}\t"
                              + _("%(n)s 个环节") % {"n": row["segments"]})
        self.stdout.write(_("共 %(n)s 条产业链") % {"n": len(rows)})

    def do_show(self, user, options) -> None:
        chain = _chain(user, options["code"])
        analysis = analyse_chain(chain, year=_year(options["year"]))
        placements: dict[int, list[str]] = {}
        for p in Placement.objects.filter(segment__chain=chain).select_related("enterprise", "company"):
            placements.setdefault(p.segment_id, []).append(p.party.name)
        segments = [{"code": v.code, "name": v.name, "parent": v.parent_code, "position": v.position,
                     "rating": v.rating, "need": v.need, "local_rate": v.local_rate, "rate_basis": v.rate_basis,
                     "enterprises": placements.get(v.segment_id, [])} for v in analysis.segments]
        data = {"code": chain.code, "name": chain.name, "region": chain.region_id, "year": analysis.year,
                "structure_version": chain.structure_version, "local_rate": analysis.local_rate,
                "rate_basis": analysis.rate_basis, "local_rate_target": chain.local_rate_target,
                "supply_links": sees_supply_links(user, chain) if user is not None else True,
                "segments": segments}
        if options["json"]:
            self.out(data)
            return
        ratings, positions = dict(Rating.choices), dict(Position.choices)
        self.stdout.write(f"{chain.code} {chain.name}（{chain.region.name}）" + _("%(year)s年 本地配套率：%(rate)s") % {
            "year": analysis.year, "rate": "—" if analysis.local_rate is None else f"{analysis.local_rate}%"})
        depth = {}
        for s in segments:
            depth[s["code"]] = depth.get(s["parent"], -1) + 1 if s["parent"] else 0
            self.stdout.write(f"{'  ' * depth[s['code']]}{s['code']}\t{s['name']}\t{positions[s['position']]}\t"
                              f"{ratings[s['rating']]}\t{'、'.join(s['enterprises'])}")

    def do_gaps(self, user, options) -> None:
        chain = _chain(user, options["code"])
        analysis = analyse_chain(chain, year=_year(options["year"]))
        rows = [{"segment": v.code, "name": v.name, "rating": v.rating, "need": v.need, "inputs": v.inputs}
                for v in analysis.segments if v.need != Need.KEEP]
        if options["json"]:
            self.out({"chain": chain.code, "year": analysis.year, "gaps": rows})
            return
        needs, ratings = dict(Need.choices), dict(Rating.choices)
        for row in rows:
            inputs = "；".join(f"{k}：{v}" for k, v in row["inputs"].items())
            self.stdout.write(f"{row['segment']}\t{row['name']}\t{ratings[row['rating']]}\t{needs[row['need']]}\t{inputs}")
        self.stdout.write(_("%(year)s年 共 %(n)s 个环节需补链、强链或延链") % {"year": analysis.year, "n": len(rows)})

    def do_import(self, user, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("文件 %(file)s 不存在") % {"file": path})
        if path.stat().st_size > settings.JIQUN_UPLOAD_MAX_BYTES:  # refused before it is read
            raise CommandError(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未导入") % {
                "file": path.name, "size": mib(path.stat().st_size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)})
        code = (options.get("chain") or "").strip()
        if code and user is not None:
            other = Chain.objects.filter(code=code).exclude(pk__in=_chains(user).values("pk")).exists()
            if other:
                raise CommandError(_("--chain：产业链编码“%(code)s”已被占用或不在您的范围内") % {"code": code[:60]})
        result = import_chain(user=user, content=path.read_bytes(), file_name=path.name, chain_code=code)
        if not result.ok:
            if options.get("json"):
                self.out({"problems": [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.reason}
                                       for p in result.problems]})
            raise CommandError(_("文件未导入：发现 %(n)d 处问题，未写入任何数据：\n%(lines)s") % {
                "n": len(result.problems), "lines": "\n".join(str(p) for p in result.problems)})
        if options.get("json"):
            self.out(result.summary())
            return
        self.stdout.write(_("已导入产业链 %(code)s%(new)s：环节新增 %(a)d 个、更新 %(u)d 个、撤销 %(r)d 个；企业新增 %(p)d 家、"
                            "更新 %(q)d 家；供应关系 %(l)d 条") % {
            "code": result.chain, "new": _("（新建）") if result.chain_created else "",
            "a": len(result.segments_added), "u": len(result.segments_updated), "r": len(result.segments_retired),
            "p": result.placements_added, "q": result.placements_updated, "l": result.links_added})
        if result.link_years:
            self.stdout.write(_("已整体替换 %(years)s 年度的供应关系（原有 %(n)d 条）") % {
                "years": "、".join(map(str, result.link_years)), "n": result.links_removed})

    def do_export(self, user, options) -> None:
        chain = _chain(user, options["code"])
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(_("-o：目录 %(folder)s 不存在") % {"folder": output.parent})
        if output.suffix.lower() != ".xlsx":
            raise CommandError(_("-o：文件名应以 .xlsx 结尾"))
        output.write_bytes(excel.export_chain(user, chain))
        audit_record(actor=user, action=AuditAction.EXPORT, obj=chain, actor_name="" if user else "cli",
                     after={"supply_links": user is None or sees_supply_links(user, chain), "via": "cli"})
        self.stdout.write(_("已写入 %(file)s") % {"file": output})


__all__ = ["HELP", "ChainsCli", "add_arguments"]
