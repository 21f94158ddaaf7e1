import pytest

from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_the_demo_loads_all_six_programmes():
    assert Programme.objects.count() == 6  # the five seed documents and 中小企业特色产业集群 (MIIT-2022-119)


def test_programme_page_lists_targets_with_citations(as_jining):
    programme = Programme.objects.exclude(document_number="").first()
    page = as_jining.get(f"/programmes/{programme.code}/").content.decode()
    target = programme.targets.first()
    assert target.label in page and programme.document_number in page and target.clause in page


def test_source_page_marks_the_quoted_sentence(as_jining):
    target = next(t for t in Programme.objects.get(code="SD-2023-185").targets.all() if t.quote)
    page = as_jining.get("/programmes/SD-2023-185/source/", {"q": target.quote}).content.decode()
    assert '<mark id="hl">' in page


def test_unknown_programme_is_404(as_jining):
    assert as_jining.get("/programmes/NOPE/").status_code == 404


def test_3830_goal_is_encoded_with_its_clause():
    targets = Programme.objects.get(code="SD-2023-185").targets.filter(indicator__code="count_clusters")
    by_tier = {t.params.get("tier"): t.value for t in targets}
    assert by_tier.get("world") == 3 and by_tier.get("national") == 8 and by_tier.get("provincial") == 30
