"""Standing.band_explanation: why each member has its band. The current runs' standings are
explained from what they stored — the scheme version's bands and criteria (immutable) and the
run's score lines — so published years, which are never recomputed, explain their bands too."""

from django.db import migrations, models


def explain_current_bands(apps, schema_editor):
    # The pure engine reads no model, so calling it here cannot drift with the models.
    from scoring.engine.classification import classify
    from scoring.engine.types import Band as EngineBand

    ScoringRun = apps.get_model("scoring", "ScoringRun")
    Standing = apps.get_model("scoring", "Standing")
    Score = apps.get_model("scoring", "Score")
    Criterion = apps.get_model("scoring", "Criterion")
    Band = apps.get_model("scoring", "Band")
    for run_id, scheme_id in ScoringRun.objects.filter(is_current=True).values_list(
        "pk", "scheme_id"
    ):
        bands = [
            EngineBand(
                band=name,
                min_total=float(min_total),
                min_each=None if min_each is None else float(min_each),
            )
            for name, min_total, min_each in Band.objects.filter(scheme_id=scheme_id)
            .order_by("position", "id")
            .values_list("name", "min_total", "min_each")
        ]
        criteria = list(
            Criterion.objects.filter(scheme_id=scheme_id)
            .order_by("position", "id")
            .values_list("code", "name", "kind", "points", "knockout")
        )
        lines = {
            (unit_id, code): (points, met)
            for unit_id, code, points, met in Score.objects.filter(run_id=run_id).values_list(
                "unit_id", "criterion_code", "points", "met"
            )
        }
        explained = []
        for standing in Standing.objects.filter(run_id=run_id, band_explanation__isnull=True):
            unit = standing.unit_id
            if any((unit, code) not in lines for code, *_rest in criteria):
                continue
            knockout = None
            if not standing.eligible:
                knockout = next(
                    (
                        (code, name)
                        for code, name, _kind, _points, is_knockout in criteria
                        if is_knockout and not lines[(unit, code)][1]
                    ),
                    None,
                )
                if knockout is None:
                    continue
            shares = [
                (code, name, lines[(unit, code)][0] / float(points))
                for code, name, kind, points, _knockout in criteria
                if kind == "regular" and points > 0
            ]
            explanation = classify(bands, total=standing.total, shares=shares, knockout=knockout)
            if explanation.band != (standing.band or None):
                continue  # never contradict a stored band: leave it unexplained
            standing.band_explanation = explanation.to_dict()
            explained.append(standing)
        Standing.objects.bulk_update(explained, ["band_explanation"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_default_order_without_joins"),
    ]

    operations = [
        migrations.AddField(
            model_name="standing",
            name="band_explanation",
            field=models.JSONField(blank=True, null=True, verbose_name="giải thích xếp loại"),
        ),
        migrations.RunPython(explain_current_bands, migrations.RunPython.noop, elidable=True),
    ]
