"""Key the audit chain: a sequence number and a hash scheme per row.

Rows written before this migration keep their plain SHA-256 hashes and are marked `sha256`; they are not
re-hashed (re-keying would bless any edit made before it). Every row appended afterwards is `hmac-sha256`,
and the first of them covers the last plain row's hash, so the plain rows cannot be rewritten either.
"""

from django.db import migrations, models


def number_existing_rows(apps, schema_editor) -> None:
    """Give the existing rows their place in the chain, in id order."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    batch = []
    for seq, event in enumerate(AuditEvent.objects.order_by("id").only("id").iterator(chunk_size=2000), start=1):
        event.seq = seq
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["seq"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["seq"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.CharField(choices=[("sha256", "SHA-256（旧记录）"), ("hmac-sha256", "HMAC-SHA256")],
                                   default="sha256", editable=False, max_length=16, verbose_name="哈希方式"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="scheme",
            field=models.CharField(choices=[("sha256", "SHA-256（旧记录）"), ("hmac-sha256", "HMAC-SHA256")],
                                   default="hmac-sha256", editable=False, max_length=16, verbose_name="哈希方式"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.RunPython(number_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=[("login", "登录"), ("login_failed", "登录失败"), ("logout", "退出"),
                                            ("denied", "拒绝访问"), ("create", "新增"), ("update", "修改"),
                                            ("delete", "删除"), ("import", "导入"), ("export", "导出"),
                                            ("token", "令牌"), ("prune", "清理日志")],
                                   max_length=20, verbose_name="操作"),
        ),
    ]
