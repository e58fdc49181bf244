"""Reading and checking a matching instance (specs/matching-format.md).

`read_instance` takes the JSON text (or an already parsed dict), validates it
against `schemas/instance.schema.json`, then checks what a schema can't say
(ids that must exist, ids unique across buyers and producers, fixed meetings
that must be feasible) and returns an `Instance`: the same data indexed for
the solver. Every problem raises `InstanceError` with one line that names the
field, e.g. ``pairs[12].buyer: unknown id "b99"``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

INSTANCE_FORMAT = "ocopfair.matching/1"
SCHEDULE_FORMAT = "ocopfair.schedule/1"
SCHEMA_DIR = Path(__file__).parent / "schemas"


class InstanceError(ValueError):
    """The instance is invalid; the message is one line naming the field."""


@cache
def load_schema(name: str) -> dict:
    """The JSON Schema `name` ("instance" or "schedule") shipped with the project."""
    with (SCHEMA_DIR / f"{name}.schema.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def json_path(path) -> str:
    """`["pairs", 12, "buyer"]` -> `pairs[12].buyer`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _schema_message(error: jsonschema.ValidationError) -> str:
    where = json_path(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return f"{json_path([*error.absolute_path, missing])}: is required"
    if kind == "type":
        return f"{where}: must be {_article(error.validator_value)}, got {json.dumps(value)[:40]}"
    if kind == "minimum":
        return f"{where}: must be at least {error.validator_value}, got {value}"
    if kind == "maximum":
        return f"{where}: must be at most {error.validator_value}, got {value}"
    if kind == "exclusiveMinimum":
        return f"{where}: must be greater than {error.validator_value}, got {value}"
    if kind == "const":
        return f"{where}: must be {json.dumps(error.validator_value)}, got {json.dumps(value)[:40]}"
    if kind == "enum":
        allowed = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"{where}: must be one of {allowed}, got {json.dumps(value)[:40]}"
    if kind == "minLength":
        return f"{where}: must not be empty"
    return f"{where}: {error.message}"


def _article(type_name) -> str:
    if isinstance(type_name, list):
        return " or ".join(type_name)
    return {"integer": "an integer", "object": "an object", "array": "an array"}.get(
        type_name, f"a {type_name}"
    )


def schema_errors(document: Any, name: str) -> list[str]:
    """Every schema violation of `document`, one line each, shallowest first.

    The long lists of an instance (people, pairs, requests, fixed meetings)
    are checked item by item with a quick test that accepts only items the
    item schema accepts; jsonschema looks at the rest of the document and at
    every item the quick test doesn't pass (150k pairs: 0.1 s instead of 7 s).
    """
    validator = _validator(name)
    errors: list[tuple[list, str]] = []
    form = instance_form(document) if name == "instance" else name
    fast = _FAST_ITEMS.get(form, {})
    if isinstance(document, dict) and fast:
        skeleton = {k: ([] if k in fast and isinstance(v, list) else v) for k, v in document.items()}
        errors += [(list(e.absolute_path), _schema_message(e)) for e in validator.iter_errors(skeleton)]
        for key, quick in fast.items():
            items = document.get(key)
            if not isinstance(items, list):
                continue
            item_validator = _item_validator(name, form, key)
            for i in _failing(items, quick):
                for e in item_validator.iter_errors(items[i]):
                    e.path.extendleft([i, key])
                    errors.append((list(e.absolute_path), _schema_message(e)))
    else:
        errors += [(list(e.absolute_path), _schema_message(e)) for e in validator.iter_errors(document)]
    errors.sort(key=lambda e: (len(e[0]), [str(p) for p in e[0]]))
    return [message for _, message in errors]


def instance_form(document) -> str:
    """The instance's form: "any_to_any" when it lists `participants`, else "bipartite"."""
    return "any_to_any" if isinstance(document, dict) and "participants" in document else "bipartite"


@cache
def _item_validator(name: str, form: str, key: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    home = schema["$defs"][form] if form in schema.get("$defs", {}) else schema
    item_schema = {"$defs": schema.get("$defs", {}), **home["properties"][key]["items"]}
    cls = jsonschema.validators.validator_for(schema)
    return cls(item_schema, format_checker=cls.FORMAT_CHECKER)


def _failing(items: list, quick) -> list[int]:
    """Positions of the items the quick test doesn't accept (pairs have an inlined test)."""
    if quick is _quick_pair:
        bad = []
        for i, item in enumerate(items):
            if type(item) is dict:
                b, p, score = item.get("buyer"), item.get("producer"), item.get("score")
                if (
                    type(b) is str
                    and b
                    and type(p) is str
                    and p
                    and type(score) in (float, int)
                    and 0 < score <= 1
                ):
                    continue
            bad.append(i)
        return bad
    return [i for i, item in enumerate(items) if not quick(item)]


def _is_id(value) -> bool:
    return type(value) is str and value != ""


def _is_count(value) -> bool:
    return type(value) is int and value >= 0


def _quick_participant(item) -> bool:
    if type(item) is not dict or not _is_id(item.get("id")) or not _is_count(item.get("max_meetings")):
        return False
    slots = item.get("available_slots", ())
    return type(slots) in (list, tuple) and all(type(s) is int for s in slots)


def _quick_pair(item) -> bool:
    if type(item) is not dict or not (_is_id(item.get("buyer")) and _is_id(item.get("producer"))):
        return False
    score = item.get("score")
    return type(score) in (int, float) and 0 < score <= 1


def _quick_request(item) -> bool:
    return (
        type(item) is dict
        and _is_id(item.get("buyer"))
        and _is_id(item.get("producer"))
        and item.get("kind") in ("must", "block")
    )


def _quick_fixed(item) -> bool:
    return (
        type(item) is dict
        and _is_id(item.get("buyer"))
        and _is_id(item.get("producer"))
        and type(item.get("slot")) is int
        and _is_count(item.get("table"))
    )


def _quick_forum_pair(item) -> bool:
    if type(item) is not dict or not (_is_id(item.get("a")) and _is_id(item.get("b"))):
        return False
    score = item.get("score")
    if not (type(score) in (int, float) and 0 < score <= 1):
        return False
    slots = item.get("slots", ())
    return type(slots) in (list, tuple) and all(type(s) is int for s in slots)


def _quick_forum_request(item) -> bool:
    return (
        type(item) is dict
        and _is_id(item.get("a"))
        and _is_id(item.get("b"))
        and item.get("kind") in ("must", "block")
    )


def _quick_forum_fixed(item) -> bool:
    return (
        type(item) is dict
        and _is_id(item.get("a"))
        and _is_id(item.get("b"))
        and type(item.get("slot")) is int
        and _is_count(item.get("table"))
    )


_FAST_ITEMS = {
    "bipartite": {
        "buyers": _quick_participant,
        "producers": _quick_participant,
        "pairs": _quick_pair,
        "requests": _quick_request,
        "fixed": _quick_fixed,
    },
    "any_to_any": {
        "participants": _quick_participant,
        "pairs": _quick_forum_pair,
        "requests": _quick_forum_request,
        "fixed": _quick_forum_fixed,
    },
}


@dataclass
class Instance:
    """An instance indexed for the solver.

    People are numbered buyers first (0 .. n_buyers-1), then producers.
    Slots are numbered 0 .. n_slots-1 in chronological order; `slot_ids`
    maps them back. Availability is a bit mask over slot numbers.
    """

    raw: dict
    slot_ids: list[int]
    tables: int | None
    person_ids: list[str]
    n_buyers: int
    max_meetings: list[int]
    available: list[int]
    pair_buyer: list[int]
    pair_producer: list[int]
    pair_score: list[float]
    pair_index: dict[tuple[int, int], int]
    must: list[tuple[str, str]] = field(default_factory=list)
    blocked: set[tuple[str, str]] = field(default_factory=set)
    fixed: list[tuple[int, int, int]] = field(default_factory=list)  # (pair, slot number, table)

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    @property
    def n_people(self) -> int:
        return len(self.person_ids)

    @property
    def n_pairs(self) -> int:
        return len(self.pair_score)

    @property
    def all_slots(self) -> int:
        return (1 << self.n_slots) - 1

    def capacity(self, person: int) -> int:
        """min(max_meetings, free slots): the most meetings the person can hold."""
        return min(self.max_meetings[person], self.available[person].bit_count())


def read_instance(source: str | bytes | dict) -> Instance | ForumInstance:
    """Parse, validate and index an instance; raise `InstanceError` on the first problem.

    A bipartite instance (buyers, producers) gives an `Instance`; an any-to-any one
    (participants) a `ForumInstance`.
    """
    if isinstance(source, dict):
        document = source
    else:
        try:
            document = json.loads(source)
        except json.JSONDecodeError as error:
            raise InstanceError(
                f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
        except UnicodeDecodeError as error:
            raise InstanceError(f"malformed JSON: not UTF-8 text ({error.reason})") from None
    if isinstance(document, dict) and "participants" in document:
        for side in ("buyers", "producers"):
            if side in document:
                raise InstanceError(
                    f"{side}: an instance lists participants (any-to-any) or buyers and producers "
                    "(bipartite), never both"
                )
    problems = schema_errors(document, "instance")
    if problems:
        raise InstanceError(problems[0])
    if instance_form(document) == "any_to_any":
        return _index_forum(document)
    return _index(document)


def read_instance_file(path: str | Path) -> Instance | ForumInstance:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InstanceError(f"{path}: {error.strerror}") from None
    return read_instance(data)


def _parse_time(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InstanceError(f"{where}: not an ISO 8601 date-time: {json.dumps(text)[:40]}") from None
    if moment.tzinfo is None:
        raise InstanceError(f"{where}: needs a UTC offset, e.g. +07:00")
    return moment


def _index_slots(session: dict) -> tuple[list[int], dict[int, int]]:
    """Slot ids in chronological order, and slot id -> slot number."""
    slots = session["slots"]
    seen_slots: dict[int, int] = {}
    starts: list[datetime | None] = []
    for i, slot in enumerate(slots):
        if slot["id"] in seen_slots:
            raise InstanceError(f"session.slots[{i}].id: duplicate slot id {slot['id']}")
        seen_slots[slot["id"]] = i
        start = _parse_time(slot["start"], f"session.slots[{i}].start") if "start" in slot else None
        if "end" in slot:
            end = _parse_time(slot["end"], f"session.slots[{i}].end")
            if start is not None and end <= start:
                raise InstanceError(f"session.slots[{i}].end: must be after start")
        starts.append(start)
    # Chronological order when every slot has a start, else the order given.
    order = list(range(len(slots)))
    if slots and all(s is not None for s in starts):
        order.sort(key=lambda i: (starts[i], i))
    slot_ids = [int(slots[i]["id"]) for i in order]
    return slot_ids, {sid: n for n, sid in enumerate(slot_ids)}


class _Busy:
    """Who and which table a fixed meeting already takes in each slot, and each person's count."""

    def __init__(self, people: int):
        self.person: dict[tuple[int, int], int] = {}
        self.table: dict[tuple[int, int], int] = {}
        self.count = [0] * people


def _place_fixed(where, i, meeting, sid, s, people, tables, available, max_meetings, busy: _Busy) -> int:
    """Check fixed meeting `i` (its `people` as (number, id, side)) in slot `s` at its table:
    each one available and free, within max_meetings, the table free. Its table, or InstanceError."""
    table = int(meeting["table"])
    if tables is not None and table >= tables:
        raise InstanceError(f"{where}.table: table {table} does not exist (tables are 0..{tables - 1})")
    for person, pid, side in people:
        if not available[person] >> s & 1:
            raise InstanceError(f'{where}.slot: "{pid}" is not available in slot {sid}')
        if (person, s) in busy.person:
            raise InstanceError(
                f'{where}.{side}: "{pid}" already meets someone in slot {sid} '
                f"(fixed[{busy.person[(person, s)]}])"
            )
        busy.person[(person, s)] = i
        busy.count[person] += 1
        if busy.count[person] > max_meetings[person]:
            raise InstanceError(
                f'{where}.{side}: "{pid}" has more fixed meetings than its max_meetings '
                f"({max_meetings[person]})"
            )
    if (s, table) in busy.table:
        raise InstanceError(
            f"{where}.table: table {table} is already used in slot {sid} (fixed[{busy.table[(s, table)]}])"
        )
    busy.table[(s, table)] = i
    return table


def _index(doc: dict) -> Instance:
    session = doc["session"]
    slot_ids, slot_number = _index_slots(session)
    all_slots = (1 << len(slot_ids)) - 1

    person_ids: list[str] = []
    person_number: dict[str, int] = {}
    max_meetings: list[int] = []
    available: list[int] = []
    for side in ("buyers", "producers"):
        for i, person in enumerate(doc[side]):
            pid = person["id"]
            if pid in person_number:
                raise InstanceError(f'{side}[{i}].id: duplicate id "{pid}"')
            person_number[pid] = len(person_ids)
            person_ids.append(pid)
            max_meetings.append(int(person["max_meetings"]))
            if "available_slots" in person:
                mask = 0
                for j, sid in enumerate(person["available_slots"]):
                    if sid not in slot_number:
                        raise InstanceError(f"{side}[{i}].available_slots[{j}]: unknown slot id {sid}")
                    mask |= 1 << slot_number[sid]
                available.append(mask)
            else:
                available.append(all_slots)
    n_buyers = len(doc["buyers"])

    def lookup(item: dict, where: str) -> tuple[int, int]:
        b, p = item["buyer"], item["producer"]
        if b not in person_number:
            raise InstanceError(f'{where}.buyer: unknown id "{b}"')
        if person_number[b] >= n_buyers:
            raise InstanceError(f'{where}.buyer: "{b}" is a producer, not a buyer')
        if p not in person_number:
            raise InstanceError(f'{where}.producer: unknown id "{p}"')
        if person_number[p] < n_buyers:
            raise InstanceError(f'{where}.producer: "{p}" is a buyer, not a producer')
        return person_number[b], person_number[p]

    pair_buyer: list[int] = []
    pair_producer: list[int] = []
    pair_score: list[float] = []
    pair_index: dict[tuple[int, int], int] = {}
    buyer_number = {pid: v for pid, v in person_number.items() if v < n_buyers}
    producer_number = {pid: v for pid, v in person_number.items() if v >= n_buyers}
    for i, pair in enumerate(doc.get("pairs", [])):
        b = buyer_number.get(pair["buyer"])
        p = producer_number.get(pair["producer"])
        if b is None or p is None:
            lookup(pair, f"pairs[{i}]")  # raises the right message
        key = (b, p)
        if key in pair_index:
            raise InstanceError(
                f'pairs[{i}]: the pair "{pair["buyer"]}"–"{pair["producer"]}" is listed twice '
                f"(first at pairs[{pair_index[key]}])"
            )
        score = float(pair["score"])
        if not 0 < score <= 1:  # NaN passes the schema; it fails here
            raise InstanceError(f"pairs[{i}].score: must be a number in (0, 1]")
        pair_index[key] = len(pair_score)
        pair_buyer.append(b)
        pair_producer.append(p)
        pair_score.append(score)

    must: list[tuple[str, str]] = []
    must_seen: set[tuple[str, str]] = set()
    blocked: set[tuple[str, str]] = set()
    for i, request in enumerate(doc.get("requests", [])):
        lookup(request, f"requests[{i}]")
        key = (request["buyer"], request["producer"])
        if request["kind"] == "block":
            blocked.add(key)
        elif key not in must_seen:
            must_seen.add(key)
            must.append(key)

    fixed: list[tuple[int, int, int]] = []
    tables = session.get("tables")
    busy = _Busy(len(person_ids))
    fixed_pairs: dict[int, int] = {}
    for i, meeting in enumerate(doc.get("fixed", [])):
        where = f"fixed[{i}]"
        b, p = lookup(meeting, where)
        names = f'"{meeting["buyer"]}"–"{meeting["producer"]}"'
        if (meeting["buyer"], meeting["producer"]) in blocked:
            raise InstanceError(f"{where}: the pair {names} is blocked by a request")
        if (b, p) not in pair_index:
            raise InstanceError(f"{where}: the pair {names} is not among the candidate pairs")
        k = pair_index[(b, p)]
        if k in fixed_pairs:
            raise InstanceError(f"{where}: the pair {names} is already fixed at fixed[{fixed_pairs[k]}]")
        fixed_pairs[k] = i
        sid = meeting["slot"]
        if sid not in slot_number:
            raise InstanceError(f"{where}.slot: unknown slot id {sid}")
        s = slot_number[sid]
        people = [(b, person_ids[b], "buyer"), (p, person_ids[p], "producer")]
        table = _place_fixed(where, i, meeting, sid, s, people, tables, available, max_meetings, busy)
        fixed.append((k, s, table))

    return Instance(
        raw=doc,
        slot_ids=slot_ids,
        tables=tables,
        person_ids=person_ids,
        n_buyers=n_buyers,
        max_meetings=max_meetings,
        available=available,
        pair_buyer=pair_buyer,
        pair_producer=pair_producer,
        pair_score=pair_score,
        pair_index=pair_index,
        must=must,
        blocked=blocked,
        fixed=fixed,
    )


@dataclass
class ForumInstance:
    """An any-to-any instance ("networking forum") indexed for the forum scheduler.

    People are numbered in the order of `participants`; slots 0 .. n_slots-1 in
    chronological order (`slot_ids` maps them back). Availability and a pair's
    allowed slots are bit masks over slot numbers. A pair is stored with
    a < b (people numbers); `pair_index[(a, b)]` finds it.
    """

    raw: dict
    slot_ids: list[int]
    tables: int | None
    person_ids: list[str]
    max_meetings: list[int]
    available: list[int]
    pair_a: list[int]
    pair_b: list[int]
    pair_score: list[float]
    pair_slots: list[int]
    pair_index: dict[tuple[int, int], int]
    must: list[tuple[int, int]] = field(default_factory=list)  # people numbers, a < b, request order
    blocked: set[tuple[int, int]] = field(default_factory=set)
    fixed: list[tuple[int, int, int]] = field(default_factory=list)  # (pair, slot number, table)

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    @property
    def n_people(self) -> int:
        return len(self.person_ids)

    @property
    def n_pairs(self) -> int:
        return len(self.pair_score)

    @property
    def all_slots(self) -> int:
        return (1 << self.n_slots) - 1

    def capacity(self, person: int) -> int:
        return min(self.max_meetings[person], self.available[person].bit_count())


def _index_forum(doc: dict) -> ForumInstance:
    session = doc["session"]
    slot_ids, slot_number = _index_slots(session)
    all_slots = (1 << len(slot_ids)) - 1

    def slot_mask(ids: list[int], where: str) -> int:
        mask = 0
        for j, sid in enumerate(ids):
            if sid not in slot_number:
                raise InstanceError(f"{where}[{j}]: unknown slot id {sid}")
            mask |= 1 << slot_number[sid]
        return mask

    person_ids: list[str] = []
    number: dict[str, int] = {}
    max_meetings: list[int] = []
    available: list[int] = []
    for i, person in enumerate(doc["participants"]):
        pid = person["id"]
        if pid in number:
            raise InstanceError(f'participants[{i}].id: duplicate id "{pid}"')
        number[pid] = len(person_ids)
        person_ids.append(pid)
        max_meetings.append(int(person["max_meetings"]))
        if "available_slots" in person:
            available.append(slot_mask(person["available_slots"], f"participants[{i}].available_slots"))
        else:
            available.append(all_slots)

    def lookup(item: dict, where: str) -> tuple[int, int]:
        a, b = item["a"], item["b"]
        for side, pid in (("a", a), ("b", b)):
            if pid not in number:
                raise InstanceError(f'{where}.{side}: unknown id "{pid}"')
        if a == b:
            raise InstanceError(f'{where}: "{a}" can\'t meet himself (a and b are the same participant)')
        x, y = number[a], number[b]
        return (x, y) if x < y else (y, x)

    pair_a: list[int] = []
    pair_b: list[int] = []
    pair_score: list[float] = []
    pair_slots: list[int] = []
    pair_index: dict[tuple[int, int], int] = {}
    for i, pair in enumerate(doc.get("pairs", [])):
        key = lookup(pair, f"pairs[{i}]")
        if key in pair_index:
            raise InstanceError(
                f'pairs[{i}]: the pair "{pair["a"]}"–"{pair["b"]}" is listed twice '
                f"(first at pairs[{pair_index[key]}], in either order)"
            )
        score = float(pair["score"])
        if not 0 < score <= 1:
            raise InstanceError(f"pairs[{i}].score: must be a number in (0, 1]")
        pair_index[key] = len(pair_score)
        pair_a.append(key[0])
        pair_b.append(key[1])
        pair_score.append(score)
        pair_slots.append(slot_mask(pair["slots"], f"pairs[{i}].slots") if "slots" in pair else all_slots)

    must: list[tuple[int, int]] = []
    must_seen: set[tuple[int, int]] = set()
    blocked: set[tuple[int, int]] = set()
    for i, request in enumerate(doc.get("requests", [])):
        key = lookup(request, f"requests[{i}]")
        if request["kind"] == "block":
            blocked.add(key)
        elif key not in must_seen:
            must_seen.add(key)
            must.append(key)

    fixed: list[tuple[int, int, int]] = []
    tables = session.get("tables")
    busy = _Busy(len(person_ids))
    fixed_pairs: dict[int, int] = {}
    for i, meeting in enumerate(doc.get("fixed", [])):
        where = f"fixed[{i}]"
        key = lookup(meeting, where)
        names = f'"{meeting["a"]}"–"{meeting["b"]}"'
        if key in blocked:
            raise InstanceError(f"{where}: the pair {names} is blocked by a request")
        if key not in pair_index:
            raise InstanceError(f"{where}: the pair {names} is not among the candidate pairs")
        k = pair_index[key]
        if k in fixed_pairs:
            raise InstanceError(f"{where}: the pair {names} is already fixed at fixed[{fixed_pairs[k]}]")
        fixed_pairs[k] = i
        sid = meeting["slot"]
        if sid not in slot_number:
            raise InstanceError(f"{where}.slot: unknown slot id {sid}")
        s = slot_number[sid]
        if not pair_slots[k] >> s & 1:
            raise InstanceError(f"{where}.slot: slot {sid} is not among the pair's allowed slots")
        people = [(number[meeting[side]], meeting[side], side) for side in ("a", "b")]
        table = _place_fixed(where, i, meeting, sid, s, people, tables, available, max_meetings, busy)
        fixed.append((k, s, table))

    return ForumInstance(
        raw=doc,
        slot_ids=slot_ids,
        tables=tables,
        person_ids=person_ids,
        max_meetings=max_meetings,
        available=available,
        pair_a=pair_a,
        pair_b=pair_b,
        pair_score=pair_score,
        pair_slots=pair_slots,
        pair_index=pair_index,
        must=must,
        blocked=blocked,
        fixed=fixed,
    )
