"""Linking a project to a chain segment through project_update (what the chain demo and the 招引名录 use)."""

import pytest
from django.core.exceptions import ValidationError

from jiqun.chains.models import Segment
from jiqun.chains.services import segment_add, segment_retire
from jiqun.core.stale import StaleEdit
from jiqun.projects.forms import ProjectForm
from jiqun.projects.models import Project
from jiqun.projects.services import project_update

pytestmark = pytest.mark.django_db


def test_project_update_links_a_project_to_a_segment_and_refuses_a_retired_one(jining_officer):
    project = Project.objects.get(code="370828-2023-0001")  # 七洲绿色化工项目, Jining
    segment = Segment.objects.get(chain__code="JN-GDHG", code="D5")
    project = project_update(actor=jining_officer, project=project, base_version=project.version,
                             chain_segment=segment)
    assert Project.objects.get(pk=project.pk).chain_segment == segment
    with pytest.raises(StaleEdit):
        project_update(actor=jining_officer, project=project, base_version=project.version - 1, chain_segment=None)
    spare = segment_add(actor=jining_officer, chain=segment.chain, code="D9", name="待撤销环节", position="downstream")
    spare = segment_retire(actor=jining_officer, segment=spare, base_version=spare.version)
    with pytest.raises(ValidationError, match="已撤销") as refused:
        project_update(actor=jining_officer, project=project, base_version=project.version, chain_segment=spare)
    assert "chain_segment" in refused.value.message_dict
    assert Project.objects.get(pk=project.pk).chain_segment == segment  # unchanged


def test_the_project_form_does_not_offer_the_unscoped_segment_list():
    assert "chain_segment" not in ProjectForm.base_fields
