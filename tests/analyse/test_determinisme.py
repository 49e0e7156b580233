"""Order independence: random corrections in random order end where a recount ends."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerplicht.fixtures import TC_2526, VO_ROOSTER
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.domain.engine import evalueer
from services.analyse.domain.model import Beleid, Sector, Slot, Slotsoort, Slotstatus

SCHOOL = Schoolcontext(
    TC_2526,
    VO_ROOSTER,
    Beleid(signaalverzuim_minuten=600, melden_18plus_bij_16_uur=True),
)
VANDAAG = date(2025, 12, 19)
# Lesdagen around the herfstvakantie, so windows, vacation edges and LRV all occur.
LESDAGEN = TC_2526.lesdagen(date(2025, 9, 29), date(2025, 11, 21))

slot_ids = st.tuples(st.sampled_from(LESDAGEN), st.integers(min_value=1, max_value=7))


@st.composite
def slots(draw: st.DrawFn) -> Slot:
    dag, lesuur = draw(slot_ids)
    soort = draw(st.sampled_from(list(Slotsoort)))
    status = draw(st.sampled_from(list(Slotstatus)))
    return Slot(
        slot_id=f"{dag.isoformat()}/{lesuur}",
        datum=dag,
        lesuur=lesuur,
        status=status,
        minuten=0 if soort is Slotsoort.TE_LAAT else 60,
        soort=soort,
        luxe=draw(st.booleans()) and status is Slotstatus.ONGEOORLOOFD,
        ziek=status is Slotstatus.GEOORLOOFD and draw(st.booleans()),
    )


# An operation is an upsert of a slot or the removal of a slot id.
operaties = st.lists(
    st.one_of(
        slots(),
        slot_ids.map(lambda t: f"{t[0].isoformat()}/{t[1]}"),
    ),
    max_size=80,
)


def _basis() -> list[Slot]:
    # Over 4 lesweken of full-day absence under every run: V3, LRV and more to disturb.
    return [
        Slot(f"{d.isoformat()}/{lu}", d, lu, Slotstatus.ONGEOORLOOFD, 60)
        for d in LESDAGEN[:23]
        for lu in range(1, 8)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    geboortedatum=st.sampled_from([date(2011, 3, 10), date(2007, 10, 20)]),
    ops=operaties,
    batch=st.integers(min_value=1, max_value=10),
)
def test_corrections_in_any_order_equal_a_recount(
    geboortedatum: date, ops: list[Slot | str], batch: int
) -> None:
    beeld = Leerlingbeeld.nieuw("hypothese", geboortedatum, Sector.VO)
    beeld.verwerk_slots(_basis(), [], SCHOOL, VANDAAG)
    eind = {s.slot_id: s for s in _basis()}

    # When the corrections arrive in batches, in the drawn order.
    for i in range(0, len(ops), batch):
        gewijzigd = [op for op in ops[i : i + batch] if isinstance(op, Slot)]
        verwijderd = [op for op in ops[i : i + batch] if isinstance(op, str)]
        beeld.verwerk_slots(gewijzigd, verwijderd, SCHOOL, VANDAAG)
        # Within one batch a newer record of a slot wins over its removal.
        nieuw = {s.slot_id: s for s in gewijzigd}
        eind.update(nieuw)
        for slot_id in verwijderd:
            if slot_id not in nieuw:
                eind.pop(slot_id, None)

    # Then the aggregate holds what a recount of the final slots gives.
    herteld = evalueer(beeld.feiten(SCHOOL), eind.values(), vandaag=VANDAAG)
    assert beeld.resultaat == herteld
    assert {s.slot_id: s for s in beeld.slots} == eind

    # And the same final slots delivered at once, reversed, give the same result.
    omgekeerd = Leerlingbeeld.nieuw("hypothese-2", geboortedatum, Sector.VO)
    omgekeerd.verwerk_slots(list(reversed(list(eind.values()))), [], SCHOOL, VANDAAG)
    assert omgekeerd.resultaat == herteld
