"""`jiqun incidents list|add|withdraw`: the incident register from the command line."""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import Enterprise
from jiqun.incidents.models import Incident, IncidentKind, IncidentStatus, Severity
from jiqun.incidents.selectors import incident_data, incidents_for
from jiqun.incidents.services import incident_create, incident_withdraw


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(f"{field}：{'，'.join(msgs)}" for field, msgs in exc.message_dict.items())
    return "；".join(exc.messages)


class Command(BaseCommand):
    help = (
        "The incident register (事故与失信登记): major safety, environmental and quality incidents and serious "
        "dishonesty of a cluster or one of its enterprises. A scheme's veto list (一票否决) refuses a cluster with "
        "a recorded incident of the listed kinds, at least as grave as the minimum, in the last N calendar years "
        "of the evaluated year; a withdrawn incident counts for no later run. `list` prints the register, `add` "
        "records an incident, `withdraw` withdraws one with a reason (never deleted). See docs/incidents-and-vetoes.md."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the register")
        listing.add_argument("--cluster", help="cluster code or id")
        listing.add_argument("--status", help="recorded | withdrawn")
        listing.add_argument("--json", action="store_true", help="print JSON")
        add = sub.add_parser("add", help="record an incident")
        add.add_argument("--cluster", required=True, help="cluster code or id")
        add.add_argument("--enterprise", type=int, help="member enterprise id (optional)")
        add.add_argument("--kind", required=True, help=" | ".join(IncidentKind.values))
        add.add_argument("--severity", required=True, help=" | ".join(Severity.values))
        add.add_argument("--date", required=True, help="date it occurred, YYYY-MM-DD")
        add.add_argument("--document", required=True, help="the document (文号) establishing it")
        add.add_argument("--description", required=True, help="what happened")
        add.add_argument("--user", help="the province admin or city officer recording it (default: the system)")
        withdraw = sub.add_parser("withdraw", help="withdraw an incident with a reason")
        withdraw.add_argument("incident_id", type=int, help="incident id (from `incidents list`)")
        withdraw.add_argument("--reason", required=True, help="why it is withdrawn")
        withdraw.add_argument("--user", help="the province admin or city officer withdrawing it (default: the system)")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(_("--user：用户 %(user)s 不存在") % {"user": username})
        return actor

    def _cluster(self, code: str) -> Cluster:
        clusters = list(Cluster.objects.filter(pk=int(code)) if code.isascii() and code.isdigit() and len(code) <= 18 else Cluster.objects.filter(code=code)[:2])
        if not clusters:
            raise CommandError(_("--cluster：集群编码“%(code)s”不存在") % {"code": code})
        if len(clusters) > 1:
            raise CommandError(_("--cluster：集群编码“%(code)s”在多个培育工程中出现，请用集群编号（数字）") % {"code": code})
        return clusters[0]

    def do_list(self, *, cluster=None, status=None, json=False, **options) -> None:
        if status and status not in IncidentStatus.values:
            raise CommandError(_("--status：“%(value)s”无效，可选 %(choices)s") % {
                "value": status, "choices": " | ".join(IncidentStatus.values)})
        rows = [incident_data(i) for i in incidents_for(None, cluster=self._cluster(cluster) if cluster else None,
                                                         status=status or "")]
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write(_("登记簿中没有记录"))
        for row in rows:
            self.stdout.write(_("#%(id)s %(status)s  %(cluster)s%(enterprise)s｜%(date)s %(severity)s%(kind)s｜%(document)s｜%(description)s") % {
                "id": row["id"], "status": row["status_label"], "cluster": row["cluster_name"],
                "enterprise": f"（{row['enterprise_name']}）" if row["enterprise_name"] else "",
                "date": row["occurred_on"], "severity": row["severity_label"], "kind": row["kind_label"],
                "document": row["document"], "description": row["description"][:60]})

    def do_add(self, *, cluster: str, kind: str, severity: str, date: str, document: str, description: str,
               enterprise=None, user=None, **options) -> None:
        actor = self._actor(user)
        subject = self._cluster(cluster)
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(_("--date：“%(date)s”不是 YYYY-MM-DD 格式的日期") % {"date": date}) from None
        member = None
        if enterprise is not None:
            member = Enterprise.objects.filter(pk=enterprise).first()
            if member is None:
                raise CommandError(_("--enterprise：企业 %(id)s 不存在") % {"id": enterprise})
        try:
            incident = incident_create(actor=actor, cluster=subject, enterprise=member, kind=kind, severity=severity,
                                       occurred_on=day, description=description, document=document)
        except ValidationError as exc:
            raise CommandError(_("未登记：%(detail)s") % {"detail": _messages(exc)}) from None
        except PermissionDenied as exc:
            raise CommandError(_("未登记：%(detail)s") % {"detail": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("已登记 #%(id)s：%(cluster)s %(date)s %(severity)s%(kind)s") % {
            "id": incident.pk, "cluster": subject.name, "date": day, "severity": incident.get_severity_display(),
            "kind": incident.get_kind_display()}))

    def do_withdraw(self, *, incident_id: int, reason: str, user=None, **options) -> None:
        actor = self._actor(user)
        incident = Incident.objects.filter(pk=incident_id).first()
        if incident is None:
            raise CommandError(_("记录 #%(id)s 不存在（用 incidents list 查看编号）") % {"id": incident_id})
        try:
            incident_withdraw(actor=actor, incident=incident, reason=reason)
        except ValidationError as exc:
            raise CommandError(_("记录 #%(id)s 未撤销：%(detail)s") % {"id": incident_id, "detail": _messages(exc)}) from None
        except PermissionDenied as exc:
            raise CommandError(_("记录 #%(id)s 未撤销：%(detail)s") % {"id": incident_id, "detail": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("已撤销 #%(id)s") % {"id": incident_id}))


def _dumps(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
