"""`jiqun reviews list|decide|open`: the 复核 of provincial clusters three years after recognition."""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster, Review, ReviewOutcome
from jiqun.clusters.selectors import REVIEW_STATES, review_data, reviews_listed
from jiqun.clusters.services import REVIEW_HORIZON, review_decide, review_decide_due, reviews_due


class Command(BaseCommand):
    help = (
        "List the 复核 (review) of provincial clusters: each comes up three years after the date it became "
        "provincial in its tier history (鲁政办字〔2023〕185号 三(四)), and every three years after; reviews due "
        "within 180 days are listed ahead. `list` is a read: it lists the reviews on file and those that have "
        "come up (without an id until recorded) as due, overdue or decided. `decide ID` (or `decide --cluster ID` "
        "for a review not on file yet, which records it) records the province's outcome (kept, warned, "
        "withdrawn) and applies it to the cluster's status and tier, with the review as the basis. "
        "`open --year YYYY` records every review due by the end of that year. See docs/review-and-quality.md."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="reviews due, overdue and decided")
        listing.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD (default: today)")
        listing.add_argument("--json", action="store_true", help="print JSON")
        decide = sub.add_parser("decide", help="record a review's outcome")
        decide.add_argument("review_id", type=int, nargs="?", help="review id (from `reviews list`)")
        decide.add_argument("--cluster", type=int, help="cluster id, for a review listed without an id")
        decide.add_argument("--outcome", required=True, help="kept | warned | withdrawn")
        decide.add_argument("--basis", required=True, help="the reasons: expert opinion, document, minutes")
        decide.add_argument("--user", help="the province admin deciding (default: the system)")
        opening = sub.add_parser("open", help="record the reviews due by the end of a year")
        opening.add_argument("--year", type=int, required=True, help="year, e.g. 2026")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_list(self, *, as_of=None, json=False, **options) -> None:
        day = datetime.date.today()
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(_("--as-of：“%(date)s”不是 YYYY-MM-DD 格式的日期") % {"date": as_of}) from None
        rows = [review_data(r, day) for r in reviews_listed(None, day, REVIEW_HORIZON)]  # a read only
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write(_("截至 %(day)s 没有需要复核的省级集群") % {"day": day})
        for row in rows:
            outcome = dict(ReviewOutcome.choices).get(row["outcome"], "")
            self.stdout.write(_("#%(id)s %(state)s  %(cluster)s（%(programme)s）｜认定 %(recognised)s｜到期 %(due)s"
                                "%(outcome)s") % {
                "id": row["id"] or "—", "state": REVIEW_STATES[row["state"]], "cluster": row["cluster_name"],
                "programme": row["programme"], "recognised": row["recognised_on"], "due": row["due_on"],
                "outcome": f"｜{outcome}：{row['basis']}（{row['decided_by'] or _('系统')}）" if outcome else ""})

    def do_open(self, *, year: int, **options) -> None:
        this_year = datetime.date.today().year
        if not 2000 <= year <= this_year + 1:
            raise CommandError(_("--year：%(year)s 应在 2000 年至 %(last)s 年之间") % {"year": year, "last": this_year + 1})
        added = reviews_due(as_of=datetime.date(year, 12, 31), horizon=datetime.timedelta(0))
        self.stdout.write(self.style.SUCCESS(_("已记录 %(n)s 项 %(year)s 年底前到期的复核") % {"n": len(added), "year": year}))

    def do_decide(self, *, review_id: int | None, outcome: str, basis: str, user=None, cluster=None,
                  **options) -> None:
        if (review_id is None) == (cluster is None):
            raise CommandError(_("请给出复核编号，或用 --cluster 给出尚未记录的复核所属集群的编号（二者取一）"))
        review = Review.objects.filter(pk=review_id).first() if review_id is not None else None
        if review_id is not None and review is None:
            raise CommandError(_("复核 #%(id)s 不存在（用 reviews list 查看编号）") % {"id": review_id})
        due_cluster = Cluster.objects.filter(pk=cluster).first() if cluster is not None else None
        if cluster is not None and due_cluster is None:
            raise CommandError(_("--cluster：集群 #%(id)s 不存在") % {"id": cluster})
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("--user：用户 %(user)s 不存在") % {"user": user})
        label = f"#{review_id}" if review_id is not None else due_cluster.name
        try:
            if review is not None:
                decided = review_decide(actor=actor, review=review, outcome=outcome, basis=basis)
            else:
                decided = review_decide_due(actor=actor, cluster=due_cluster, outcome=outcome, basis=basis)
        except ValidationError as exc:
            raise CommandError(_("复核 %(id)s 未决定：%(detail)s") % {
                "id": label, "detail": "；".join(exc.messages)}) from None
        except PermissionDenied as exc:
            raise CommandError(_("复核 %(id)s 未决定：%(detail)s") % {"id": label, "detail": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("复核 #%(id)s（%(cluster)s）结论：%(outcome)s") % {
            "id": decided.pk, "cluster": decided.cluster.name, "outcome": decided.get_outcome_display()}))


def _dumps(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
