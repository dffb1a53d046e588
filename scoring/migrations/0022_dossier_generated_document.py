"""The dossier's hook for the documents room becomes a foreign key: `generated_document_id` keeps
its column name and its meaning (the id of the GeneratedDocument made for the item). The old
column is renamed aside, its ids copied into the key where such a document exists (the hook was
never written before this: in practice every row is empty), then dropped."""

import django.db.models.deletion
from django.db import migrations, models


def copy_forward(apps, schema_editor):
    documents = apps.get_model("scoring", "DossierDocument")
    generated = apps.get_model("scoring", "GeneratedDocument")
    rows = documents.objects.filter(former_generated_document_id__isnull=False)
    existing = set(
        generated.objects.filter(
            pk__in=rows.values_list("former_generated_document_id", flat=True)
        ).values_list("pk", flat=True)
    )
    for row in rows.only("pk", "former_generated_document_id"):
        if row.former_generated_document_id in existing:
            documents.objects.filter(pk=row.pk).update(
                generated_document_id=row.former_generated_document_id
            )


def copy_back(apps, schema_editor):
    documents = apps.get_model("scoring", "DossierDocument")
    for row in documents.objects.filter(generated_document__isnull=False).only(
        "pk", "generated_document_id"
    ):
        documents.objects.filter(pk=row.pk).update(
            former_generated_document_id=row.generated_document_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0021_award_kind_award_code"),
    ]

    operations = [
        migrations.RenameField(
            model_name="dossierdocument",
            old_name="generated_document_id",
            new_name="former_generated_document_id",
        ),
        migrations.AddField(
            model_name="dossierdocument",
            name="generated_document",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dossier_documents",
                to="scoring.generateddocument",
                verbose_name="văn bản được tạo",
            ),
        ),
        migrations.RunPython(copy_forward, copy_back),
        migrations.RemoveField(
            model_name="dossierdocument",
            name="former_generated_document_id",
        ),
        migrations.AddConstraint(
            model_name="dossierdocument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("generated", True), ("generated_document__isnull", True), _connector="OR"
                ),
                name="only_generated_document_names_one",
            ),
        ),
    ]
