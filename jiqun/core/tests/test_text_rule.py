"""One rule for text: control characters (Unicode Cc but tab, line feed and carriage return) and lone
surrogates are refused in the API, in every form and in the services, with a Chinese message naming the field,
the character and its position, and nothing is written."""

import importlib
import inspect
import json

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.models import model_to_dict
from hypothesis import given
from hypothesis import strategies as st

from jiqun.accounts.forms import TokenForm
from jiqun.accounts.models import ApiToken
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.core.forms import TextRuleMixin
from jiqun.core.text import (
    ControlCharacterValidator,
    control_character_error,
    reject_control_characters,
    reject_control_characters_in,
)
from jiqun.enterprises.models import Enterprise
from jiqun.programmes.models import Task
from jiqun.targets.models import TaskUpdate
from jiqun.targets.services import task_update_create

FORBIDDEN = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]]
ALLOWED_CONTROLS = ["\t", "\n", "\r"]
FORM_MODULES = ["jiqun.accounts.forms", "jiqun.clusters.forms", "jiqun.enterprises.forms", "jiqun.monitoring.forms",
                "jiqun.targets.forms"]

# The invisible format characters the rule refuses (bidi overrides and isolates, zero-width space, BOM …).
INVISIBLE = ["\u061c", "\u200b", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2060, 0x2065)),
             *map(chr, range(0x2066, 0x206A)), "\ufeff", "\ufff9", "\ufffa", "\ufffb"]
text_without = st.text(st.characters(exclude_categories=["Cc", "Cs", "Cf"])
                       | st.sampled_from([*ALLOWED_CONTROLS, "\u200c", "\u200d"]))


# --- the rule --------------------------------------------------------------------------------------

@given(text_without)
def test_it_accepts_text_with_tabs_and_line_breaks(value):
    assert control_character_error(value) is None
    assert reject_control_characters(value, "说明") == value


@given(text_without, st.sampled_from(FORBIDDEN + INVISIBLE + ["\ud800", "\udfff"]), text_without)
def test_it_refuses_every_control_character_and_lone_surrogate_naming_it_and_where(before, bad, after):
    message = control_character_error(before + bad + after, "企业名称")
    assert message.startswith("企业名称含有")
    assert f"U+{ord(bad):04X}" in message and f"第 {len(before) + 1} 个字符" in message
    kind = "不成对的代理项" if "\ud800" <= bad <= "\udfff" else "不可见字符" if bad in INVISIBLE else "控制字符"
    assert kind in message
    with pytest.raises(ValidationError) as refused:
        reject_control_characters(before + bad + after, "企业名称")
    assert refused.value.messages == [message]


def test_it_names_each_field_that_holds_one():
    with pytest.raises(ValidationError) as refused:
        reject_control_characters_in("任务 K05", progress="进展\x00", unit="正常", evidence="\x1b[31m")
    assert set(refused.value.message_dict) == {"progress", "evidence"}
    assert refused.value.message_dict["evidence"] == ["任务 K05：含有不允许的控制字符 U+001B（第 1 个字符），请删除后重试"]


def test_the_message_is_not_the_one_about_an_empty_string():
    """Django's "Null characters are not allowed" reads in Chinese as if the field were empty."""
    assert "空" not in control_character_error("\x00", "名称")


# --- forms -----------------------------------------------------------------------------------------

def test_every_form_checks_its_text_fields_with_the_rule():
    found = 0
    for module in map(importlib.import_module, FORM_MODULES):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                assert issubclass(cls, TextRuleMixin), cls
                found += 1
    assert found >= 15


def test_a_form_text_field_refuses_a_control_character_with_its_label():
    form = TokenForm(data={"name": "统计\x00对接"})
    assert not form.is_valid()
    assert form.errors["name"] == ["用途含有不允许的控制字符 U+0000（第 3 个字符），请删除后重试"]
    assert not any(isinstance(v, ProhibitNullCharactersValidator) for v in form.fields["name"].validators)
    assert ControlCharacterValidator(where="用途") in form.fields["name"].validators


def test_a_form_text_field_keeps_line_breaks():
    assert TokenForm(data={"name": "统计\t数据\r\n对接"}).is_valid()


@pytest.mark.django_db
def test_the_cluster_page_shows_the_message_and_changes_nothing(province_admin):
    cluster = Cluster.objects.for_user(province_admin).filter(regions__code="370100").first()
    data = {key: value for key, value in model_to_dict(cluster).items() if value is not None}
    data.update(regions=[r.pk for r in cluster.regions.all()], zones=[z.pk for z in cluster.zones.all()],
                name="济南\x00集群", basis="")
    events = AuditEvent.objects.count()

    response = client_for(province_admin).post(f"/clusters/{cluster.pk}/edit/", data)

    assert response.status_code == 200
    assert "名称含有不允许的控制字符 U+0000（第 3 个字符），请删除后重试" in response.content.decode()
    cluster.refresh_from_db()
    assert cluster.name != "济南\x00集群" and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_token_page_creates_no_token_from_it(jining_officer):
    count = ApiToken.objects.count()
    assert client_for(jining_officer).post("/accounts/tokens/", {"name": "对接\x07"}).status_code == 200
    assert ApiToken.objects.count() == count


# --- the API ---------------------------------------------------------------------------------------

def problem(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["新材料\x00集群", "新材料\x1b集群", "新材料\x85集群", "新材料\ud800集群"])
def test_the_api_refuses_it_in_a_body_and_writes_nothing(province_admin, name):
    client = token_client(province_admin)
    cluster = Cluster.objects.for_user(province_admin).first()
    enterprises, events = Enterprise.objects.count(), AuditEvent.objects.count()
    body = json.dumps({"name": name, "region": "370100"})  # json.dumps spells the surrogate \ud800

    created = problem(client.post("/api/v1/enterprises", body, content_type="application/json"))
    patched = problem(client.patch(f"/api/v1/clusters/{cluster.pk}", json.dumps({"name": name}),
                                   content_type="application/json"))

    for answer in (created, patched):
        assert "请求格式有误" in answer["detail"]
        (message,) = answer["errors"]["payload.name"]
        assert f"U+{ord(name[3]):04X}（" in message and "第 4 个字符" in message
    assert Enterprise.objects.count() == enterprises and AuditEvent.objects.count() == events
    cluster.refresh_from_db()
    assert cluster.name != name


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/clusters?q=a%00b", "/api/v1/regions?level=%1F", "/api/v1/tasks?programme=a%00b",
                                 "/api/v1/programmes/SD%00/structure", "/api/v1/targets?programme=a%00b"])
def test_the_api_refuses_it_in_a_parameter(province_admin, url):
    answer = problem(token_client(province_admin).get(url))
    assert "控制字符" in answer["detail"]


@pytest.mark.django_db
def test_the_api_refuses_it_in_a_key(province_admin):
    from jiqun.monitoring.models import CorrectionRequest, Report

    report = Report.objects.for_user(province_admin).first()
    count = CorrectionRequest.objects.count()
    answer = problem(token_client(province_admin).post(
        f"/api/v1/reports/{report.pk}/corrections", json.dumps({"changes": {"rev\x00": {"current": "1"}},
                                                                "reason": "更正"}),
        content_type="application/json"))
    assert "U+0000" in answer["detail"]
    assert CorrectionRequest.objects.count() == count


# --- services --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_targets_services_refuse_it_with_the_one_rule(jining_officer):
    task = Task.objects.get(programme__code="JN-2020-231", code="K05")
    with pytest.raises(ValidationError) as refused:
        task_update_create(actor=jining_officer, task=task, status="in_progress", progress="专班\x00已组建")
    (message,) = refused.value.message_dict["progress"]
    assert "K05" in message and "控制字符 U+0000（第 3 个字符）" in message
    assert not TaskUpdate.objects.filter(task=task).exists()


@pytest.mark.parametrize(("text", "number"), [("12", 12), (" 7 ", 7), ("0", 0), ("9" * 19, None), ("9" * 5000, None),
                                              ("１２", None), ("-3", None), ("1.0", None), ("", None)])
def test_a_whole_number_is_read_only_when_it_fits_a_key(text, number):
    from jiqun.core.text import whole_number

    assert whole_number(text) == number
