"""`jiqun projects import FILE --as USER` and `jiqun projects export -o FILE [filters]`: the project library's
Excel in and out on the command line. The `projects` command registers these subcommands:

    from jiqun.projects import cli_excel
    cli_excel.add_arguments(subparsers)            # in add_arguments, with the command's subparsers
    if cli_excel.handles(options["action"]):       # in handle
        return cli_excel.handle(options, stdout=self.stdout)

The import applies the uploaded file's bounds and rules and the user's scope, all or nothing; the export
writes the projects the user sees (every project without --as), filtered like the list page.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.monitoring.importer.package import mib
from jiqun.projects.excel import export_for
from jiqun.projects.importer import import_projects
from jiqun.projects.models import MajorLevel, ProjectKind, Stage

ACTIONS = ("import", "export")


def add_arguments(subparsers) -> None:
    """Add `import` and `export` to the `projects` command's subparsers."""
    imp = subparsers.add_parser("import", help="import a filled project-library template (.xlsx), all or nothing")
    imp.add_argument("file", help="the .xlsx file")
    imp.add_argument("--as", dest="as_user", required=True, help="username whose scope and rights apply")
    imp.add_argument("--json", action="store_true", help="print the result (or the problems) as JSON")
    exp = subparsers.add_parser("export", help="export the project library (.xlsx, the template's layout)")
    exp.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    exp.add_argument("--as", dest="as_user", help="username whose scope applies (default: every project)")
    exp.add_argument("--q", help="name or code contains")
    exp.add_argument("--stage", help=f"stage ({', '.join(Stage.values)})")
    exp.add_argument("--kind", help=f"type ({', '.join(ProjectKind.values)})")
    exp.add_argument("--region", help="region code (with the regions below it)")
    exp.add_argument("--zone", help="park id")
    exp.add_argument("--cluster", help="cluster id")
    exp.add_argument("--major", help="1: 重大项目 only, 0: the others")
    exp.add_argument("--level", help=f"重大项目 level ({', '.join(MajorLevel.values)})")


def handles(action: str) -> bool:
    return action in ACTIONS


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("--as：用户 %(user)s 不存在或已停用") % {"user": username})
    return user


def handle(options: dict, stdout) -> None:
    """Run `import` or `export`; a refusal is a CommandError (non-zero exit) with the reasons in Chinese."""
    if options["action"] == "import":
        _import(options, stdout)
    else:
        _export(options, stdout)


def _import(options: dict, stdout) -> None:
    user = _user(options["as_user"])
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(_("文件 %(file)s 不存在") % {"file": path})
    if path.stat().st_size > settings.JIQUN_UPLOAD_MAX_BYTES:  # refused before it is read
        raise CommandError(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未导入") % {
            "file": path.name, "size": mib(path.stat().st_size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)})
    result = import_projects(user=user, content=path.read_bytes(), file_name=path.name)
    if not result.ok:
        lines = [str(p) for p in result.problems]
        if options.get("json"):
            stdout.write(json.dumps({"problems": [
                {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.reason} for p in result.problems]},
                ensure_ascii=False, indent=2))
        raise CommandError(_("文件未导入：发现 %(n)d 处问题，未写入任何数据：\n%(lines)s") % {
            "n": len(lines), "lines": "\n".join(lines)})
    summary = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
               "moves": result.moves}
    if options.get("json"):
        stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        stdout.write(_("已导入：新建 %(c)d 个项目，更新 %(u)d 个，未变 %(n)d 个，阶段推进 %(m)d 次") % {
            "c": len(result.created), "u": len(result.updated), "n": len(result.unchanged), "m": result.moves})


def _export(options: dict, stdout) -> None:
    user = _user(options.get("as_user"))
    output = Path(options["output"])
    if not output.parent.exists():
        raise CommandError(_("-o：目录 %(folder)s 不存在") % {"folder": output.parent})
    params = {key: str(options[key]) for key in ("q", "stage", "kind", "region", "zone", "cluster", "major", "level")
              if options.get(key) not in (None, "")}
    content, problems = export_for(user, params)
    if problems:
        raise CommandError("；".join(f"--{name}：{message}" for name, message in problems.items()))
    output.write_bytes(content)
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="projects.project",
                 object_repr=_("项目库导出（命令行）"), actor_name="" if user else "cli")
    stdout.write(_("已写入 %(file)s") % {"file": output})
