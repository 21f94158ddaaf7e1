"""An append-only, keyed hash chain of security events and changes to data (等保 2.0 level 3).

How rows are hashed and checked is in `jiqun.audit.chain`; writing and checking is in `jiqun.audit.services`.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    DENIED = "denied", _("拒绝访问")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    TOKEN = "token", _("令牌")
    PRUNE = "prune", _("清理日志")


class HashScheme(models.TextChoices):
    PLAIN = "sha256", _("SHA-256（旧记录）")
    KEYED = "hmac-sha256", _("HMAC-SHA256")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("修改后"), null=True, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    scheme = models.CharField(_("哈希方式"), max_length=16, choices=HashScheme.choices, default=HashScheme.KEYED,
                              editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")

    def payload(self) -> str:
        """Return the canonical text the hash covers; keyed rows also cover their sequence number."""
        data = {
            "at": self.at.isoformat() if self.at else None,
            "actor": self.actor_name,
            "action": self.action,
            "type": self.object_type,
            "id": self.object_id,
            "repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "ip": self.ip,
        }
        if self.scheme != HashScheme.PLAIN:
            data["seq"] = self.seq
        return json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
