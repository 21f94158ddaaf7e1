"""Producing a report: build (builders.py), render (docx.py, xlsx.py, pdf.py), audit the download. Pages, the API
and the command line all call `report_produce`, so each report is made and recorded the same way."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.reports import builders
from jiqun.reports.docx import render_evaluation, render_notice, render_quarterly
from jiqun.reports.xlsx import render_half_year

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
KINDS = ("quarterly", "halfyear", "evaluation", "cluster", "notice")
FORMATS = ("docx", "pdf")  # of the annual evaluation report and the quarterly analysis


@dataclass(frozen=True)
class Produced:
    content: bytes
    filename: str
    content_type: str


def report_produce(*, actor, kind: str, params: dict) -> Produced:
    """Make the report `kind` ("quarterly", "halfyear", "evaluation", "cluster" or "notice") that `params` names,
    for `actor`'s scope. The evaluation report and the quarterly analysis are Word unless `params["format"]` is
    "pdf"; the cluster one-pager (`params["cluster_id"]` or `params["cluster"]`, a code) is PDF; the result
    notice of a published recognition round (`params["call"]`) is Word.

    Raises builders.BadParameters (each bad parameter named) or builders.NotFound (outside the scope); writes
    one audit record (EXPORT) when a file is produced."""
    if kind not in KINDS:
        raise builders.BadParameters({"kind": _("报告类型应为 quarterly（季度分析）、halfyear（半年报汇总表）、"
                                                "evaluation（年度评价报告）、cluster（集群一页纸）或 notice（认定结果公示）")})
    fmt = "docx"
    if kind in ("evaluation", "quarterly"):
        fmt = str(params.get("format") or "docx").strip().lower()
        if fmt not in FORMATS:
            raise builders.BadParameters({"format": _("参数 format 应为 docx（Word）或 pdf，收到“%(value)s”") % {
                "value": fmt[:20]}})
    if kind == "notice":
        call = builders.notice_call(actor, params)
        data = builders.notice(actor, call)
        produced = Produced(render_notice(data), f"{data.title}.docx", DOCX)
        audit_record(actor=actor, action=AuditAction.EXPORT, obj=call,
                     object_repr=f"{_('认定结果公示')} {call.title}（{len(data.rows)} 个集群）")
        return produced
    if kind == "evaluation":
        run = builders.evaluation_run(actor, params)
        data = builders.evaluation(actor, run)
        if fmt == "pdf":
            from jiqun.reports.pdf import render_evaluation_pdf

            produced = Produced(render_evaluation_pdf(data), f"{data.title}-{run.pk}.pdf", PDF)
        else:
            produced = Produced(render_evaluation(data), f"{data.title}-{run.pk}.docx", DOCX)
        audit_record(actor=actor, action=AuditAction.EXPORT, obj=run,
                     object_repr=f"{_('年度评价报告')} {run}（{len(data.rows)} 行）" + (" PDF" if fmt == "pdf" else ""))
        return produced
    if kind == "cluster":
        from jiqun.reports.pdf import render_cluster_pdf

        cluster = builders.onepager_cluster(actor, params)
        data = builders.cluster_onepager(actor, cluster)
        label = f"-{data.period_label}" if data.period_label != "—" else ""
        produced = Produced(render_cluster_pdf(data), f"{data.title}{label}.pdf", PDF)
        audit_record(actor=actor, action=AuditAction.EXPORT, obj=cluster,
                     object_repr=f"{_('集群一页纸')} {cluster.programme.code} {cluster.name} {data.period_label}")
        return produced
    request = builders.parse(actor, params, half_year=kind == "halfyear")
    if kind == "quarterly":
        data = builders.quarterly(actor, request)
        if fmt == "pdf":
            from jiqun.reports.pdf import render_quarterly_pdf

            produced = Produced(render_quarterly_pdf(data), f"{data.title}.pdf", PDF)
        else:
            produced = Produced(render_quarterly(data), f"{data.title}.docx", DOCX)
        what = _("季度分析报告") + (" PDF" if fmt == "pdf" else "")
    else:
        data = builders.half_year(actor, request)
        produced = Produced(render_half_year(data), f"{data.title}-{data.period_label}.xlsx", XLSX)
        what = _("半年报汇总表")
    subject = request.cluster or request.region
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=subject,
                 object_repr=f"{what} {request.programme.code} {data.period_label} {request.subject_name}")
    return produced
