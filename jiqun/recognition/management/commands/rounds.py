"""`jiqun rounds list|show|cancel`: the 赛马 recognition rounds and, for one, its applications, screen and
results; cancelling a round."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.recognition.models import Call
from jiqun.recognition.services import call_cancel


def call_data(call: Call) -> dict:
    return {"id": call.pk, "title": call.title, "programme": call.programme.code, "tier_sought": call.tier_sought,
            "quota": call.quota, "deadline": call.deadline, "data_year": call.data_year, "status": call.status,
            "objection_until": call.objection_until,
            "thresholds": [str(t) for t in call.thresholds.select_related("indicator")]}


def application_data(application) -> dict:
    return {"cluster": application.cluster.name, "eligible": application.eligible,
            "screen": [c["reason"] for c in application.screen],
            "quantitative_score": application.quantitative_score, "expert_score": application.expert_score,
            "final_score": application.final_score, "rank": application.rank, "selected": application.selected,
            "assignments": application.assignments.count(),
            "scored": application.assignments.filter(submitted_at__isnull=False).count()}


class Command(BaseCommand):
    help = (
        "List the 赛马 recognition rounds (`list`), or show one round (`show ID`): its thresholds, and per "
        "application the eligibility screen on approved figures, the number of experts assigned and scored, "
        "and once published the quantitative, expert (trimmed mean: highest and lowest dropped from five "
        "scores on) and combined scores with the rank within the quota. Read-only; the rules are in "
        "docs/recognition.md. `cancel ID --reason …` withdraws a round in 草拟, 申报中 or 评审中 (评审中 only with a "
        "reason): it becomes 已撤销 and its applications read-only."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="every round")
        listing.add_argument("--json", action="store_true", help="print JSON")
        show = sub.add_parser("show", help="one round and its applications")
        show.add_argument("call", type=int, help="round id (see `rounds list`)")
        show.add_argument("--json", action="store_true", help="print JSON")
        cancel = sub.add_parser("cancel", help="cancel a round (草拟, 申报中, or 评审中 with a reason)")
        cancel.add_argument("call", type=int, help="round id (see `rounds list`)")
        cancel.add_argument("--reason", default="", help="why; required once the round is in 评审中")
        cancel.add_argument("--user", help="the province admin cancelling (default: the system)")

    def handle(self, *args, **options) -> None:
        if options["action"] == "list":
            calls = [call_data(c) for c in Call.objects.select_related("programme")]
            if options["json"]:
                self.stdout.write(json.dumps(calls, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
                return
            for c in calls:
                self.stdout.write(f"#{c['id']}\t{c['title']}\t{c['programme']}\t{c['status']}\t"
                                  f"{_('名额')} {c['quota']}\t{_('截止')} {c['deadline']}")
            return
        call = Call.objects.select_related("programme").filter(pk=options["call"]).first()
        if call is None:
            raise CommandError(_("没有编号为 %(id)s 的赛马认定批次；用 rounds list 查看") % {"id": options["call"]})
        if options["action"] == "cancel":
            self.cancel(call, reason=options["reason"], username=options["user"])
            return
        applications = call.applications.select_related("cluster").order_by("rank", "cluster__name")
        data = call_data(call) | {"applications": [application_data(a) for a in applications]}
        if options["json"]:
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"#{call.pk} {call.title}（{call.get_status_display()}）")
        for threshold in data["thresholds"]:
            self.stdout.write(f"  {_('门槛')}：{threshold}")
        for a in data["applications"]:
            verdict = _("通过") if a["eligible"] else _("未通过")
            score = f"{_('综合得分')} {a['final_score']} {_('第')} {a['rank']} {_('名')}" if a["rank"] else ""
            self.stdout.write(f"  {a['cluster']}\t{_('资格审查')}{verdict}\t{_('评分')} {a['scored']}/{a['assignments']}\t{score}"
                              f"{'  ' + _('拟认定') if a['selected'] else ''}")
            for reason in a["screen"]:
                self.stdout.write(f"    {reason}")

    def cancel(self, call: Call, *, reason: str, username: str | None) -> None:
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("--user：用户 %(user)s 不存在") % {"user": username})
        try:
            call_cancel(actor=actor, call=call, reason=reason)
        except ValidationError as exc:
            raise CommandError(_("批次 #%(id)s 未撤销：%(detail)s") % {
                "id": call.pk, "detail": "；".join(exc.messages)}) from None
        except PermissionDenied as exc:
            raise CommandError(_("批次 #%(id)s 未撤销：%(detail)s") % {"id": call.pk, "detail": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("批次 #%(id)s（%(title)s）已撤销") % {"id": call.pk, "title": call.title}))
