"""Users, their role and where they may look."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("省级管理员")  # configures programmes, approves, evaluates
    CITY_OFFICER = "city_officer", _("市级用户")  # one city and everything below it
    COUNTY_OFFICER = "county_officer", _("县区/园区用户")  # one county or development zone
    CLUSTER_ORG = "cluster_org", _("集群促进机构")  # the clusters it promotes
    ENTERPRISE_REPORTER = "enterprise_reporter", _("企业填报员")  # its own enterprise
    EXPERT = "expert", _("评审专家")  # the applications assigned to it
    LEADER = "leader", _("领导/群长/链长")  # read-only over its region or clusters
    SYSTEM_ADMIN = "system_admin", _("系统管理员")  # users and configuration, no business data
    SECURITY_ADMIN = "security_admin", _("安全管理员")  # roles and permissions, no business data
    AUDIT_ADMIN = "audit_admin", _("审计管理员")  # reads the audit log, nothing else
    PENDING = "pending", _("待分配角色")  # created by the system admin; the security admin assigns a role


REGION_ROLES = {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.LEADER}
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
BUSINESS_ROLES = set(Role) - ADMIN_ROLES - {Role.PENDING}
READ_ONLY_ROLES = {Role.LEADER, Role.EXPERT, Role.PENDING} | ADMIN_ROLES


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.CITY_OFFICER)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    clusters = models.ManyToManyField(
        "clusters.Cluster", verbose_name=_("负责集群"), blank=True, related_name="assigned_users"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="reporters",
    )
    organisation = models.CharField(_("单位"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.get_full_name() or self.username}（{self.get_role_display()}）"

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES


class ApiToken(models.Model):
    """A bearer token for /api/v1/. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user.username}: {self.name}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "jq_" + secrets.token_urlsafe(32)
