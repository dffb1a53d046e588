"""The year's scheme pointer is dropped: the scoring app now marks the scheme in force
(`scoring.Scheme.in_force`, set from this pointer by scoring's migration 0010)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0006_scope_generation"),
        ("scoring", "0010_scheme_in_force"),
    ]

    operations = [
        migrations.RemoveField(model_name="emulationyear", name="scheme"),
    ]
