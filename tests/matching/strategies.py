"""Hypothesis strategies: small random instances of specs/matching-format.md."""

from __future__ import annotations

from hypothesis import strategies as st

SCORES = st.sampled_from([0.05, 0.1, 0.15, 0.2, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.85, 0.9, 1.0])


@st.composite
def instances(
    draw,
    max_buyers: int = 4,
    max_producers: int = 5,
    max_slots: int = 5,
    availability: bool = True,
    tables: bool = True,
    requests: bool = True,
    fixed: bool = True,
    max_pairs: int | None = None,
    caps: tuple[int, int] = (0, 4),
) -> dict:
    n_slots = draw(st.integers(1, max_slots))
    slot_ids = draw(st.permutations(range(10, 10 + n_slots)))
    slots = [
        {
            "id": sid,
            "start": f"2025-10-15T{8 + i:02d}:00:00+07:00",
            "end": f"2025-10-15T{8 + i:02d}:20:00+07:00",
        }
        for i, sid in enumerate(sorted(slot_ids))
    ]
    n_buyers = draw(st.integers(1, max_buyers))
    n_producers = draw(st.integers(1, max_producers))

    def person(prefix: str, i: int) -> dict:
        data = {"id": f"{prefix}{i}", "max_meetings": draw(st.integers(*caps))}
        if availability and draw(st.booleans()):
            data["available_slots"] = draw(st.lists(st.sampled_from(slot_ids), unique=True, max_size=n_slots))
        return data

    buyers = [person("b", i) for i in range(n_buyers)]
    producers = [person("p", i) for i in range(n_producers)]
    all_pairs = [(b["id"], p["id"]) for b in buyers for p in producers]
    chosen = draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=max_pairs or len(all_pairs)))
    pairs = [{"buyer": b, "producer": p, "score": draw(SCORES)} for b, p in chosen]
    instance = {
        "format": "ocopfair.matching/1",
        "session": {"timezone": "Asia/Ho_Chi_Minh", "slots": slots},
        "buyers": buyers,
        "producers": producers,
        "pairs": pairs,
    }
    n_tables = None
    if tables and draw(st.booleans()):
        n_tables = draw(st.integers(1, 4))
        instance["session"]["tables"] = n_tables
    if requests:
        reqs = draw(
            st.lists(
                st.tuples(st.sampled_from(all_pairs), st.sampled_from(["must", "must", "block"])),
                max_size=4,
            )
        )
        instance["requests"] = [{"buyer": b, "producer": p, "kind": kind} for (b, p), kind in reqs]
    if fixed and pairs:
        instance["fixed"] = _feasible_fixed(draw, instance, n_tables)
    return instance


def _feasible_fixed(draw, instance: dict, n_tables: int | None) -> list[dict]:
    people = {p["id"]: p for p in instance["buyers"] + instance["producers"]}
    all_slots = [s["id"] for s in instance["session"]["slots"]]
    blocked = {(r["buyer"], r["producer"]) for r in instance.get("requests", []) if r["kind"] == "block"}
    wanted = draw(
        st.lists(
            st.sampled_from(instance["pairs"]), unique_by=lambda p: (p["buyer"], p["producer"]), max_size=3
        )
    )
    busy, used_tables, load, fixed = set(), set(), {}, []
    for pair in wanted:
        b, p = pair["buyer"], pair["producer"]
        if (b, p) in blocked or any(load.get(x, 0) >= people[x]["max_meetings"] for x in (b, p)):
            continue
        common = [
            s
            for s in all_slots
            if s in people[b].get("available_slots", all_slots)
            and s in people[p].get("available_slots", all_slots)
            and (b, s) not in busy
            and (p, s) not in busy
        ]
        if not common:
            continue
        s = draw(st.sampled_from(common))
        tables = [t for t in range(n_tables if n_tables is not None else 6) if (s, t) not in used_tables]
        if not tables:
            continue
        t = draw(st.sampled_from(tables))
        busy |= {(b, s), (p, s)}
        used_tables.add((s, t))
        load[b] = load.get(b, 0) + 1
        load[p] = load.get(p, 0) + 1
        fixed.append({"buyer": b, "producer": p, "slot": s, "table": t})
    return fixed
