"""The secretariat opens a year and sets its targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import Cluster, EmulationYear, Membership, Unit, UnitSuccession, YearOffice
from scoring.errors import ReasonRequired, ScoringError, YearLocked
from scoring.formatting import plain_number
from scoring.models import MemberTarget, Scheme
from scoring.ranking.services.dirty import year_mark_dirty
from scoring.schemes.selectors import scheme_to_engine
from scoring.schemes.services import scheme_create_version


def members_carried_over(*, cluster: Cluster, year: int) -> list[Unit]:
    """Last year's members, each replaced by the unit it merged into by the end of `year`."""
    previous = (
        EmulationYear.objects.filter(cluster=cluster, year__lt=year).order_by("-year").first()
    )
    if previous is None:
        return []
    successor_of = {
        p: (s, d)
        for p, s, d in UnitSuccession.objects.values_list(
            "predecessor_id", "successor_id", "effective_on"
        )
    }
    end = dt.date(year, 12, 31)
    result: list[int] = []
    for unit_id in previous.memberships.order_by("unit__name").values_list("unit_id", flat=True):
        seen = {unit_id}
        while (
            unit_id in successor_of
            and successor_of[unit_id][1] <= end
            and successor_of[unit_id][0] not in seen
        ):
            unit_id = successor_of[unit_id][0]
            seen.add(unit_id)
        if unit_id not in result:
            result.append(unit_id)
    units = Unit.objects.in_bulk(result)
    return [units[i] for i in result]


def units_open_to_cluster(*, cluster: Cluster, active_only: bool = True) -> QuerySet[Unit]:
    """The units a secretariat may make members of the cluster's next year: the members of its
    earlier years, the units that succeeded them (through any chain of mergers), and the units a
    system administrator attached to the cluster (Cluster.extra_units) — active, and not a
    supervising body (`active_only=False`: also those no longer active, as a year carried over by
    the conference may keep them). Never another cluster's unit by itself: its figures would become "last
    year's" on this cluster's pages, and its reporter would gain this cluster's pages."""
    found = set(
        Membership.objects.filter(emulation_year__cluster=cluster).values_list("unit_id", flat=True)
    )
    successors: dict[int, set[int]] = {}
    for predecessor, successor in UnitSuccession.objects.values_list(
        "predecessor_id", "successor_id"
    ):
        successors.setdefault(predecessor, set()).add(successor)
    todo = list(found)
    while todo:
        for successor in successors.get(todo.pop(), ()):
            if successor not in found:
                found.add(successor)
                todo.append(successor)
    units = Unit.objects.filter(Q(pk__in=found) | Q(pk__in=cluster.extra_units.values("pk")))
    if active_only:
        units = units.filter(is_active=True)
    return units.exclude(kind=Unit.Kind.SUPERVISING_BODY).order_by("name")


def offices_create(*, emulation_year: EmulationYear, head: Unit, deputies: list[Unit]) -> None:
    """The year's head and deputies (the caller checks they are members)."""
    YearOffice.objects.bulk_create(
        [YearOffice(emulation_year=emulation_year, unit=head, role=YearOffice.Role.HEAD)]
        + [
            YearOffice(emulation_year=emulation_year, unit=d, role=YearOffice.Role.DEPUTY)
            for d in deputies
        ]
    )


def year_open(
    *,
    cluster: Cluster,
    year: int,
    members: list[Unit],
    head: Unit,
    deputies: list[Unit],
    reporting_deadline: dt.date | None,
    copy_scheme: bool,
    actor: Actor = None,
) -> EmulationYear:
    if head not in members or any(d not in members for d in deputies):
        raise ScoringError(_("Cụm trưởng và cụm phó phải là thành viên của năm thi đua."))
    if head in deputies:
        raise ScoringError(_("Một đơn vị không thể vừa là cụm trưởng vừa là cụm phó."))
    allowed = set(
        units_open_to_cluster(cluster=cluster, active_only=False).values_list("pk", flat=True)
    )
    outside = sorted(u.code for u in members if u.pk not in allowed)
    if outside:
        raise ScoringError(
            _(
                "Đơn vị không thuộc cụm này: %(units)s. Chỉ được thêm thành viên các năm trước, "
                "đơn vị kế thừa của họ và đơn vị được quản trị hệ thống gắn vào cụm."
            )
            % {"units": ", ".join(outside)}
        )
    try:
        with transaction.atomic():
            opened = EmulationYear.objects.create(
                cluster=cluster, year=year, reporting_deadline=reporting_deadline
            )
            Membership.objects.bulk_create(
                [Membership(emulation_year=opened, unit=u) for u in members]
            )
            offices_create(emulation_year=opened, head=head, deputies=deputies)
            audit_record(
                actor=actor,
                action="year.open",
                obj=opened,
                emulation_year_id=opened.pk,
                summary=f"Mở năm thi đua {year} của {cluster}: {len(members)} thành viên, cụm trưởng {head}",
                after={
                    "members": [u.code for u in members],
                    "head": head.code,
                    "deputies": [d.code for d in deputies],
                },
            )
            if copy_scheme:
                # The scheme in force of the cluster's latest earlier year that has one.
                previous = (
                    Scheme.objects.filter(
                        emulation_year__cluster=cluster,
                        emulation_year__year__lt=year,
                        in_force=True,
                    )
                    .order_by("-emulation_year__year")
                    .first()
                )
                if previous is not None:
                    copied = scheme_to_engine(previous)
                    scheme_create_version(
                        emulation_year=opened,
                        scheme=copied.__class__(
                            name=f"Thang điểm thi đua năm {year} — {cluster.name}",
                            scale=copied.scale,
                            data_elements=copied.data_elements,
                            criteria=copied.criteria,
                            classification=copied.classification,
                            tie_break=copied.tie_break,
                            format=copied.format,
                        ),
                        source=previous.source,
                        actor=actor,
                    )
            year_mark_dirty(emulation_year_id=opened.pk)
    except IntegrityError:
        raise ScoringError(
            _("Cụm đã có năm thi đua %(year)s.") % {"year": year}, field="year"
        ) from None
    return opened


def targets_set(
    *,
    emulation_year: EmulationYear,
    targets: Mapping[tuple[int, str], Decimal | None],
    reason: str = "",
    actor: Actor = None,
    note: str = "",
) -> int:
    """Set members' own targets ((unit id, criterion code) → target; None removes the override).
    Once every member has signed the pledge the targets are binding: a change is an amendment with
    a reason, recorded in the audit trail (`note` says where the values came from, e.g. a file).
    Returns the number of targets changed."""
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        if year.is_published:
            raise YearLocked(_("Kết quả năm này đã công bố: chỉ tiêu không thể thay đổi."))
        locked = getattr(year, "pledge", None) is not None and year.pledge.locked_at is not None
        existing = {
            (t.unit_id, t.criterion_code): t
            for t in MemberTarget.objects.filter(emulation_year=year)
        }
        before, after = {}, {}
        for (unit_id, code), value in targets.items():
            row = existing.get((unit_id, code))
            old = None if row is None else row.target
            if old == value:
                continue
            key = f"{unit_id}:{code}"
            before[key] = None if old is None else plain_number(old)
            after[key] = None if value is None else plain_number(value)
            if value is None:
                assert row is not None  # no row holds None, and the value changed
                row.delete()
            elif row is None:
                MemberTarget.objects.create(
                    emulation_year=year, unit_id=unit_id, criterion_code=code, target=value
                )
            else:
                row.target = value
                row.save(update_fields=["target"])
        if not after:
            return 0
        if locked and not reason.strip():
            raise ReasonRequired(
                _("Giao ước đã được ký: thay đổi chỉ tiêu là sửa đổi giao ước, cần ghi rõ lý do.")
            )
        audit_record(
            actor=actor,
            action="targets.amend" if locked else "targets.set",
            obj=year,
            emulation_year_id=year.pk,
            summary=f"{'Sửa đổi' if locked else 'Đặt'} {len(after)} chỉ tiêu của đơn vị"
            + (f" ({note})" if note else ""),
            before=before,
            after=after,
            reason=reason.strip(),
        )
        year_mark_dirty(emulation_year_id=year.pk)
    return len(after)
