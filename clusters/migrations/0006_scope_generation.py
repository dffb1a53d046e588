"""The scope generation in the database (issue #14, finding 11): one row, moved on by every change
of a role grant or a unit, read with the user at each request, so that a cached scope is trusted
only while it is current — in every process."""

from django.db import migrations, models


def first_generation(apps, schema_editor):
    apps.get_model("clusters", "ScopeGeneration").objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    dependencies = [
        ('clusters', '0005_cluster_extra_units'),
    ]

    operations = [
        migrations.CreateModel(
            name='ScopeGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.BigIntegerField(default=1, verbose_name='thế hệ phân quyền')),
            ],
            options={
                'verbose_name': 'thế hệ phân quyền',
                'verbose_name_plural': 'thế hệ phân quyền',
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='scope_generation_one_row')],
            },
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
