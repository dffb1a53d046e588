"""The scheme in force moves to the scoring side: `Scheme.in_force` (one a year) replaces
`EmulationYear.scheme`, so that the clusters app refers to nothing of scoring's. The flag is set
from the old pointer here; the clusters app's next migration then drops the pointer."""

from django.db import migrations, models
from django.db.models import Q


def mark_in_force(apps, schema_editor):
    EmulationYear = apps.get_model("clusters", "EmulationYear")
    Scheme = apps.get_model("scoring", "Scheme")
    ids = EmulationYear.objects.exclude(scheme=None).values_list("scheme_id", flat=True)
    Scheme.objects.filter(pk__in=list(ids)).update(in_force=True)


def point_at_in_force(apps, schema_editor):
    EmulationYear = apps.get_model("clusters", "EmulationYear")
    Scheme = apps.get_model("scoring", "Scheme")
    for scheme in Scheme.objects.filter(in_force=True).only("pk", "emulation_year_id"):
        EmulationYear.objects.filter(pk=scheme.emulation_year_id).update(scheme=scheme.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0006_scope_generation"),
        ("scoring", "0009_ballot_secrecy"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheme",
            name="in_force",
            field=models.BooleanField(default=False, verbose_name="đang áp dụng"),
        ),
        migrations.RunPython(mark_in_force, point_at_in_force),
        migrations.AddConstraint(
            model_name="scheme",
            constraint=models.UniqueConstraint(
                condition=Q(in_force=True),
                fields=("emulation_year",),
                name="scheme_one_in_force_per_year",
            ),
        ),
    ]
