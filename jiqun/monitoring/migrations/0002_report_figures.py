# Figures move from one ReportValue row per value (with a simple-history row each) onto the report, with one revision per write.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def values_to_figures(apps, schema_editor):
    """Each report's ReportValue rows become its figures and one revision that carries their provenance."""
    from collections import defaultdict

    from django.utils import timezone

    Report = apps.get_model("monitoring", "Report")
    ReportValue = apps.get_model("monitoring", "ReportValue")
    ReportRevision = apps.get_model("monitoring", "ReportRevision")

    def text(number):
        return None if number is None else format(number, "f")

    by_report = defaultdict(list)
    for value in ReportValue.objects.select_related("indicator").order_by("report_id", "indicator__code"):
        by_report[value.report_id].append(value)
    for report_id, values in by_report.items():
        figures = {v.indicator.code: [text(v.current), text(v.previous), v.note, 1] for v in values}
        latest = max(values, key=lambda v: v.updated_at)
        ReportRevision.objects.create(report_id=report_id, number=1, provenance=latest.provenance,
                                      batch_id=latest.batch_id, source_row=latest.source_row,
                                      actor_name=latest.updated_by, at=latest.updated_at or timezone.now(),
                                      changes=figures)
        Report.objects.filter(pk=report_id).update(figures=figures, revision=1)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='figures',
            field=models.JSONField(blank=True, default=dict, verbose_name='填报值'),
        ),
        migrations.AddField(
            model_name='report',
            name='revision',
            field=models.PositiveIntegerField(default=0, verbose_name='修订次数'),
        ),
        migrations.CreateModel(
            name='ReportRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='修订号')),
                ('provenance', models.CharField(choices=[('form', '网页填报'), ('import', 'Excel 导入'), ('api', '接口'), ('computed', '汇总计算'), ('correction', '更正'), ('demo', '演示数据')], max_length=12, verbose_name='来源')),
                ('source_row', models.PositiveIntegerField(blank=True, null=True, verbose_name='来源行')),
                ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='填报人')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('changes', models.JSONField(help_text='本次写入的条目，格式同报表的填报值', verbose_name='本次填报值')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='revisions', to='monitoring.importbatch', verbose_name='导入批次')),
                ('report', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='monitoring.report')),
            ],
            options={
                'verbose_name': '填报修订',
                'verbose_name_plural': '填报修订',
                'ordering': ['report', 'number'],
            },
        ),
        migrations.AddConstraint(
            model_name='reportrevision',
            constraint=models.UniqueConstraint(fields=('report', 'number'), name='one_revision_number_per_report'),
        ),
        migrations.RunPython(values_to_figures, migrations.RunPython.noop),
        migrations.AlterUniqueTogether(
            name='reportvalue',
            unique_together=None,
        ),
        migrations.RemoveField(
            model_name='reportvalue',
            name='batch',
        ),
        migrations.RemoveField(
            model_name='reportvalue',
            name='indicator',
        ),
        migrations.RemoveField(
            model_name='reportvalue',
            name='report',
        ),
        migrations.DeleteModel(
            name='HistoricalReportValue',
        ),
        migrations.DeleteModel(
            name='ReportValue',
        ),
    ]
