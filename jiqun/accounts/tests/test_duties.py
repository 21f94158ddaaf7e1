"""No one gives themselves power and nothing changes unaudited (issue 9 part 2, 三员分立).

The first tests reproduce the issue's attacks through the Django admin; then the account services'
rules, exhaustively over every actor, account and role; then the read-only admin for business data.
"""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import ModelMultipleChoiceField
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from jiqun.accounts.models import ADMIN_ROLES, BUSINESS_ROLES, REGION_ROLES, Role, User
from jiqun.accounts.services import (
    scope_errors,
    user_activate,
    user_assign_role,
    user_create,
    user_deactivate,
    user_password_set,
    user_update_profile,
)
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.clusters.tests.factories import make_cluster, make_enterprise
from jiqun.conftest import PASSWORD, client_for, token_client
from jiqun.enterprises.models import Enterprise
from jiqun.programmes.models import Target
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xin@mima2026!"


def persona(username: str) -> User:
    return User.objects.get(username=username)


def account_events(user: User) -> int:
    return AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).count()


def held(user: User) -> tuple:
    """What an account holds, as stored."""
    fresh = User.objects.get(pk=user.pk)
    return (fresh.role, fresh.region_id, fresh.enterprise_id, sorted(fresh.clusters.values_list("pk", flat=True)),
            fresh.is_active, fresh.is_staff, fresh.is_superuser)


def admin_post(client, url: str, **changes):
    """Post an admin change form back as the page shows it, with the given fields changed."""
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if isinstance(field, ModelMultipleChoiceField):
            data[name] = [getattr(v, "pk", v) for v in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else getattr(value, "pk", value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url, data)


def change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def pending_account(username: str = "xinren") -> User:
    return user_create(actor=persona("xitong"), username=username, password=NEW_PASSWORD, full_name="新人")


# The attacks -----------------------------------------------------------------------------------

def test_it_refuses_the_system_admin_making_itself_province_admin_in_the_admin():
    xitong = persona("xitong")
    before, events = held(xitong), account_events(xitong)
    admin_post(client_for(xitong), change_url(xitong), role=Role.PROVINCE_ADMIN, region="370000")
    assert held(xitong) == before and account_events(xitong) == events
    with pytest.raises(PermissionDenied) as info:
        user_assign_role(actor=xitong, user=xitong, role=Role.PROVINCE_ADMIN,
                         region=Region.objects.get(code="370000"))
    assert "只有安全管理员可以分配角色" in str(info.value)
    assert held(xitong) == before and account_events(xitong) == events


def test_it_refuses_the_system_admin_giving_anyone_a_role(jinan_officer):
    client = client_for(persona("xitong"))
    before = held(jinan_officer)
    admin_post(client, change_url(jinan_officer), role=Role.PROVINCE_ADMIN, region="370000")
    assert held(jinan_officer) == before
    with pytest.raises(PermissionDenied):
        user_create(actor=persona("xitong"), username="zifeng", password=NEW_PASSWORD, role=Role.PROVINCE_ADMIN)
    assert not User.objects.filter(username="zifeng").exists()


def test_it_refuses_the_security_admin_changing_its_own_role():
    anquan = persona("anquan")
    before, events = held(anquan), account_events(anquan)
    admin_post(client_for(anquan), change_url(anquan), role=Role.PROVINCE_ADMIN, region="370000")
    assert held(anquan) == before and account_events(anquan) == events
    with pytest.raises(PermissionDenied) as info:
        user_assign_role(actor=anquan, user=anquan, role=Role.PROVINCE_ADMIN, region=Region.objects.get(code="370000"))
    assert "不能给自己分配角色" in str(info.value)
    assert held(anquan) == before


def test_it_refuses_the_security_admin_turning_an_admin_into_a_business_account():
    xitong = persona("xitong")
    before = held(xitong)
    response = admin_post(client_for(persona("anquan")), change_url(xitong), role=Role.PROVINCE_ADMIN,
                          region="370000")
    assert response.status_code == 200
    assert "角色（系统管理员）不能更改" in " ".join(response.context["adminform"].form.errors["role"])
    assert held(xitong) == before


def test_it_refuses_a_business_account_becoming_an_admin(jinan_officer):
    before = held(jinan_officer)
    response = admin_post(client_for(persona("anquan")), change_url(jinan_officer), role=Role.SYSTEM_ADMIN,
                          region="")
    assert response.status_code == 200
    assert "不能改为管理员角色" in " ".join(response.context["adminform"].form.errors["role"])
    assert held(jinan_officer) == before


def test_it_refuses_an_admin_role_with_business_scope():
    account = pending_account()
    before = held(account)
    response = admin_post(client_for(persona("anquan")), change_url(account), role=Role.AUDIT_ADMIN,
                          region="370100")
    assert response.status_code == 200
    assert "管理员账号不持有业务范围" in " ".join(response.context["adminform"].form.errors["region"])
    assert held(account) == before


# The duties done right, and audited ----------------------------------------------------------------------

def test_the_system_admin_creates_an_account_without_a_role_and_the_security_admin_assigns_one():
    response = client_for(persona("xitong")).post("/admin/accounts/user/add/", {
        "username": "xinren", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "first_name": "新人",
        "organisation": "济南市工信局"})
    assert response.status_code == 302
    account = persona("xinren")
    assert (account.role, account.region_id, account.is_staff) == (Role.PENDING, None, False)
    created = AuditEvent.objects.get(object_type="accounts.user", object_id=str(account.pk), action="create")
    assert created.actor_name == "xitong" and created.after["role"] == "pending"
    assert account.is_read_only  # a pending account writes nothing

    response = admin_post(client_for(persona("anquan")), change_url(account), role=Role.CITY_OFFICER,
                          region="370100")
    assert response.status_code == 302
    assert held(account)[:2] == (Role.CITY_OFFICER, "370100")
    event = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(account.pk)).first()
    assert event.actor_name == "anquan" and event.action == "update"
    assert (event.before["role"], event.after["role"]) == ("pending", "city_officer")
    assert (event.before["region"], event.after["region"]) == (None, "370100")


def test_the_system_admin_edits_deactivates_and_resets_passwords_audited(jinan_officer):
    client = client_for(persona("xitong"))
    token_client(jinan_officer)
    response = admin_post(client, change_url(jinan_officer), organisation="济南市工业和信息化局（新）",
                          is_active=False)
    assert response.status_code == 302
    fresh = persona("jinan")
    assert fresh.organisation == "济南市工业和信息化局（新）" and not fresh.is_active
    assert not fresh.api_tokens.filter(revoked=False).exists()
    events = list(AuditEvent.objects.filter(object_type="accounts.user", object_id=str(fresh.pk))[:2])
    assert {e.actor_name for e in events} == {"xitong"}
    assert any(e.before["is_active"] and not e.after["is_active"] for e in events)
    assert any(e.after["organisation"] == "济南市工业和信息化局（新）" for e in events)

    response = client.post(f"/admin/accounts/user/{fresh.pk}/password/", {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert persona("jinan").check_password(NEW_PASSWORD)
    event = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(fresh.pk)).first()
    assert event.after == {"password": "reset"} and event.actor_name == "xitong"


def test_it_refuses_the_security_admin_creating_accounts_or_resetting_passwords(jinan_officer):
    client = client_for(persona("anquan"))
    assert client.get("/admin/accounts/user/add/").status_code == 403
    response = client.post(f"/admin/accounts/user/{jinan_officer.pk}/password/", {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    assert persona("jinan").check_password(PASSWORD)
    with pytest.raises(PermissionDenied) as info:
        user_password_set(actor=persona("anquan"), user=jinan_officer, password=NEW_PASSWORD)
    assert "只有系统管理员可以重置他人的密码" in str(info.value)


def test_it_refuses_anyone_deleting_an_account(jinan_officer):
    for username in ("xitong", "anquan"):
        response = client_for(persona(username)).post(f"/admin/accounts/user/{jinan_officer.pk}/delete/",
                                                      {"post": "yes"})
        assert response.status_code == 403
    assert User.objects.filter(pk=jinan_officer.pk).exists()


def test_it_refuses_the_system_admin_deactivating_itself():
    xitong = persona("xitong")
    with pytest.raises(PermissionDenied) as info:
        user_deactivate(actor=xitong, user=xitong)
    assert "不能停用或启用自己的账号" in str(info.value)
    admin_post(client_for(xitong), change_url(xitong), is_active=False)
    assert persona("xitong").is_active


@pytest.mark.parametrize("username", ["sheng", "jinan", "anquan", "shenji", "lingdao"])
def test_it_refuses_account_keeping_to_everyone_but_the_system_admin(username, jining_officer):
    actor = persona(username)
    before, events = held(jining_officer), account_events(jining_officer)
    for call in (
        lambda: user_create(actor=actor, username="x-new", password=NEW_PASSWORD),
        lambda: user_update_profile(actor=actor, user=jining_officer, organisation="改"),
        lambda: user_deactivate(actor=actor, user=jining_officer),
        lambda: user_activate(actor=actor, user=jining_officer),
    ):
        with pytest.raises(PermissionDenied) as info:
            call()
        assert "只有系统管理员" in str(info.value)
    assert held(jining_officer) == before and account_events(jining_officer) == events
    assert persona("jining").organisation != "改"


def test_it_refuses_a_role_without_its_scope_naming_the_field():
    account = pending_account()
    anquan = persona("anquan")
    with pytest.raises(ValidationError) as info:
        user_assign_role(actor=anquan, user=account, role=Role.CITY_OFFICER)
    assert "市级用户须选择所属区划" in info.value.message_dict["region"][0]
    with pytest.raises(ValidationError) as info:
        user_assign_role(actor=anquan, user=account, role=Role.ENTERPRISE_REPORTER)
    assert "企业填报员须选择所属企业" in info.value.message_dict["enterprise"][0]
    assert held(account)[0] == Role.PENDING


def test_every_role_assignment_by_every_persona_keeps_the_duties_apart():
    """Every demo persona tries to give every account every role (with a scope that fits the role)."""
    accounts = list(User.objects.filter(username__in=[
        "sheng", "jinan", "jining", "rencheng", "jiqun_org", "qiye", "zhuanjia", "lingdao", "xitong", "anquan",
        "shenji"]).order_by("username"))
    accounts.append(pending_account())
    enterprise = make_enterprise("370102")
    region = Region.objects.get(code="370100")
    tried = succeeded = 0

    class Undo(Exception):
        pass

    for actor in accounts:
        for target in accounts:
            for role in Role.values:
                scope = {"region": region if role in REGION_ROLES else None,
                         "enterprise": enterprise if role == Role.ENTERPRISE_REPORTER else None}
                before, events = held(target), account_events(target)
                try:
                    with transaction.atomic():
                        user_assign_role(actor=actor, user=target, role=role, **scope)
                        after = held(target)
                        raise Undo
                except Undo:
                    succeeded += 1
                    assert actor.role == Role.SECURITY_ADMIN and actor.pk != target.pk, (actor, target, role)
                    assert not (target.role in ADMIN_ROLES and role != target.role)
                    assert not (target.role in BUSINESS_ROLES and role in ADMIN_ROLES)
                    assert after[0] == role and not after[6]
                    assert after[5] == (role in ADMIN_ROLES or role == Role.PROVINCE_ADMIN)
                    if role in ADMIN_ROLES:
                        assert after[1:4] == (None, None, [])
                except (PermissionDenied, ValidationError):
                    assert held(target) == before and account_events(target) == events
                tried += 1
    assert tried == len(accounts) ** 2 * len(Role.values)
    assert succeeded > 0  # the security admin can still do its job


@given(
    role=st.sampled_from(Role.values),
    with_region=st.booleans(),
    with_cluster=st.booleans(),
    with_enterprise=st.booleans(),
)
def test_an_admin_role_never_fits_any_business_scope(role, with_region, with_cluster, with_enterprise):
    """The pure rule: an admin (or pending) account with any scope at all is refused, field by field."""
    errors = scope_errors(role=role, region=object() if with_region else None,
                          clusters=[object()] if with_cluster else [],
                          enterprise=object() if with_enterprise else None)
    if role in ADMIN_ROLES or role == Role.PENDING:
        assert set(errors) == ({"region"} if with_region else set()) | ({"clusters"} if with_cluster else set()) | (
            {"enterprise"} if with_enterprise else set())
    if role in REGION_ROLES and not with_region:
        assert "region" in errors


# The Django admin is read-only for business data -------------------------------------------------------

def test_it_refuses_the_province_renaming_an_enterprise_in_the_admin(as_province):
    enterprise = make_enterprise("370102", name="原企业名")
    events = AuditEvent.objects.exclude(action="denied").count()
    response = as_province.post(f"/admin/enterprises/enterprise/{enterprise.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    assert Enterprise.objects.get(pk=enterprise.pk).name == "原企业名" and AuditEvent.objects.exclude(action="denied").count() == events


def test_it_refuses_the_province_changing_a_targets_document_figure_in_the_admin(as_province):
    target = Target.objects.order_by("id").first()
    value = target.value
    response = as_province.post(f"/admin/programmes/target/{target.pk}/change/", {"value": "999"})
    assert response.status_code == 403
    assert Target.objects.get(pk=target.pk).value == value


def test_it_refuses_the_province_deleting_or_reverting_a_cluster_in_the_admin(as_province, province_admin):
    from jiqun.clusters.services import cluster_update

    cluster = make_cluster("370100", name="第一版")
    cluster_update(actor=province_admin, cluster=cluster, name="第二版")
    response = as_province.post(f"/admin/clusters/cluster/{cluster.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    first = cluster.history.order_by("history_id").first()
    # The revert form posts the whole first version back: the save itself is refused.
    response = admin_post(as_province, f"/admin/clusters/cluster/{cluster.pk}/history/{first.history_id}/",
                          name="第一版")
    assert response.status_code == 403
    assert Cluster.objects.get(pk=cluster.pk).name == "第二版"


def test_every_admin_page_but_the_accounts_is_read_only_for_every_persona():
    """Every registered model admin, every persona: add, change and delete are refused but for accounts."""
    request_factory = RequestFactory()
    checked = 0
    for user in User.objects.filter(username__in=["sheng", "jinan", "xitong", "anquan", "shenji", "lingdao"]):
        request = request_factory.get("/admin/")
        request.user = user
        for model, model_admin in admin.site._registry.items():
            may = (model_admin.has_add_permission(request), model_admin.has_change_permission(request),
                   model_admin.has_delete_permission(request))
            if model is User and user.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
                assert may == (user.role == Role.SYSTEM_ADMIN, True, False)
            else:
                assert may == (False, False, False), (model, user.username)
            checked += 1
    assert checked >= 6 * 15


def test_the_security_admin_revokes_a_token_in_the_admin_audited(jinan_officer):
    from jiqun.accounts.models import ApiToken

    token_client(jinan_officer)
    token = ApiToken.objects.filter(user=jinan_officer, revoked=False).get()
    client = client_for(persona("anquan"))
    response = client.post(f"/admin/accounts/apitoken/{token.pk}/change/", {"revoked": "on"})
    assert response.status_code == 403 and not ApiToken.objects.get(pk=token.pk).revoked
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302 and ApiToken.objects.get(pk=token.pk).revoked
    event = AuditEvent.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk)).first()
    assert event.actor_name == "anquan" and event.after["revoked"] is True


def test_a_reset_password_must_be_changed_at_the_next_login_and_drops_unconfirmed_enrolments():
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sheng = persona("sheng")
    TOTPDevice.objects.create(user=sheng, name="half-enrolled", confirmed=False)
    client = client_for(persona("xitong"))
    response = client.post(f"/admin/accounts/user/{sheng.pk}/password/", {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=sheng, confirmed=False).exists()
    whoever = Client()
    whoever.post("/accounts/login/", {"username": "sheng", "password": NEW_PASSWORD})
    assert whoever.get("/clusters/").url.startswith("/accounts/password/"), "a reset password is a one-time password"


@pytest.mark.parametrize("admin", ["shenji", "anquan"])
def test_the_system_admin_cannot_deactivate_or_reset_the_other_administrators(admin):
    target = persona(admin)
    client = client_for(persona("xitong"))
    events = AuditEvent.objects.exclude(action="denied").count()
    with pytest.raises(PermissionDenied, match="管理员账号由服务器运维人员维护"):
        user_deactivate(actor=persona("xitong"), user=target)
    with pytest.raises(PermissionDenied, match="管理员账号由服务器运维人员维护"):
        user_password_set(actor=persona("xitong"), user=target, password=NEW_PASSWORD)
    response = client.post(f"/admin/accounts/user/{target.pk}/password/", {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    fresh = persona(admin)
    assert fresh.is_active and not fresh.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.exclude(action="denied").count() == events
