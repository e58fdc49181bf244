"""`check_schedule`: does a schedule obey every rule of specs/matching-format.md?

Independent of the solver (it re-reads the instance dict and recomputes every
figure), so tests, the benchmark and the web app can all ask the same
question. Returns the list of problems, one line each; empty means valid.
"""

from __future__ import annotations

import math

from app.matching.engine.instance import SCHEDULE_FORMAT, ForumInstance, read_instance, schema_errors
from app.matching.engine.scheduling import break_stats

TOLERANCE = 1e-6


def check_schedule(instance: dict, schedule: dict, *, check_runtime: bool = True) -> list[str]:
    """Every way `schedule` breaks the spec for `instance` (an empty list when it is valid)."""
    problems = schema_errors(schedule, "schedule")
    if problems:
        return problems
    inst = read_instance(instance)
    if isinstance(inst, ForumInstance):
        return _check_forum(inst, instance, schedule, check_runtime)
    ids = inst.person_ids
    number = {pid: v for v, pid in enumerate(ids)}
    slot_number = {sid: s for s, sid in enumerate(inst.slot_ids)}
    blocked = inst.blocked
    if schedule["format"] != SCHEDULE_FORMAT:
        problems.append(f"format: must be {SCHEDULE_FORMAT}")

    seen_pairs: dict[tuple[str, str], int] = {}
    person_slot: dict[tuple[str, int], int] = {}
    table_slot: dict[tuple[int, int], int] = {}
    degree: dict[str, int] = {}
    busy: dict[str, int] = {}
    objective = 0.0
    scores = []
    for i, meeting in enumerate(schedule["meetings"]):
        where = f"meetings[{i}]"
        if "buyer" not in meeting:
            problems.append(f"{where}: a meeting of a bipartite session names buyer and producer")
            continue
        b, p, sid, table = meeting["buyer"], meeting["producer"], meeting["slot"], meeting["table"]
        if b not in number or number[b] >= inst.n_buyers:
            problems.append(f'{where}.buyer: "{b}" is not a buyer of the instance')
            continue
        if p not in number or number[p] < inst.n_buyers:
            problems.append(f'{where}.producer: "{p}" is not a producer of the instance')
            continue
        k = inst.pair_index.get((number[b], number[p]))
        if k is None:
            problems.append(f'{where}: "{b}"–"{p}" is not a listed pair')
            continue
        if (b, p) in blocked:
            problems.append(f'{where}: "{b}"–"{p}" is blocked')
        if abs(meeting["score"] - inst.pair_score[k]) > TOLERANCE:
            problems.append(f"{where}.score: {meeting['score']} but the pair's score is {inst.pair_score[k]}")
        if (b, p) in seen_pairs:
            problems.append(f'{where}: "{b}"–"{p}" meets twice (also meetings[{seen_pairs[(b, p)]}])')
        seen_pairs[(b, p)] = i
        if sid not in slot_number:
            problems.append(f"{where}.slot: unknown slot id {sid}")
            continue
        s = slot_number[sid]
        if inst.tables is not None and table >= inst.tables:
            problems.append(f"{where}.table: table {table} does not exist")
        if (s, table) in table_slot:
            problems.append(f"{where}.table: table {table} is used twice in slot {sid}")
        table_slot[(s, table)] = i
        for person in (b, p):
            if not inst.available[number[person]] >> s & 1:
                problems.append(f'{where}.slot: "{person}" is not available in slot {sid}')
            if (person, s) in person_slot:
                problems.append(f'{where}: "{person}" has two meetings in slot {sid}')
            person_slot[(person, s)] = i
            degree[person] = degree.get(person, 0) + 1
            busy[person] = busy.get(person, 0) | 1 << s
        objective += inst.pair_score[k]
        scores.append(inst.pair_score[k])

    for person, count in degree.items():
        if count > inst.max_meetings[number[person]]:
            problems.append(
                f'"{person}" has {count} meetings, more than max_meetings {inst.max_meetings[number[person]]}'
            )

    placed = {(m["buyer"], m["producer"], m["slot"], m["table"]) for m in schedule["meetings"]}
    for i, fixed in enumerate(instance.get("fixed", [])):
        key = (fixed["buyer"], fixed["producer"], fixed["slot"], fixed["table"])
        if key not in placed:
            problems.append(f"fixed[{i}]: the published meeting is missing or was moved")

    if any("buyer" not in u for u in schedule["unscheduled"]):
        return [*problems, "unscheduled: an entry of a bipartite session names buyer and producer"]
    unmet = {(u["buyer"], u["producer"]) for u in schedule["unscheduled"]}
    for b, p in inst.must:
        if (b, p) not in seen_pairs and (b, p) not in unmet:
            problems.append(f'must-meet request "{b}"–"{p}" is neither met nor listed in unscheduled')
    for i, u in enumerate(schedule["unscheduled"]):
        if (u["buyer"], u["producer"]) in seen_pairs:
            problems.append(f"unscheduled[{i}]: that pair does meet")
        if (u["buyer"], u["producer"]) not in set(inst.must):
            problems.append(f"unscheduled[{i}]: not a must-meet request")
        if len(u["reason"].strip()) < 10:
            problems.append(f"unscheduled[{i}].reason: too short to explain anything")

    stats = schedule["stats"]
    n = len(schedule["meetings"])
    max_degree = max(degree.values(), default=0)
    slots_used = len({m["slot"] for m in schedule["meetings"]})
    gaps = 0
    for mask in busy.values():
        low = (mask & -mask).bit_length() - 1
        gaps += mask.bit_length() - low - mask.bit_count()
    lower = max(max_degree, math.ceil(n / inst.tables)) if inst.tables else max_degree
    expected = {
        "meetings": n,
        "max_degree": max_degree,
        "slots_used": slots_used,
        "lower_bound_slots": lower,
        "idle_gaps": gaps,
        **break_stats(busy.values()),
    }
    for key, value in expected.items():
        if stats[key] != value:
            problems.append(f"stats.{key}: {stats[key]} but the meetings give {value}")
    objective = math.fsum(scores)
    if abs(stats["objective"] - objective) > TOLERANCE * max(1.0, objective):
        problems.append(f"stats.objective: {stats['objective']} but the scores sum to {objective:.6f}")
    if stats["upper_bound"] < stats["objective"] - TOLERANCE * max(1.0, objective):
        problems.append("stats.upper_bound: below the objective")
    if check_runtime and stats["runtime_s"] < 0:
        problems.append("stats.runtime_s: negative")
    return problems


def _check_forum(inst: ForumInstance, instance: dict, schedule: dict, check_runtime: bool) -> list[str]:
    """The rules of the spec's "Any-to-any sessions" for a schedule of a forum instance."""
    problems: list[str] = []
    ids = inst.person_ids
    number = {pid: v for v, pid in enumerate(ids)}
    slot_number = {sid: s for s, sid in enumerate(inst.slot_ids)}
    if schedule["format"] != SCHEDULE_FORMAT:
        problems.append(f"format: must be {SCHEDULE_FORMAT}")
    seen: dict[tuple[int, int], int] = {}
    person_slot: dict[tuple[int, int], int] = {}
    table_slot: dict[tuple[int, int], int] = {}
    degree: dict[int, int] = {}
    busy: dict[int, int] = {}
    scores = []
    for i, meeting in enumerate(schedule["meetings"]):
        where = f"meetings[{i}]"
        if "a" not in meeting:
            problems.append(f"{where}: a meeting of an any-to-any session names a and b")
            continue
        a, b, sid, table = meeting["a"], meeting["b"], meeting["slot"], meeting["table"]
        if a not in number or b not in number:
            problems.append(f'{where}: "{a}"–"{b}" names someone who is not a participant')
            continue
        if a == b:
            problems.append(f'{where}: "{a}" meets himself')
            continue
        key = tuple(sorted((number[a], number[b])))
        k = inst.pair_index.get(key)
        if k is None:
            problems.append(f'{where}: "{a}"–"{b}" is not a listed pair')
            continue
        if key in inst.blocked:
            problems.append(f'{where}: "{a}"–"{b}" is blocked')
        if abs(meeting["score"] - inst.pair_score[k]) > TOLERANCE:
            problems.append(f"{where}.score: {meeting['score']} but the pair's score is {inst.pair_score[k]}")
        if key in seen:
            problems.append(f'{where}: "{a}"–"{b}" meets twice (also meetings[{seen[key]}])')
        seen[key] = i
        if sid not in slot_number:
            problems.append(f"{where}.slot: unknown slot id {sid}")
            continue
        s = slot_number[sid]
        if not inst.pair_slots[k] >> s & 1:
            problems.append(f"{where}.slot: slot {sid} is not among the pair's allowed slots")
        if inst.tables is not None and table >= inst.tables:
            problems.append(f"{where}.table: table {table} does not exist")
        if (s, table) in table_slot:
            problems.append(f"{where}.table: table {table} is used twice in slot {sid}")
        table_slot[(s, table)] = i
        for v in key:
            if not inst.available[v] >> s & 1:
                problems.append(f'{where}.slot: "{ids[v]}" is not available in slot {sid}')
            if (v, s) in person_slot:
                problems.append(f'{where}: "{ids[v]}" has two meetings in slot {sid}')
            person_slot[(v, s)] = i
            degree[v] = degree.get(v, 0) + 1
            busy[v] = busy.get(v, 0) | 1 << s
        scores.append(inst.pair_score[k])
    for v, count in degree.items():
        if count > inst.max_meetings[v]:
            problems.append(f'"{ids[v]}" has {count} meetings, more than max_meetings {inst.max_meetings[v]}')
    placed = {(*sorted((m["a"], m["b"])), m["slot"], m["table"]) for m in schedule["meetings"] if "a" in m}
    for i, fixed in enumerate(instance.get("fixed", [])):
        if (*sorted((fixed["a"], fixed["b"])), fixed["slot"], fixed["table"]) not in placed:
            problems.append(f"fixed[{i}]: the published meeting is missing or was moved")
    unmet: set[tuple[int, int]] = set()
    must = set(inst.must)
    for i, u in enumerate(schedule["unscheduled"]):
        if "a" not in u or u["a"] not in number or u["b"] not in number:
            problems.append(f"unscheduled[{i}]: must name two participants as a and b")
            continue
        key = tuple(sorted((number[u["a"]], number[u["b"]])))
        unmet.add(key)
        if key in seen:
            problems.append(f"unscheduled[{i}]: that pair does meet")
        if key not in must:
            problems.append(f"unscheduled[{i}]: not a must-meet request")
        if len(u["reason"].strip()) < 10:
            problems.append(f"unscheduled[{i}].reason: too short to explain anything")
    for key in inst.must:
        if key not in seen and key not in unmet:
            problems.append(
                f'must-meet request "{ids[key[0]]}"–"{ids[key[1]]}" is neither met nor listed in unscheduled'
            )
    stats = schedule["stats"]
    n = len(schedule["meetings"])
    max_degree = max(degree.values(), default=0)
    gaps = 0
    for mask in busy.values():
        low = (mask & -mask).bit_length() - 1
        gaps += mask.bit_length() - low - mask.bit_count()
    expected = {
        "meetings": n,
        "max_degree": max_degree,
        "slots_used": len({m["slot"] for m in schedule["meetings"]}),
        "lower_bound_slots": max(max_degree, math.ceil(n / inst.tables)) if inst.tables else max_degree,
        "idle_gaps": gaps,
        **break_stats(busy.values()),
    }
    for key, value in expected.items():
        if stats[key] != value:
            problems.append(f"stats.{key}: {stats[key]} but the meetings give {value}")
    if "breaks_lower_bound" in stats and stats["breaks_lower_bound"] > stats["breaks"]:
        problems.append("stats.breaks_lower_bound: above the breaks of this very schedule")
    objective = math.fsum(scores)
    if abs(stats["objective"] - objective) > TOLERANCE * max(1.0, objective):
        problems.append(f"stats.objective: {stats['objective']} but the scores sum to {objective:.6f}")
    if stats["upper_bound"] < stats["objective"] - TOLERANCE * max(1.0, objective):
        problems.append("stats.upper_bound: below the objective")
    if check_runtime and stats["runtime_s"] < 0:
        problems.append("stats.runtime_s: negative")
    return problems
