# Each report event names its transition, so the province's 代市级审核 is told apart from a city's approval.

from django.db import migrations, models

STEPS = {  # (from, to) -> transition; submitted -> city_approved depends on who gave it
    ("draft", "submitted"): "submit", ("returned", "submitted"): "submit",
    ("submitted", "returned"): "return", ("city_approved", "returned"): "return",
    ("submitted", "city_approved"): "approve_city", ("city_approved", "province_approved"): "approve_province",
}


def name_past_events(apps, schema_editor):
    """Name each earlier event's transition; a province admin's city approval was a stand-in (代市级审核)."""
    ReportEvent = apps.get_model("monitoring", "ReportEvent")
    for (source, target), action in STEPS.items():
        ReportEvent.objects.filter(from_status=source, to_status=target).update(action=action)
    ReportEvent.objects.filter(from_status="submitted", to_status="city_approved",
                               actor__role="province_admin").update(action="approve_for_city")


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0002_report_revisions'),
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportevent',
            name='action',
            field=models.CharField(blank=True, max_length=30, verbose_name='操作'),
        ),
        migrations.RunPython(name_past_events, migrations.RunPython.noop),
    ]
