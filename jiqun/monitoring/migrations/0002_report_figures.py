# Figures move from one ReportValue row per value (and a simple-history row each) onto the report, one revision per write.

import django.db.models.deletion
from django.db import migrations, models


def values_to_figures(apps, schema_editor):
    """Each report's values and their simple-history rows become its figures and its revisions.

    One revision per moment something was written (the history rows of one report with one history_date and
    user), keeping the entries it replaced, so the values that later writes overwrote stay on record; a value
    as it stands that its history does not end with (written around the ORM) gets a last revision of its own.
    """
    from collections import defaultdict
    from itertools import groupby

    Report = apps.get_model("monitoring", "Report")
    ReportValue = apps.get_model("monitoring", "ReportValue")
    Historical = apps.get_model("monitoring", "HistoricalReportValue")
    ReportRevision = apps.get_model("monitoring", "ReportRevision")
    codes = dict(apps.get_model("programmes", "Indicator").objects.values_list("pk", "code"))

    def text(number):
        return None if number is None else format(number.normalize(), "f")

    def stored(row, number):
        return [text(row.current), text(row.previous), row.note, number]

    def revision(report_id, number, rows, replaced, when):
        last = rows[-1]
        return ReportRevision(report_id=report_id, number=number, provenance=last.provenance, batch_id=last.batch_id,
                              source_row=last.source_row, actor_name=last.updated_by, at=when, replaced=replaced)

    history, now = defaultdict(list), defaultdict(dict)
    for row in Historical.objects.order_by("report_id", "history_date", "history_id").iterator(chunk_size=10_000):
        history[row.report_id].append(row)
    for value in ReportValue.objects.iterator(chunk_size=10_000):
        now[value.report_id][codes[value.indicator_id]] = value
    revisions, reports = [], []
    for report_id in sorted(now):
        figures, number = {}, 0
        moments = groupby(history.get(report_id, []), key=lambda row: (row.history_date, row.history_user_id))
        for (when, _user), rows in moments:
            rows = [row for row in rows if row.history_type != "-" and row.indicator_id in codes]
            if rows:
                number += 1
                changes = {codes[row.indicator_id]: stored(row, number) for row in rows}
                revisions.append(revision(report_id, number, rows, {code: figures.get(code) for code in changes}, when))
                figures.update(changes)
        unrecorded = [v for code, v in now[report_id].items() if figures.get(code, [])[:3] != stored(v, 0)[:3]]
        if unrecorded:
            number += 1
            changes = {codes[v.indicator_id]: stored(v, number) for v in unrecorded}
            latest = max(unrecorded, key=lambda v: v.updated_at)
            revisions.append(revision(report_id, number, unrecorded, {code: figures.get(code) for code in changes},
                                      latest.updated_at))
            figures.update(changes)
        reports.append(Report(pk=report_id, figures={code: figures[code] for code in now[report_id]}, revision=number))
    ReportRevision.objects.bulk_create(revisions, batch_size=5000)
    Report.objects.bulk_update(reports, ["figures", "revision"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0001_initial'),
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
                ('replaced', models.JSONField(help_text='本次写入前各指标的条目，此前没有则为 null', verbose_name='被替换的值')),
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
