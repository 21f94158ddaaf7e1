import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from jiqun.clusters.models import Cluster
from jiqun.programmes.models import Programme, SubjectKind
from jiqun.programmes.packs import SOURCES_DIR
from jiqun.programmes.text import display_text, source_paragraphs


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/list.html", {"programmes": Programme.objects.all()})


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = get_object_or_404(Programme, code=code)
    targets = programme.targets.select_related("indicator", "subject_cluster", "subject_region", "subject_zone")
    subject = request.GET.get("subject", "")
    if subject in SubjectKind.values:
        targets = targets.filter(subject_kind=subject)
    year = request.GET.get("year", "")
    if year.isascii() and year.isdigit() and len(year) == 4:
        targets = targets.filter(year=int(year))
    checklists: dict[str, list] = {}
    for item in programme.checklist_items.all():
        checklists.setdefault(item.checklist_name, []).append(item)
    context = {
        "programme": programme,
        "targets": targets,
        "tasks": programme.tasks.all(),
        "clusters": Cluster.objects.for_user(request.user).filter(programme=programme).prefetch_related("regions"),
        "checklists": checklists,
        "subjects": SubjectKind.choices,
        "years": sorted(set(programme.targets.values_list("year", flat=True))),
        "subject": subject,
        "year": year,
    }
    return render(request, "programmes/detail.html", context)


def highlight(text: str, quote: str) -> str:
    """Escape the text and mark the quote, matching across line breaks; both read as `display_text` shows them."""
    quote = re.sub(r"\s+", "", display_text(quote))
    escaped = escape(text)
    if not quote:
        return escaped
    pattern = r"\s*".join(re.escape(escape(ch)) for ch in quote)
    return re.sub(f"({pattern})", r'<mark id="hl">\1</mark>', escaped, count=1)


@login_required
def programme_source(request: HttpRequest, code: str) -> HttpResponse:
    """The document's full text in paragraphs, with the sentence a number cites marked."""
    programme = get_object_or_404(Programme, code=code)
    text = source_paragraphs((SOURCES_DIR / programme.source_file).read_text(encoding="utf-8"))
    quote = request.GET.get("q", "")
    return render(request, "programmes/source.html", {
        "programme": programme, "text": mark_safe(highlight(text, quote)), "quote": quote,
    })
