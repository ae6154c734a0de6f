#!/usr/bin/env python3
"""Reference verifier for spotcheck draws made with algorithm `spotcheck-draw/1`.

Written from docs/draw-algorithm.md alone (section numbers in the comments are that
page's), with nothing but the Python 3.11 standard library:

    python3 docs/verify_draw.py BUNDLE.json       (or - to read standard input)

BUNDLE.json is a draw's evidence bundle (section 8.1). The script re-runs the draw
from the bundle's snapshot, parameters and seed, and prints

- `match` and exits 0 when the bundle's tasks and unassigned targets are exactly
  what the algorithm gives;
- the first difference, on one line, and exits 1 otherwise (a snapshot that does
  not hash to the recorded SHA-256, a wrong population size, a seed that does not
  come from its public text, a different target, team or reason);
- one line saying what is wrong, and exits 2, when the bundle cannot be read or is
  not well-formed (bad JSON, unknown format or algorithm, bad snapshot, bad params).

`--trace` also prints every random number taken, as the worked examples of section 7
list them, to standard error.
"""

import base64
import binascii
import hashlib
import json
import sys
import zlib
from bisect import bisect_left, bisect_right, insort
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

FORMAT = "spotcheck-draw-evidence/1"
ALGORITHM = "spotcheck-draw/1"
SNAPSHOT_HEADER = "spotcheck-population/1"
# Decompressing stops here, so that a small hostile bundle cannot expand without
# bound; the service refuses snapshots beyond it too.
MAX_SNAPSHOT_BYTES = 1 << 30

# 4.1: strata in draw order, riskiest first.
STRATA = ("major", "high", "moderate", "low", "province", "city", "county")
# 4.2: credit classes by rank, A = 0 … D = 3.
CLASSES = ("A", "B", "C", "D")
# 2.2: the industries a snapshot may name.
INDUSTRIES = frozenset(
    (
        "coal_mine",
        "non_coal_mine",
        "hazardous_chemicals",
        "fireworks",
        "transport",
        "metal_smelting",
        "fishery",
        "other",
    )
)
WEIGHT_NAMES = ("a", "b", "c", "d", "key_multiplier")
SELECTIONS = ("key", "uniform", "weighted")
U64 = 1 << 64
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1
U32_MAX = (1 << 32) - 1


class Malformed(Exception):
    """The bundle cannot be read, or is not well-formed: exit 2."""


class Difference(Exception):
    """The bundle is not what the algorithm gives: exit 1."""


# ---------------------------------------------------------------------------
# 3. Random numbers
# ---------------------------------------------------------------------------

MASK32 = 0xFFFFFFFF
# RFC 8439 section 2.3: a column round, then a diagonal round, as quarter rounds on
# state words (a, b, c, d).
QUARTER_ROUNDS = (
    (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
    (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14),
)


def chacha20_block(key: bytes, counter: int, nonce: bytes = bytes(12)) -> list:
    """One ChaCha20 block (RFC 8439 section 2.3) as 16 little-endian 32-bit words."""
    constants = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
    key_words = [int.from_bytes(key[i : i + 4], "little") for i in range(0, 32, 4)]
    nonce_words = [int.from_bytes(nonce[i : i + 4], "little") for i in range(0, 12, 4)]
    initial = [*constants, *key_words, counter & MASK32, *nonce_words]
    s = list(initial)
    for _ in range(10):  # 20 rounds
        for a, b, c, d in QUARTER_ROUNDS:  # RFC 8439 section 2.1, rotations 16, 12, 8, 7
            s[a] = (s[a] + s[b]) & MASK32
            x = s[d] ^ s[a]
            s[d] = ((x << 16) | (x >> 16)) & MASK32
            s[c] = (s[c] + s[d]) & MASK32
            x = s[b] ^ s[c]
            s[b] = ((x << 12) | (x >> 20)) & MASK32
            s[a] = (s[a] + s[b]) & MASK32
            x = s[d] ^ s[a]
            s[d] = ((x << 8) | (x >> 24)) & MASK32
            s[c] = (s[c] + s[d]) & MASK32
            x = s[b] ^ s[c]
            s[b] = ((x << 7) | (x >> 25)) & MASK32
    return [(x + y) & MASK32 for x, y in zip(s, initial)]


def chacha_key(seed: int) -> bytes:
    """3.2 step 1: SHA-256 of the algorithm name then the seed, 8 bytes big-endian."""
    return hashlib.sha256(ALGORITHM.encode("ascii") + seed.to_bytes(8, "big")).digest()


def seed_from_text(text: str) -> int:
    """3.1: the first 8 bytes of SHA-256 of the text's UTF-8 bytes, big-endian."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


class Stream:
    """3.2: the draw's one stream of 64-bit words, and 3.3: `uniform(n)`."""

    def __init__(self, key: bytes, trace=None):
        self.key = key
        self.counter = 0  # block counter, from 0; nonce all zero
        self.words = []  # words of the current block not yet read
        self.trace = trace  # a list to record (words read, n, result) in, or None

    def next_word(self) -> int:
        """3.2 step 3: word i is keystream bytes 8i … 8i+7, little-endian."""
        if not self.words:
            block = chacha20_block(self.key, self.counter)
            self.counter += 1
            # Two little-endian 32-bit words make one little-endian 64-bit word.
            self.words = [block[k] | block[k + 1] << 32 for k in range(14, -1, -2)]
        return self.words.pop()

    def uniform(self, n: int) -> int:
        """3.3: a uniform number below n by rejection; always reads a word."""
        rejected = U64 % n
        words = 0
        while True:
            x = self.next_word()
            words += 1
            if rejected == 0 or x < U64 - rejected:
                if self.trace is not None:
                    self.trace.append((words, n, x % n))
                return x % n


# ---------------------------------------------------------------------------
# 2.2 The snapshot
# ---------------------------------------------------------------------------


class Target(NamedTuple):
    id: int
    region: str
    stratum: str
    rank: int  # credit class rank, A = 0 … D = 3
    key: bool
    industry: str | None
    own_department: int | None
    previous: tuple  # inspector ids of its previous check


class Inspector(NamedTuple):
    id: int
    department: int
    region: str
    industries: tuple


class Population(NamedTuple):
    targets: list
    inspectors: list
    conflicts: list  # (inspector id, target id), ascending


def parse_int(text: str) -> int:
    """2.2: `0`, or an optional `-` then a digit 1-9 then digits, within 64 bits."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or (digits[0] == "0" and text != "0"):
        raise ValueError(f"'{text}' is not an integer in plain decimal")
    value = int(text)
    if not I64_MIN <= value <= I64_MAX:
        raise ValueError(f"'{text}' is not a signed 64-bit integer")
    return value


def parse_ids(text: str) -> tuple:
    """2.2 PREVIOUS: ids strictly ascending, comma-separated, or `-` for none."""
    if text == "-":
        return ()
    ids = tuple(parse_int(t) for t in text.split(","))
    if any(a >= b for a, b in zip(ids, ids[1:])):
        raise ValueError("a list must be strictly ascending")
    return ids


def parse_industries(text: str) -> tuple:
    """2.2 INDUSTRIES: names strictly ascending in byte order, or `-` for none."""
    if text == "-":
        return ()
    names = tuple(text.split(","))
    # UTF-8 byte order is code point order, which is how Python compares strings.
    if any(a >= b for a, b in zip(names, names[1:])):
        raise ValueError("industries must be in ascending byte order")
    for name in names:
        if name not in INDUSTRIES:
            raise ValueError(f"'{name}' is not an industry")
    return names


def parse_region(text: str, shared: dict) -> str:
    """2.2 REGION: any text without TAB, LF or CR (splitting took care of TAB and LF)."""
    if "\r" in text:
        raise ValueError("a region code holds a carriage return")
    return shared.setdefault(text, text)  # one string per distinct code saves memory


STRATUM_OF = {name: name for name in STRATA}
RANK_OF = {name: rank for rank, name in enumerate(CLASSES)}
KEY_OF = {"1": True, "0": False}
INDUSTRY_OF = {name: name for name in INDUSTRIES} | {"-": None}


def parse_target(f: list, regions: dict) -> Target:
    stratum, rank, key, industry = (
        STRATUM_OF.get(f[3]), RANK_OF.get(f[4]), KEY_OF.get(f[5]), INDUSTRY_OF.get(f[6], ""),
    )
    if stratum is None:
        raise ValueError(f"'{f[3]}' is not a stratum")
    if rank is None:
        raise ValueError(f"'{f[4]}' is not a credit class")
    if key is None:
        raise ValueError(f"key must be 1 or 0, not '{f[5]}'")
    if industry == "":
        raise ValueError(f"'{f[6]}' is not an industry")
    own = None if f[7] == "-" else parse_int(f[7])
    return Target(parse_int(f[1]), parse_region(f[2], regions), stratum, rank, key, industry,
                  own, parse_ids(f[8]))


def parse_snapshot(data: bytes) -> Population:
    """2.2: the canonical form and nothing else; raises Malformed naming the line."""
    try:
        text = data.decode("utf-8")  # strict: no BOM is skipped, no bad byte replaced
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise Malformed(f"snapshot line {line}: not UTF-8") from None
    if not text.endswith("\n"):
        raise Malformed("snapshot: the last line does not end with a line break (LF)")
    lines = text[:-1].split("\n")
    if lines[0] != SNAPSHOT_HEADER:
        raise Malformed(f"snapshot line 1: the first line must be {SNAPSHOT_HEADER}")
    population = Population([], [], [])
    regions = {}
    fields_of = {"target": 9, "inspector": 5, "conflict": 3}
    for number, line in enumerate(lines[1:], start=2):
        f = line.split("\t")
        try:
            if f[0] not in fields_of:
                raise ValueError("a line starts with target, inspector or conflict")
            if len(f) != fields_of[f[0]]:
                raise ValueError(f"wrong number of fields for a {f[0]}")
            add_record(population, f, regions)
        except ValueError as e:
            raise Malformed(f"snapshot line {number}: {e}") from None
    return population


def add_record(population: Population, f: list, regions: dict) -> None:
    """One snapshot line: targets, then inspectors, then conflicts, each ascending."""
    targets, inspectors, conflicts = population
    if f[0] == "target":
        if inspectors or conflicts:
            raise ValueError("targets come before inspectors and conflicts")
        target = parse_target(f, regions)
        if targets and targets[-1].id >= target.id:
            raise ValueError("targets must be in ascending id order")
        targets.append(target)
    elif f[0] == "inspector":
        if conflicts:
            raise ValueError("inspectors come before conflicts")
        inspector = Inspector(
            id=parse_int(f[1]),
            department=parse_int(f[2]),
            region=parse_region(f[3], regions),
            industries=parse_industries(f[4]),
        )
        if inspectors and inspectors[-1].id >= inspector.id:
            raise ValueError("inspectors must be in ascending id order")
        inspectors.append(inspector)
    else:
        conflict = (parse_int(f[1]), parse_int(f[2]))
        if conflicts and conflicts[-1] >= conflict:
            raise ValueError("conflicts must be in ascending (inspector, target) order")
        conflicts.append(conflict)


# ---------------------------------------------------------------------------
# 2.3 Parameters
# ---------------------------------------------------------------------------


class Params(NamedTuple):
    ratio_ppm: dict  # stratum -> R
    min_per_stratum: int
    key_all: bool
    uniform_ppm: int  # U
    units: tuple  # w of list l = 2 × class rank + key flag, l = 0 … 7
    inspectors_per_task: int
    require_qualification: bool
    department_ids: tuple


def ppm(x: float) -> int:
    """2.3: round(x × 1000000), one double multiplication, halves away from zero."""
    # Decimal(float) is exact, so the rounding sees the double product as it is.
    return int(Decimal(x * 1e6).to_integral_value(rounding=ROUND_HALF_UP))


def number(value, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Malformed(f"params: {field} must be a number")
    try:
        x = float(value)
    except OverflowError:
        x = float("inf")
    if not low <= x <= high:  # also refuses NaN
        raise Malformed(f"params: {field} must be a number from {low:g} to {high:g}")
    return x


def integer(value, field: str, low: int, high: int) -> int:
    # A JSON number with a fraction or an exponent is not an integer here, even 2.0.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Malformed(f"params: {field} must be an integer from {low} to {high}")
    return value


def boolean(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise Malformed(f"params: {field} must be true or false")
    return value


DEFAULT_WEIGHTS = {"a": 0.5, "b": 1.0, "c": 1.5, "d": 2.0, "key_multiplier": 2.0}


def parse_params(p) -> Params:
    """2.3: the algorithm's fields; `plan` and any other field are ignored."""
    if not isinstance(p, dict):
        raise Malformed("params must be a JSON object")
    for field in ("ratios", "min_per_stratum", "key_all", "uniform_share",
                  "inspectors_per_task", "require_qualification"):
        if field not in p:
            raise Malformed(f"params: {field} is missing")
    if not isinstance(p["ratios"], dict):
        raise Malformed("params: ratios must be an object")
    ratio_ppm = {}
    for name, ratio in p["ratios"].items():
        if name not in STRATA:
            raise Malformed(f"params: ratios.{name} is not a stratum")
        ratio_ppm[name] = ppm(number(ratio, f"ratios.{name}", 0, 1))
    weights = p.get("weights", DEFAULT_WEIGHTS)  # given whole or not at all
    if not isinstance(weights, dict):
        raise Malformed("params: weights must be an object")
    for name in WEIGHT_NAMES:
        if name not in weights:
            raise Malformed(f"params: weights.{name} is missing (give all five or none)")
    w = {n: number(weights[n], f"weights.{n}", 0.001, 1000) for n in WEIGHT_NAMES}
    m = w["key_multiplier"]
    # 2.3: w = ppm(c × m) for a key target (the double product first), else ppm(c).
    units = tuple(
        ppm(w[c] * m) if key else ppm(w[c]) for c in ("a", "b", "c", "d") for key in (0, 1)
    )
    team = integer(p["inspectors_per_task"], "inspectors_per_task", 1, U32_MAX)
    departments = p.get("department_ids", [])
    if not isinstance(departments, list):
        raise Malformed("params: department_ids must be an array")
    departments = tuple(integer(d, "department_ids[]", I64_MIN, I64_MAX) for d in departments)
    if len(set(departments)) != len(departments):
        raise Malformed("params: department_ids must not list a department twice")
    if len(departments) > team:
        raise Malformed("params: department_ids lists more departments than inspectors_per_task")
    return Params(
        ratio_ppm=ratio_ppm,
        min_per_stratum=integer(p["min_per_stratum"], "min_per_stratum", 0, U32_MAX),
        key_all=boolean(p["key_all"], "key_all"),
        uniform_ppm=ppm(number(p["uniform_share"], "uniform_share", 0, 1)),
        units=units,
        inspectors_per_task=team,
        require_qualification=boolean(p["require_qualification"], "require_qualification"),
        department_ids=departments,
    )


# ---------------------------------------------------------------------------
# 4. Sampling
# ---------------------------------------------------------------------------


def take(lists: list, factors, stream: Stream) -> int:
    """4.4: one pick from the eight lists, each entry of list l counting factors[l]."""
    total = sum(len(entries) * f for entries, f in zip(lists, factors))
    if total >= U64:
        raise Malformed("the population cannot be drawn: a stratum's weights exceed 2^64 - 1")
    x = stream.uniform(total)
    for entries, f in zip(lists, factors):
        span = len(entries) * f
        if x < span:
            j = x // f
            picked = entries[j]
            entries[j] = entries[-1]  # the last entry fills the gap
            entries.pop()
            return picked
        x -= span
    raise AssertionError("x is below the total")


def sample(targets: list, params: Params, stream: Stream) -> list:
    """4: the drawn targets as (index in targets, selection), in draw order (4.5)."""
    # 4.2: per stratum, its key targets taken whole and the eight lists of its pool,
    # each in ascending id order because the snapshot's targets are.
    keys = {s: [] for s in STRATA}
    pools = {s: [[] for _ in range(8)] for s in STRATA}
    for i, t in enumerate(targets):
        if params.key_all and t.key:
            keys[t.stratum].append(i)
        else:
            pools[t.stratum][2 * t.rank + t.key].append(i)
    drawn = []
    for stratum in STRATA:  # 4.1
        drawn.extend((i, "key") for i in keys[stratum])
        lists = pools[stratum]
        # 4.3: sample size n, of which u uniform picks.
        m = sum(map(len, lists))
        by_ratio = -(-params.ratio_ppm.get(stratum, 0) * m // 1000000)  # ⌈R × M / 10⁶⌉
        n = min(m, max(by_ratio, params.min_per_stratum))
        u = (params.uniform_ppm * n + 500000) // 1000000
        for k in range(n):
            if k < u:
                drawn.append((take(lists, (1,) * 8, stream), "uniform"))
            else:
                drawn.append((take(lists, params.units, stream), "weighted"))
    return drawn


# ---------------------------------------------------------------------------
# 5. Assignment
# ---------------------------------------------------------------------------


def scope_prefix(code: str) -> str:
    """5.1: the prefix an inspector's region code covers; lengths count UTF-8 bytes."""
    raw = code.encode("utf-8")
    if len(raw) != 6:
        return code
    if raw.endswith(b"0000"):
        return raw[:2].decode("utf-8")
    if raw.endswith(b"00"):
        return raw[:4].decode("utf-8")
    return code


class Inspectors:
    """The inspectors indexed so that a pick (5.2) need not look at all of them.

    An inspector is eligible for a target's scope when its scope prefix starts the
    target's region code, so the candidates are found among the groups of inspectors
    whose prefix is one of the target's region code's prefixes. Groups are also kept
    per qualified industry (when `require_qualification`) and per joint-plan
    department, so a group's members all pass the scope, qualification and department
    tests; the target's other exclusions (conflicts, own department, previous
    inspectors, the team so far) are a short list taken out of the count. Within a
    group the members are held by load, each load's members in ascending index
    (= id) order, so the least load and its members in id order come straight out.
    """

    def __init__(self, inspectors: list, params: Params):
        self.ids = [i.id for i in inspectors]
        self.load = [0] * len(inspectors)
        self.groups = {}  # (prefix, industry or None, department or None) -> group
        self.groups_of = [[] for _ in inspectors]  # each inspector's groups
        self.of_department = {}  # department -> inspector indices
        self.scopes = {}  # (region, industry, department) -> groups covering it
        for index, inspector in enumerate(inspectors):
            self.of_department.setdefault(inspector.department, []).append(index)
            industries = [None]
            if params.require_qualification:
                industries += inspector.industries
            departments = [None]
            if inspector.department in params.department_ids:
                departments.append(inspector.department)
            prefix = scope_prefix(inspector.region)
            for industry in industries:
                for department in departments:
                    # A group maps each load to its members at that load, sorted.
                    group = self.groups.setdefault((prefix, industry, department), {0: []})
                    group[0].append(index)  # indices ascend, so the list stays sorted
                    self.groups_of[index].append(group)

    def index_of(self, inspector_id: int):
        at = bisect_left(self.ids, inspector_id)
        return at if at < len(self.ids) and self.ids[at] == inspector_id else None

    def covering(self, region: str, industry, department) -> list:
        """The groups whose members pass 5.1's scope and qualification (and, for a
        restricted pick, are of `department`) for a target in `region`."""
        key = (region, industry, department)
        if key not in self.scopes:
            prefixes = (region[:k] for k in range(len(region) + 1))
            found = (self.groups.get((p, industry, department)) for p in prefixes)
            self.scopes[key] = [g for g in found if g is not None]
        return self.scopes[key]

    def pick(self, groups: list, excluded: set, stream: Stream):
        """5.2: the index of a least-loaded candidate, drawn uniformly among those in
        id order; None when there is no candidate. `excluded` holds the eligibility
        failures not covered by the groups, and the team so far."""
        levels = sorted({load for group in groups for load in group})
        for load in levels:
            runs = [group[load] for group in groups if load in group]
            # A member is in at most one of the groups (one prefix per inspector).
            hidden = sorted(
                e for e in excluded if self.load[e] == load and any(contains(r, e) for r in runs)
            )
            count = sum(map(len, runs)) - len(hidden)
            if count > 0:
                return nth(runs, hidden, stream.uniform(count))
        return None

    def charge(self, index: int) -> None:
        """5.3: one more task for an inspector, in each of its groups."""
        load = self.load[index]
        for group in self.groups_of[index]:
            members = group[load]
            del members[bisect_left(members, index)]
            if not members:
                del group[load]
            insort(group.setdefault(load + 1, []), index)
        self.load[index] = load + 1


def contains(sorted_list: list, value: int) -> bool:
    at = bisect_left(sorted_list, value)
    return at < len(sorted_list) and sorted_list[at] == value


def nth(runs: list, hidden: list, j: int) -> int:
    """The j-th smallest (from 0) of the sorted, disjoint `runs` less `hidden`."""
    if len(runs) == 1 and not hidden:
        return runs[0][j]
    low, high = min(r[0] for r in runs), max(r[-1] for r in runs)
    while low < high:  # the least v with more than j members up to v
        mid = (low + high) // 2
        if sum(bisect_right(r, mid) for r in runs) - bisect_right(hidden, mid) > j:
            high = mid
        else:
            low = mid + 1
    return low


def conflicts_of(population: Population, pool: Inspectors) -> dict:
    """Target id -> indices of the inspectors it conflicts with (5.1)."""
    conflicts = {}
    for inspector_id, target_id in population.conflicts:
        index = pool.index_of(inspector_id)
        if index is not None:  # 2.2: ids not in the snapshot have no effect
            conflicts.setdefault(target_id, []).append(index)
    return conflicts


def team_for(pool: Inspectors, conflicts: dict, target: Target, params: Params, stream: Stream):
    """5.3: a whole team (inspector indices, lead first) for one target, or the
    reason there is none: (team, None) or (None, reason). Loads do not change."""
    # 5.1: no conflict, not its own department, not a previous inspector.
    excluded = set(conflicts.get(target.id, ()))
    excluded.update(pool.of_department.get(target.own_department, ()))
    previous = (pool.index_of(i) for i in target.previous)
    excluded.update(i for i in previous if i is not None)
    industry = target.industry if params.require_qualification else None
    team = []
    # 5.3 step 1: one inspector of each joint-plan department, in order.
    for department in params.department_ids:
        picked = pool.pick(pool.covering(target.region, industry, department), excluded, stream)
        if picked is None:
            return None, {"code": "no_inspector_from_department", "department_id": department}
        team.append(picked)
        excluded.add(picked)
    # 5.3 step 2: anyone eligible until the team is complete.
    anyone = pool.covering(target.region, industry, None)
    while len(team) < params.inspectors_per_task:
        picked = pool.pick(anyone, excluded, stream)
        if picked is None:
            return None, {
                "code": "too_few_inspectors",
                "needed": params.inspectors_per_task,
                "found": len(team),
            }
        team.append(picked)
        excluded.add(picked)
    return team, None


def assign(population: Population, params: Params, drawn: list, stream: Stream):
    """5: staff the drawn targets in draw order. Returns (tasks, unassigned) as
    [(target id, [inspector ids])] and [(target id, selection, reason)]."""
    pool = Inspectors(population.inspectors, params)
    conflicts = conflicts_of(population, pool)
    tasks, unassigned = [], []
    for target_index, selection in drawn:
        target = population.targets[target_index]
        team, reason = team_for(pool, conflicts, target, params, stream)
        if reason is None:
            for index in team:  # loads change only once the team is complete
                pool.charge(index)
            tasks.append((target.id, [pool.ids[i] for i in team]))
        else:
            unassigned.append((target.id, selection, reason))
    return tasks, unassigned


def run(population: Population, params: Params, seed: int, trace=None):
    """6: the whole algorithm."""
    tasks, unassigned, _ = run_with_selections(population, params, seed, trace)
    return tasks, unassigned


def run_with_selections(population: Population, params: Params, seed: int, trace=None):
    """6, also telling how each drawn target was drawn (target id -> selection)."""
    stream = Stream(chacha_key(seed), trace)
    drawn = sample(population.targets, params, stream)
    selections = {population.targets[i].id: selection for i, selection in drawn}
    return (*assign(population, params, drawn, stream), selections)


# ---------------------------------------------------------------------------
# 9. Cancelling and replacing one target (补抽)
# ---------------------------------------------------------------------------

REPLACEMENT_LABEL = "spotcheck-draw/1 replacement"


def replacement_key(seed: int, ordinal: int) -> bytes:
    """9.2: SHA-256 of the label, the seed and the ordinal, each 8 bytes big-endian."""
    return hashlib.sha256(
        REPLACEMENT_LABEL.encode("ascii") + seed.to_bytes(8, "big") + ordinal.to_bytes(8, "big")
    ).digest()


def replay(population: Population, params: Params, seed: int, drawn, cancellations, trace=None):
    """9: replays the cancellations [(target id, replace)] in order on the draw's
    result `drawn` = (tasks, unassigned, selections). Returns, per cancellation,
    None or the replacement (target id, [inspector ids], selection, passed over)."""
    tasks, unassigned, selections = drawn
    taken = {t for t, _ in tasks} | {u[0] for u in unassigned}
    live = {t: (selections[t], team) for t, team in tasks}
    loads = {}
    for _, team in tasks:
        for i in team:
            loads[i] = loads.get(i, 0) + 1
    index_of = {t.id: k for k, t in enumerate(population.targets)}
    results, ordinal = [], 0
    for k, (target_id, replace) in enumerate(cancellations, start=1):
        if target_id not in live:  # 9.1
            raise Difference(f"cancellation #{k}: target {target_id} has no live task in the draw")
        selection, team = live.pop(target_id)
        for i in team:
            loads[i] -= 1
        if not replace:
            results.append(None)
            continue
        ordinal += 1
        stream = Stream(replacement_key(seed, ordinal), trace)  # 9.2
        stratum = population.targets[index_of[target_id]].stratum
        lists = [[] for _ in range(8)]  # 9.3: the stratum's targets not yet drawn
        for i, t in enumerate(population.targets):
            if t.stratum == stratum and t.id not in taken:
                lists[2 * t.rank + t.key].append(i)
        if selection == "uniform":
            factors, selection = (1,) * 8, "uniform"
        else:
            factors, selection = params.units, "weighted"
        pool = Inspectors(population.inspectors, params)  # 9.4: loads of the live tasks
        for index, inspector in enumerate(population.inspectors):
            for _ in range(loads.get(inspector.id, 0)):
                pool.charge(index)
        conflicts = conflicts_of(population, pool)
        passed_over, found = [], None
        while found is None and any(lists):
            target = population.targets[take(lists, factors, stream)]
            taken.add(target.id)
            picked, reason = team_for(pool, conflicts, target, params, stream)
            if reason is None:
                found = (target.id, [pool.ids[i] for i in picked], selection, passed_over)
            else:
                passed_over.append((target.id, selection, reason))
        if found is None:
            raise Difference(
                f"cancellation #{k} (target {target_id}): stratum {stratum} has no target left to replace it"
            )
        live[found[0]] = (selection, found[1])
        for i in found[1]:
            loads[i] = loads.get(i, 0) + 1
        results.append(found)
    return results


# ---------------------------------------------------------------------------
# 8. Verifying a bundle
# ---------------------------------------------------------------------------


def load_bundle(raw: bytes) -> dict:
    def no_duplicates(pairs):
        obj = {}
        for key, value in pairs:
            if key in obj:
                raise Malformed(f"the bundle holds the key '{key}' twice in one object")
            obj[key] = value
        return obj

    def no_constant(name):
        raise Malformed(f"the bundle holds {name}, which is not JSON")

    try:
        bundle = json.loads(
            raw.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constant
        )
    except (UnicodeDecodeError, ValueError) as e:
        raise Malformed(f"the bundle is not UTF-8 JSON: {e}") from None
    if not isinstance(bundle, dict):
        raise Malformed("the bundle is not a JSON object")
    return bundle


def field(obj: dict, path: str, kind):
    """obj[path's last part], checked to be of `kind`; `path` names it in messages."""
    name = path.rsplit(".", 1)[-1]
    if not isinstance(obj, dict) or name not in obj:
        raise Malformed(f"the bundle has no {path}")
    value = obj[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Malformed(f"{path} has the wrong type")
    return value


def check_seed(bundle: dict) -> int:
    """The seed, and 3.1 for a seed from public text."""
    text = field(bundle, "seed", str)
    if not (text.isascii() and text.isdigit()) or (text[0] == "0" and text != "0") or int(text) >= U64:
        raise Malformed("seed must be an unsigned 64-bit integer in plain decimal, as a string")
    seed = int(text)
    provenance = field(bundle, "seed_provenance", dict)
    source = field(provenance, "seed_provenance.source", str)
    if source not in ("random", "given", "public_text", "unrecorded"):
        raise Malformed(
            f"seed_provenance.source '{source}' is not random, given, public_text or unrecorded"
        )
    if source == "public_text":
        seed_text = field(provenance, "seed_provenance.seed_text", str)
        if seed_from_text(seed_text) != seed:
            raise Difference(
                f"seed: the bundle's seed is {seed}, its seed_text gives {seed_from_text(seed_text)}"
            )
    return seed


def read_population(bundle: dict) -> Population:
    """8: decompress the snapshot, check its hash, decode it, check its size."""
    population = field(bundle, "population", dict)
    size = field(population, "population.size", int)
    recorded = field(population, "population.sha256", str)
    if len(recorded) != 64 or any(c not in "0123456789abcdef" for c in recorded):
        raise Malformed("population.sha256 must be 64 lower-case hex digits")
    encoded = field(population, "population.snapshot_zlib_base64", str)
    try:
        compressed = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("population.snapshot_zlib_base64 is not base64") from None
    try:
        inflate = zlib.decompressobj()
        data = inflate.decompress(compressed, MAX_SNAPSHOT_BYTES + 1)
    except zlib.error as e:
        raise Malformed(f"the snapshot is not zlib data: {e}") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise Malformed(f"the snapshot is larger than {MAX_SNAPSHOT_BYTES} bytes")
    if not inflate.eof or inflate.unused_data:
        raise Malformed("the snapshot is not one complete zlib stream")
    actual = hashlib.sha256(data).hexdigest()
    if actual != recorded:
        raise Difference(f"population: the snapshot hashes to {actual}, the bundle records {recorded}")
    decoded = parse_snapshot(data)
    if size != len(decoded.targets):
        raise Difference(
            f"population: the bundle records size {size}, the snapshot has {len(decoded.targets)} targets"
        )
    return decoded


def check_announcement(bundle: dict) -> None:
    """A draw announced beforehand must use the population its announcement fixed."""
    announcement = bundle["seed_provenance"].get("announcement")
    if isinstance(announcement, dict) and "population_sha256" in announcement:
        announced = announcement["population_sha256"]
        used = bundle["population"]["sha256"]
        if announced != used:
            raise Difference(
                f"population: the announcement committed to {announced}, the draw used {used}"
            )


def stored_result(bundle: dict):
    """The bundle's tasks and unassigned targets, in the shapes `assign` returns."""
    result = field(bundle, "result", dict)
    tasks = []
    for k, task in enumerate(field(result, "result.tasks", list), start=1):
        path = f"result.tasks[{k}]"
        team = field(task, f"{path}.inspector_ids", list)
        if any(isinstance(i, bool) or not isinstance(i, int) for i in team):
            raise Malformed(f"{path}.inspector_ids must hold integers")
        tasks.append((field(task, f"{path}.target_id", int), team))
    unassigned = []
    for k, entry in enumerate(field(result, "result.unassigned", list), start=1):
        path = f"result.unassigned[{k}]"
        reason = field(entry, f"{path}.reason", dict)
        field(reason, f"{path}.reason.code", str)
        unassigned.append(
            (field(entry, f"{path}.target_id", int), field(entry, f"{path}.selection", str), reason)
        )
    return tasks, unassigned


def stored_cancellations(bundle: dict):
    """The bundle's cancellations as [(target id, replace, replacement or None)],
    a replacement as (target id, [inspector ids]); none when the key is absent."""
    result = bundle["result"]
    if "cancellations" not in result:
        return []
    cancellations = []
    for k, entry in enumerate(field(result, "result.cancellations", list), start=1):
        path = f"result.cancellations[{k}]"
        target_id = field(entry, f"{path}.target_id", int)
        replace = field(entry, f"{path}.replace", bool)
        replacement = entry.get("replacement") if isinstance(entry, dict) else None
        if replacement is not None:
            team = field(replacement, f"{path}.replacement.inspector_ids", list)
            if any(isinstance(i, bool) or not isinstance(i, int) for i in team):
                raise Malformed(f"{path}.replacement.inspector_ids must hold integers")
            replacement = (field(replacement, f"{path}.replacement.target_id", int), team)
        cancellations.append((target_id, replace, replacement))
    return cancellations


def compare_replacements(expected: list, cancellations: list) -> None:
    """9.5: each cancellation's replacement must be the replay's."""
    for k, (e, (target_id, _, stored)) in enumerate(zip(expected, cancellations), start=1):
        e = None if e is None else (e[0], list(e[1]))
        s = None if stored is None else (stored[0], list(stored[1]))
        if e != s:
            show = lambda r: "no replacement" if r is None else "replacement " + show_task(r)
            raise Difference(
                f"cancellation #{k} (target {target_id}): the algorithm gives {show(e)}, the bundle has {show(s)}"
            )


def describe_reason(reason: dict) -> str:
    if reason.get("code") == "too_few_inspectors":
        return f"too_few_inspectors (needed {reason.get('needed')}, found {reason.get('found')})"
    if reason.get("code") == "no_inspector_from_department":
        return f"no_inspector_from_department {reason.get('department_id')}"
    return json.dumps(reason, ensure_ascii=False, sort_keys=True)


def show_task(task) -> str:
    return f"target {task[0]} with team {list(task[1])}"


def show_unassigned(entry) -> str:
    return f"target {entry[0]} ({entry[1]}): {describe_reason(entry[2])}"


def same_reason(expected: dict, stored: dict) -> bool:
    """Equal on the fields the algorithm gives; other keys are ignored."""
    return all(stored.get(k) == v and type(stored.get(k)) is type(v) for k, v in expected.items())


def first_difference(what: str, expected: list, stored: list, same, show):
    """The first position where two lists in draw order differ, as a sentence."""
    for k, (e, s) in enumerate(zip(expected, stored), start=1):
        if not same(e, s):
            return f"{what} #{k}: the algorithm gives {show(e)}, the bundle has {show(s)}"
    if len(expected) > len(stored):
        k = len(stored)
        return f"{what} #{k + 1}: the algorithm gives {show(expected[k])}, the bundle has no more"
    if len(stored) > len(expected):
        k = len(expected)
        return f"{what} #{k + 1}: the bundle has {show(stored[k])}, the algorithm gives no more"
    return None


def compare(expected_tasks, expected_unassigned, tasks, unassigned) -> None:
    """8: the bundle's tasks (target, team in order) and unassigned targets (target,
    selection, reason) must be the re-run's, in draw order."""
    difference = first_difference(
        "task", expected_tasks, tasks,
        lambda e, s: e[0] == s[0] and list(e[1]) == list(s[1]),
        show_task,
    ) or first_difference(
        "unassigned", expected_unassigned, unassigned,
        lambda e, s: e[0] == s[0] and e[1] == s[1] and same_reason(e[2], s[2]),
        show_unassigned,
    )
    if difference:
        raise Difference(difference)


def verify(raw: bytes, trace=None) -> None:
    """Raises Malformed or Difference; returns when the bundle matches."""
    bundle = load_bundle(raw)
    if bundle.get("format") != FORMAT:
        raise Malformed(f"format must be {FORMAT}, not {bundle.get('format')!r}")
    if bundle.get("algorithm") != ALGORITHM:
        raise Malformed(f"this script verifies {ALGORITHM} draws, not {bundle.get('algorithm')!r}")
    seed = check_seed(bundle)
    params = parse_params(bundle.get("params"))
    population = read_population(bundle)
    check_announcement(bundle)
    tasks, unassigned = stored_result(bundle)
    cancellations = stored_cancellations(bundle)
    drawn = run_with_selections(population, params, seed, trace)
    compare(drawn[0], drawn[1], tasks, unassigned)
    asked = [(target_id, replace) for target_id, replace, _ in cancellations]
    compare_replacements(replay(population, params, seed, drawn, asked, trace), cancellations)


def main(argv: list) -> int:
    args = [a for a in argv[1:] if a != "--trace"]
    if len(args) != 1:
        print("usage: verify_draw.py [--trace] BUNDLE.json   (- reads standard input)", file=sys.stderr)
        return 2
    trace = [] if "--trace" in argv[1:] else None
    try:
        if args[0] == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args[0], "rb") as f:
                raw = f.read()
        verify(raw, trace)
        outcome, code = "match", 0
    except OSError as e:
        outcome, code = f"cannot read the bundle: {e.strerror}: {args[0]}", 2
    except Malformed as e:
        outcome, code = f"malformed bundle: {e}", 2
    except Difference as e:
        outcome, code = str(e), 1
    for k, (words, n, value) in enumerate(trace or (), start=1):
        print(f"  {k:>2}. words {words} n {n} -> {value}", file=sys.stderr)
    print(outcome)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
