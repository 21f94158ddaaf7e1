# Figures move from one ReportValue row per value (and a simple-history row each) to one revision per write.

import django.db.models.deletion
from django.db import migrations, models

import jiqun.monitoring.models


def values_to_revisions(apps, schema_editor):
    """Each report's values and their simple-history rows become its revisions, the latest being its figures.

    One revision per write (the history rows of one report by one user within a second: the old service saved
    a form's values one after another), holding the figures as that write left them, so the values later writes overwrote stay on
    record; a value as it stands that its history does not end with (written around the ORM) gets a last
    revision of its own.
    """
    from collections import defaultdict
    from datetime import timedelta

    ReportValue = apps.get_model("monitoring", "ReportValue")
    Historical = apps.get_model("monitoring", "HistoricalReportValue")
    ReportRevision = apps.get_model("monitoring", "ReportRevision")
    codes = dict(apps.get_model("programmes", "Indicator").objects.values_list("pk", "code"))

    def text(number):
        return None if number is None else format(number.normalize(), "f")

    def stored(row, number):
        return [text(row.current), text(row.previous), row.note, number]

    def revision(report_id, number, rows, figures, when):
        last = rows[-1]
        return ReportRevision(report_id=report_id, number=number, provenance=last.provenance, batch_id=last.batch_id,
                              source_row=last.source_row, actor_name=last.updated_by, at=when, figures=dict(figures))

    history, now = defaultdict(list), defaultdict(dict)
    for row in Historical.objects.order_by("report_id", "history_date", "history_id").iterator(chunk_size=10_000):
        history[row.report_id].append(row)
    for value in ReportValue.objects.iterator(chunk_size=10_000):
        now[value.report_id][codes[value.indicator_id]] = value
    revisions = []
    for report_id in sorted(now):
        figures, number = {}, 0
        writes = []
        for row in history.get(report_id, []):
            first = writes[-1][0] if writes else None
            if first is None or row.history_user_id != first.history_user_id or \
                    row.history_date - first.history_date > timedelta(seconds=1):
                writes.append([row])
            else:
                writes[-1].append(row)
        for rows in writes:
            when = rows[-1].history_date
            rows = [row for row in rows if row.history_type != "-" and row.indicator_id in codes]
            if rows:
                number += 1
                figures.update({codes[row.indicator_id]: stored(row, number) for row in rows})
                revisions.append(revision(report_id, number, rows, figures, when))
        unrecorded = [v for code, v in now[report_id].items() if figures.get(code, [])[:3] != stored(v, 0)[:3]]
        gone = set(figures) - set(now[report_id])
        if unrecorded or gone:
            number += 1
            figures.update({codes[v.indicator_id]: stored(v, number) for v in unrecorded})
            for code in gone:
                del figures[code]
            rows = unrecorded or list(now[report_id].values())
            revisions.append(revision(report_id, number, rows, figures, max(v.updated_at for v in rows)))
    ReportRevision.objects.bulk_create(revisions, batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='修订号')),
                ('provenance', models.CharField(choices=[('form', '网页填报'), ('import', 'Excel 导入'), ('api', '接口'), ('computed', '汇总计算'), ('correction', '更正'), ('demo', '演示数据')], max_length=12, verbose_name='来源')),
                ('source_row', models.PositiveIntegerField(blank=True, null=True, verbose_name='来源行')),
                ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='填报人')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('figures', jiqun.monitoring.models.JSONText(help_text='本次写入后报表的全部填报值', verbose_name='填报值')),
                ('batch', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='revisions', to='monitoring.importbatch', verbose_name='导入批次')),
                ('report', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='monitoring.report')),
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
        migrations.RunPython(values_to_revisions, migrations.RunPython.noop),
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
