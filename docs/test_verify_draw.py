"""Tests of the reference verifier, docs/verify_draw.py.

python3 -m unittest discover -s docs -p 'test_*.py'

The worked examples are read from docs/draw-algorithm.md itself, so the page, the
verifier and (through the Rust test that writes the examples) the code agree.
"""

import base64
import copy
import hashlib
import json
import random
import re
import subprocess
import sys
import unittest
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import verify_draw as vd  # noqa: E402

PAGE = HERE / "draw-algorithm.md"
SCRIPT = HERE / "verify_draw.py"


def example(n: int) -> dict:
    """Worked example n of section 7, as the page prints it."""
    page = PAGE.read_text(encoding="utf-8")
    block = re.search(rf"<!-- example-{n} -->\n```text\n(.*?)```\n<!-- /example-{n} -->", page, re.S)
    lines = block.group(1).split("\n")
    size = int(re.fullmatch(r"snapshot \((\d+) bytes, TAB-separated\):", lines[0]).group(1))
    end = next(k for k, line in enumerate(lines) if line.startswith("population_sha256: "))
    values = dict(line.split(": ", 1) for line in lines[end:] if re.match(r"^[a-z0-9_ ]+: ", line))
    seed = re.fullmatch(r"(\d+) \(0x[0-9a-f]{16}\)", values["seed"]).group(1)
    section = lambda title: lines[lines.index(title) + 1 :]  # noqa: E731
    trace = []
    for line in section("random numbers, in order (words read, bound n, result):"):
        found = re.fullmatch(r" +\d+\. words (\d+) n (\d+) -> (\d+)", line)
        if not found:
            break
        trace.append(tuple(map(int, found.groups())))
    tasks = []
    for line in section("tasks, in draw order (lead first):"):
        found = re.fullmatch(r"  target (\d+) \((\w+)\): ([\d, ]+)", line)
        if not found:
            break
        tasks.append({"target_id": int(found[1]), "inspector_ids": [int(i) for i in found[3].split(", ")]})
    unassigned = []
    for line in section("unassigned, in draw order:"):
        found = re.fullmatch(r"  target (\d+) \((\w+)\): (\w+) (.*)", line)
        if not found:
            break
        if found[3] == "too_few_inspectors":
            needed, found_ = re.fullmatch(r"needed (\d+) found (\d+)", found[4]).groups()
            reason = {"code": found[3], "needed": int(needed), "found": int(found_)}
        else:
            reason = {"code": found[3], "department_id": int(found[4])}
        unassigned.append({"target_id": int(found[1]), "selection": found[2], "reason": reason})
    return {
        "snapshot": ("\n".join(lines[1:end]) + "\n").encode("utf-8"),
        "snapshot_size": size,
        "sha256": values["population_sha256"],
        "params": values["params"],
        "seed_text": values["seed_text"],
        "seed": seed,
        "key": values["chacha20 key"],
        "trace": trace,
        "tasks": tasks,
        "unassigned": unassigned,
    }


def replacements_example() -> dict:
    """Worked example 3 of section 9: cancellations on example 1's draw."""
    page = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- example-3 -->\n```text\n(.*?)```\n<!-- /example-3 -->", page, re.S)
    cancellations, replacements = [], []
    for line in block.group(1).split("\n"):
        if found := re.fullmatch(r"  (\d+)\. target (\d+), (replace|no replacement)", line):
            cancellations.append((int(found[2]), found[3] == "replace"))
        elif found := re.fullmatch(r"replacement (\d+) \(cancellation (\d+), target (\d+), stratum (\w+)\):", line):
            replacements.append({"cancellation": int(found[2]), "trace": []})
        elif found := re.fullmatch(r"  chacha20 key: ([0-9a-f]{64})", line):
            replacements[-1]["key"] = found[1]
        elif found := re.fullmatch(r" +\d+\. words (\d+) n (\d+) -> (\d+)", line):
            replacements[-1]["trace"].append(tuple(map(int, found.groups())))
        elif found := re.fullmatch(r"  replacement: target (\d+) \((\w+)\): ([\d, ]+)", line):
            replacements[-1]["target_id"] = int(found[1])
            replacements[-1]["selection"] = found[2]
            replacements[-1]["inspector_ids"] = [int(i) for i in found[3].split(", ")]
    return {"cancellations": cancellations, "replacements": replacements}


def bundle_with_replacements() -> dict:
    """Example 1's bundle with example 3's cancellations and replacements."""
    bundle = bundle_of(example(1))
    ex = replacements_example()
    by_cancellation = {r["cancellation"]: r for r in ex["replacements"]}
    bundle["result"]["cancellations"] = [
        {
            "target_id": target_id,
            "reason": "closed",
            "replace": replace,
            "replacement": (
                {"target_id": by_cancellation[k]["target_id"],
                 "inspector_ids": by_cancellation[k]["inspector_ids"]}
                if k in by_cancellation else None
            ),
        }
        for k, (target_id, replace) in enumerate(ex["cancellations"], start=1)
    ]
    return bundle


def bundle_of(ex: dict) -> dict:
    """An evidence bundle (section 8.2) for a worked example."""
    snapshot = ex["snapshot"]
    return {
        "format": "spotcheck-draw-evidence/1",
        "draw": {"id": 1, "plan_id": 1, "created_at": "2026-03-01T10:00:00+08:00",
                 "trigger": "manual", "superseded_by": None, "supersede_reason": None},
        "algorithm": "spotcheck-draw/1",
        "seed": ex["seed"],
        "seed_provenance": {"source": "public_text", "seed_text": ex["seed_text"],
                            "announcement": None, "given_by": None, "reason": None},
        "params": json.loads(ex["params"]),
        "population": {
            "size": snapshot.count(b"\ntarget\t"),
            "sha256": hashlib.sha256(snapshot).hexdigest(),
            "snapshot_zlib_base64": base64.b64encode(zlib.compress(snapshot)).decode("ascii"),
        },
        "result": {"tasks": ex["tasks"], "unassigned": ex["unassigned"]},
    }


def with_snapshot(bundle: dict, snapshot: bytes, rehash: bool = True) -> dict:
    b = copy.deepcopy(bundle)
    b["population"]["snapshot_zlib_base64"] = base64.b64encode(zlib.compress(snapshot)).decode()
    if rehash:
        b["population"]["sha256"] = hashlib.sha256(snapshot).hexdigest()
    return b


def verify(bundle) -> tuple:
    """Runs the script on a bundle (a dict, or raw bytes): (exit code, its output)."""
    raw = bundle if isinstance(bundle, bytes) else json.dumps(bundle, ensure_ascii=False).encode()
    done = subprocess.run([sys.executable, str(SCRIPT), "-"], input=raw, capture_output=True, timeout=60)
    return done.returncode, done.stdout.decode("utf-8")


class RandomNumbers(unittest.TestCase):
    def test_the_stream_gives_the_check_values_of_section_3_2(self):
        stream = vd.Stream(bytes(32))
        words = [stream.next_word() for _ in range(9)]
        self.assertEqual(words[0], 0x903DF1A0ADE0B876, "the first word")
        self.assertEqual(words[8], 0x7A385155BEE7079F, "the ninth word, the first of block 1")

    def test_the_block_function_gives_rfc_8439s_test_vector(self):
        # RFC 8439 section 2.3.2: key 00 01 … 1f, nonce 00 00 00 09 00 00 00 4a 00 00 00 00, counter 1.
        block = vd.chacha20_block(bytes(range(32)), 1, bytes.fromhex("000000090000004a00000000"))
        expected = [0xE4E7F110, 0x15593BD1, 0x1FDD0F50, 0xC47120A3, 0xC7F4D1C7, 0x0368C033,
                    0x9AAA2204, 0x4E6CD4C3, 0x466482D2, 0x09AA9F07, 0x05D7C214, 0xA2028BD9,
                    0xD19C12B5, 0xB94E16DE, 0xE883D0CB, 0x4E3C50A2]
        self.assertEqual(block, expected)

    def test_a_seed_text_gives_the_first_eight_bytes_of_its_sha256(self):
        self.assertEqual(vd.seed_from_text("abc"), 0xBA7816BF8F01CFEA)

    def test_uniform_reads_one_word_even_for_one(self):
        trace = []
        stream = vd.Stream(bytes(32), trace)
        self.assertEqual(stream.uniform(1), 0)
        # The second word (keystream bytes 40 5d 6a e5 53 86 bd 28), nothing rejected.
        self.assertEqual(stream.uniform(2**63), 0x28BD8653E56A5D40)
        self.assertEqual(trace, [(1, 1, 0), (1, 2**63, 0x28BD8653E56A5D40)])

    def test_uniform_rejects_words_in_the_incomplete_last_interval(self):
        n = 2**63 + 1  # almost half of all words are rejected
        trace = []
        stream = vd.Stream(vd.chacha_key(1), trace)
        values = [stream.uniform(n) for _ in range(64)]
        self.assertTrue(all(v < n for v in values))
        self.assertTrue(any(words > 1 for words, _, _ in trace), "some words are rejected")

    def test_ppm_rounds_the_double_product_halves_away_from_zero(self):
        cases = [(0.07, 70000), (0.25, 250000), (1.0, 1000000), (0.0, 0),
                 (0.0000025, 3), (0.0000035, 4), (0.3, 300000), (1.5 * 2.0, 3000000)]
        for x, expected in cases:
            self.assertEqual(vd.ppm(x), expected, x)


class WorkedExamples(unittest.TestCase):
    def test_each_example_matches_step_by_step(self):
        for n in (1, 2):
            with self.subTest(example=n):
                ex = example(n)
                self.assertEqual(len(ex["snapshot"]), ex["snapshot_size"], "snapshot bytes")
                self.assertEqual(hashlib.sha256(ex["snapshot"]).hexdigest(), ex["sha256"])
                seed = vd.seed_from_text(ex["seed_text"])
                self.assertEqual(seed, int(ex["seed"]), "seed from its text")
                self.assertEqual(vd.chacha_key(seed).hex(), ex["key"], "ChaCha20 key")
                population = vd.parse_snapshot(ex["snapshot"])
                params = vd.parse_params(json.loads(ex["params"]))
                trace = []
                tasks, unassigned = vd.run(population, params, seed, trace)
                self.assertEqual(trace, ex["trace"], "every random number")
                self.assertEqual(tasks, [(t["target_id"], t["inspector_ids"]) for t in ex["tasks"]])
                self.assertEqual(
                    unassigned,
                    [(u["target_id"], u["selection"], u["reason"]) for u in ex["unassigned"]],
                )

    def test_each_examples_bundle_matches(self):
        for n in (1, 2):
            with self.subTest(example=n):
                self.assertEqual(verify(bundle_of(example(n))), (0, "match\n"))

    def test_the_plan_object_other_fields_and_default_weights_change_nothing(self):
        bundle = bundle_of(example(1))
        bundle["params"]["plan"] = {"name": "plan", "cooldown_days": 90, "ratios": {"major": 1.0}}
        bundle["params"]["some_later_field"] = [1, 2]
        del bundle["params"]["weights"]  # the defaults are the example's weights
        bundle["unknown_key"] = {"ignored": True}
        self.assertEqual(verify(bundle), (0, "match\n"))

    def test_a_given_seed_needs_no_text(self):
        bundle = bundle_of(example(2))
        bundle["seed_provenance"] = {"source": "given", "given_by": "admin", "reason": "test"}
        self.assertEqual(verify(bundle), (0, "match\n"))

    def test_a_seed_of_unrecorded_provenance_is_checked_as_it_is(self):
        bundle = bundle_of(example(2))
        bundle["seed_provenance"] = {"source": "unrecorded"}
        self.assertEqual(verify(bundle), (0, "match\n"))


class Replacements(unittest.TestCase):
    """Section 9: example 3 as the page prints it, and alterations of it."""

    def test_example_3_matches_step_by_step(self):
        ex, draw = replacements_example(), example(1)
        params = vd.parse_params(json.loads(draw["params"]))
        population = vd.parse_snapshot(draw["snapshot"])
        seed = int(draw["seed"])
        drawn = vd.run_with_selections(population, params, seed)
        for k, r in enumerate(ex["replacements"], start=1):
            self.assertEqual(vd.replacement_key(seed, k).hex(), r["key"], f"replacement {k}")
            trace = []
            prefix = ex["cancellations"][: r["cancellation"]]
            before = []
            vd.replay(population, params, seed, drawn, ex["cancellations"][: r["cancellation"] - 1], before)
            found = vd.replay(population, params, seed, drawn, prefix, trace)[-1]
            self.assertEqual(trace[len(before):], r["trace"], f"replacement {k}")
            self.assertEqual((found[0], found[1], found[2]), (r["target_id"], r["inspector_ids"], r["selection"]))

    def test_a_bundle_with_replacements_matches(self):
        self.assertEqual(verify(bundle_with_replacements()), (0, "match\n"))

    def test_an_altered_replacement_is_named(self):
        bundle = bundle_with_replacements()
        bundle["result"]["cancellations"][0]["replacement"]["target_id"] = 106
        code, output = verify(bundle)
        self.assertEqual(code, 1, output)
        self.assertIn("cancellation #1 (target 104)", output)
        self.assertIn("target 107", output)
        self.assertIn("target 106", output)

    def test_an_altered_replacement_team_is_named(self):
        bundle = bundle_with_replacements()
        bundle["result"]["cancellations"][2]["replacement"]["inspector_ids"] = [5, 1]
        code, output = verify(bundle)
        self.assertEqual(code, 1, output)
        self.assertIn("cancellation #3 (target 109)", output)
        self.assertIn("team [1, 5]", output)

    def test_a_missing_replacement_and_a_cancelled_target_twice_are_named(self):
        bundle = bundle_with_replacements()
        bundle["result"]["cancellations"][2]["replacement"] = None
        code, output = verify(bundle)
        self.assertEqual(code, 1, output)
        self.assertIn("no replacement", output)
        bundle = bundle_with_replacements()
        bundle["result"]["cancellations"][1]["target_id"] = 104
        code, output = verify(bundle)
        self.assertEqual(code, 1, output)
        self.assertIn("no live task", output)

    def test_the_order_of_cancellations_matters(self):
        bundle = bundle_with_replacements()
        c = bundle["result"]["cancellations"]
        c[1], c[2] = c[2], c[1]
        code, output = verify(bundle)
        self.assertEqual(code, 1, output)
        self.assertIn("cancellation #2 (target 109)", output)


class Differences(unittest.TestCase):
    """Each alteration of a worked example's bundle is named, on one line, exit 1."""

    def assertDifference(self, bundle, *words):
        code, output = verify(bundle)
        self.assertEqual(code, 1, output)
        self.assertEqual(output.count("\n"), 1, output)
        for word in words:
            self.assertIn(word, output)

    def test_an_altered_team(self):
        bundle = bundle_of(example(1))
        bundle["result"]["tasks"][1]["inspector_ids"] = [2, 5]
        self.assertDifference(bundle, "task #2", "team [2, 4]", "team [2, 5]")

    def test_a_team_in_another_order(self):
        bundle = bundle_of(example(2))
        bundle["result"]["tasks"][0]["inspector_ids"].reverse()
        self.assertDifference(bundle, "task #1", "team [21, 32]", "team [32, 21]")

    def test_tasks_in_another_order(self):
        bundle = bundle_of(example(1))
        tasks = bundle["result"]["tasks"]
        tasks[2], tasks[3] = tasks[3], tasks[2]
        self.assertDifference(bundle, "task #3", "target 104", "target 109")

    def test_a_missing_and_an_extra_task(self):
        bundle = bundle_of(example(1))
        bundle["result"]["tasks"].pop()
        self.assertDifference(bundle, "task #4", "target 109", "no more")
        bundle = bundle_of(example(1))
        bundle["result"]["tasks"].append({"target_id": 110, "inspector_ids": [1, 2]})
        self.assertDifference(bundle, "task #5", "target 110")

    def test_an_altered_unassigned_target(self):
        bundle = bundle_of(example(1))
        bundle["result"]["unassigned"][0]["reason"]["found"] = 0
        self.assertDifference(bundle, "unassigned #1", "found 1", "found 0")
        bundle = bundle_of(example(1))
        bundle["result"]["unassigned"][1]["selection"] = "weighted"
        self.assertDifference(bundle, "unassigned #2", "(uniform)", "(weighted)")
        bundle = bundle_of(example(2))
        bundle["result"]["unassigned"][0]["reason"] = {"code": "too_few_inspectors", "needed": 2, "found": 0}
        self.assertDifference(bundle, "unassigned #1", "no_inspector_from_department 11")

    def test_a_seed_that_is_not_its_texts(self):
        bundle = bundle_of(example(1))
        bundle["seed"] = str(int(bundle["seed"]) + 1)
        self.assertDifference(bundle, "seed", "4807012240887391252", "4807012240887391251")

    def test_another_given_seed_gives_another_draw(self):
        bundle = bundle_of(example(1))
        bundle["seed"] = "1"
        bundle["seed_provenance"] = {"source": "random"}
        self.assertDifference(bundle, "#", "the algorithm gives")

    def test_an_altered_snapshot_byte(self):
        ex = example(1)
        altered = ex["snapshot"].replace(b"target\t110\t110108", b"target\t110\t110109")
        self.assertNotEqual(altered, ex["snapshot"])
        bundle = with_snapshot(bundle_of(ex), altered, rehash=False)
        self.assertDifference(bundle, "population", "hashes to", ex["sha256"])

    def test_an_altered_snapshot_with_its_hash_gives_another_draw(self):
        ex = example(1)
        altered = ex["snapshot"].replace(b"conflict\t4\t103\n", b"")
        bundle = with_snapshot(bundle_of(ex), altered)
        self.assertDifference(bundle, "target 103")

    def test_a_wrong_population_size(self):
        bundle = bundle_of(example(2))
        bundle["population"]["size"] = 7
        self.assertDifference(bundle, "population", "size 7", "6 targets")

    def test_an_announcement_of_another_population(self):
        bundle = bundle_of(example(2))
        bundle["seed_provenance"]["announcement"] = {"id": 1, "population_sha256": "0" * 64}
        self.assertDifference(bundle, "announcement", "0" * 64)


class MalformedBundles(unittest.TestCase):
    """Unreadable or malformed bundles: one clear line, exit 2."""

    def assertMalformed(self, bundle, *words):
        code, output = verify(bundle)
        self.assertEqual(code, 2, output)
        self.assertEqual(output.count("\n"), 1, output)
        for word in words:
            self.assertIn(word, output)

    def test_not_json(self):
        self.assertMalformed(b"{not json", "not UTF-8 JSON")
        self.assertMalformed(b"\xff\xfe", "not UTF-8 JSON")
        self.assertMalformed(b"[]", "not a JSON object")
        self.assertMalformed(b'{"a": NaN}', "NaN")
        self.assertMalformed(b'{"a": 1, "a": 2}', "twice")

    def test_a_missing_file(self):
        done = subprocess.run([sys.executable, str(SCRIPT), str(HERE / "no-such-bundle.json")],
                              capture_output=True)
        self.assertEqual(done.returncode, 2)
        self.assertIn("cannot read the bundle", done.stdout.decode())

    def test_unknown_format_or_algorithm(self):
        for key, value in [("format", "spotcheck-draw-evidence/2"), ("algorithm", "spotcheck-draw/2")]:
            bundle = bundle_of(example(1))
            bundle[key] = value
            self.assertMalformed(bundle, key if key == "format" else "spotcheck-draw/2")
        bundle = bundle_of(example(1))
        del bundle["format"]
        self.assertMalformed(bundle, "format")

    def test_bad_seeds(self):
        for seed in ["-1", "01", "18446744073709551616", " 1", "1.0", 5]:
            bundle = bundle_of(example(1))
            bundle["seed"] = seed
            self.assertMalformed(bundle, "seed")
        bundle = bundle_of(example(1))
        bundle["seed_provenance"]["source"] = "lottery"
        self.assertMalformed(bundle, "seed_provenance.source")
        bundle = bundle_of(example(1))
        del bundle["seed_provenance"]["seed_text"]
        self.assertMalformed(bundle, "seed_text")

    def test_bad_population_fields(self):
        cases = [
            ("snapshot_zlib_base64", "not base64!", "base64"),
            ("snapshot_zlib_base64", base64.b64encode(b"plain bytes").decode(), "zlib"),
            ("snapshot_zlib_base64",
             base64.b64encode(zlib.compress(example(1)["snapshot"])[:-9]).decode(), "zlib"),
            ("sha256", "E" * 64, "sha256"),
            ("size", "10", "population.size"),
        ]
        for key, value, word in cases:
            bundle = bundle_of(example(1))
            bundle["population"][key] = value
            self.assertMalformed(bundle, word)
        bundle = bundle_of(example(1))
        b64 = bundle["population"]["snapshot_zlib_base64"]
        compressed = base64.b64decode(b64) + b"trailing"
        bundle["population"]["snapshot_zlib_base64"] = base64.b64encode(compressed).decode()
        self.assertMalformed(bundle, "one complete zlib stream")

    def test_snapshots_out_of_the_canonical_form(self):
        ex = example(1)
        head = b"spotcheck-population/1\n"
        line = b"target\t1\t110101\tlow\tA\t0\t-\t-\t-\n"
        cases = [
            (b"", "line break"),
            (head[:-1], "line break"),
            (b"spotcheck-population/2\n", "line 1"),
            (b"\xef\xbb\xbf" + head, "line 1"),
            (head + line.replace(b"\n", b"\r\n"), "line 2"),
            (head + line.replace(b"\t1\t", b"\t01\t", 1), "plain decimal"),
            (head + line.replace(b"\t1\t", b"\t+1\t", 1), "plain decimal"),
            (head + line.replace(b"\t1\t", b"\t-0\t", 1), "plain decimal"),
            (head + line.replace(b"\t1\t", b"\t9223372036854775808\t", 1), "64-bit"),
            (head + line.replace(b"\tA\t", b"\tE\t"), "credit class"),
            (head + line.replace(b"\tlow\t", b"\t\t"), "stratum"),
            (head + line.replace(b"\t0\t", b"\tyes\t"), "key"),
            (head + line.replace(b"-\t-\t-", b"fishing\t-\t-"), "industry"),
            (head + line.replace(b"\t-\n", b"\t5,3\n"), "ascending"),
            (head + line.replace(b"\t-\n", b"\t3,3\n"), "ascending"),
            (head + line.replace(b"\t-\n", b"\t\n"), "plain decimal"),
            (head + line.replace(b"\t-\n", b"\n"), "number of fields"),
            (head + line + line, "ascending id order"),
            (head + b"conflict\t1\t2\n" + line, "targets come before"),
            (head + b"inspector\t2\t1\t11\t-\n" + line, "targets come before"),
            (head + b"conflict\t1\t2\ninspector\t2\t1\t11\t-\n", "inspectors come before"),
            (head + b"inspector\t2\t1\t11\tfishery,coal_mine\n", "byte order"),
            (head + b"inspector\t2\t1\t11\t\n", "industry"),
            (head + b"conflict\t2\t2\nconflict\t1\t3\n", "ascending (inspector, target)"),
            (head + b"conflict\t1\t2\nconflict\t1\t2\n", "ascending (inspector, target)"),
            (head + b"\n", "line 2"),
            (head + b"enterprise\t1\n", "starts with"),
            (head + b"target\t\xff\n", "not UTF-8"),
        ]
        for snapshot, word in cases:
            with self.subTest(snapshot=snapshot):
                bundle = with_snapshot(bundle_of(ex), snapshot)
                bundle["population"]["size"] = snapshot.count(b"\ntarget\t")
                self.assertMalformed(bundle, word)

    def test_params_out_of_section_2_3(self):
        cases = [
            ({"ratios": {"severe": 0.5}}, "ratios.severe is not a stratum"),
            ({"ratios": {"major": 1.5}}, "ratios.major"),
            ({"ratios": {"major": "0.5"}}, "ratios.major"),
            ({"ratios": []}, "ratios"),
            ({"uniform_share": -0.1}, "uniform_share"),
            ({"uniform_share": None}, "uniform_share"),
            ({"weights": {"a": 1.0}}, "give all five or none"),
            ({"weights": None}, "weights"),
            ({"weights": {"a": 0.0, "b": 1, "c": 1, "d": 1, "key_multiplier": 1}}, "weights.a"),
            ({"weights": {"a": 1, "b": 1, "c": 1, "d": 1, "key_multiplier": 1001}}, "key_multiplier"),
            ({"inspectors_per_task": 0}, "inspectors_per_task"),
            ({"inspectors_per_task": 2.0}, "inspectors_per_task"),
            ({"min_per_stratum": -1}, "min_per_stratum"),
            ({"min_per_stratum": 4294967296}, "min_per_stratum"),
            ({"min_per_stratum": True}, "min_per_stratum"),
            ({"key_all": 1}, "key_all"),
            ({"require_qualification": "yes"}, "require_qualification"),
            ({"department_ids": [3, 3]}, "twice"),
            ({"department_ids": [1, 2, 3]}, "more departments"),
            ({"department_ids": None}, "department_ids"),
            ({"department_ids": ["1"]}, "department_ids"),
        ]
        for change, word in cases:
            with self.subTest(change=change):
                bundle = bundle_of(example(1))
                bundle["params"].update(change)
                self.assertMalformed(bundle, word)
        for required in ["ratios", "min_per_stratum", "key_all", "uniform_share",
                         "inspectors_per_task", "require_qualification"]:
            bundle = bundle_of(example(1))
            del bundle["params"][required]
            self.assertMalformed(bundle, f"{required} is missing")
        bundle = bundle_of(example(1))
        bundle["params"] = [1]
        self.assertMalformed(bundle, "params must be a JSON object")

    def test_a_malformed_result(self):
        cases = [
            (lambda r: r.pop("tasks"), "result.tasks"),
            (lambda r: r["tasks"][0].update(target_id="101"), "target_id"),
            (lambda r: r["tasks"][0].update(inspector_ids=[3, "1"]), "inspector_ids"),
            (lambda r: r["unassigned"][0].pop("reason"), "reason"),
            (lambda r: r["unassigned"][0].update(reason={"needed": 2}), "reason.code"),
        ]
        for change, word in cases:
            bundle = bundle_of(example(1))
            change(bundle["result"])
            self.assertMalformed(bundle, word)


def literal_assign(population, params, drawn, stream):
    """Section 5 read literally, every inspector looked at for every pick: the
    verifier's index must give exactly this."""

    def prefix(code: str) -> bytes:  # 5.1, lengths in UTF-8 bytes
        raw = code.encode()
        if len(raw) == 6 and raw.endswith(b"0000"):
            return raw[:2]
        if len(raw) == 6 and raw.endswith(b"00"):
            return raw[:4]
        return raw

    def eligible(i, t):
        return (
            t.region.encode().startswith(prefix(i.region))
            and (not params.require_qualification or t.industry is None or t.industry in i.industries)
            and (i.id, t.id) not in conflicts
            and i.department != t.own_department
            and i.id not in t.previous
        )

    conflicts = set(population.conflicts)
    load = {i.id: 0 for i in population.inspectors}
    tasks, unassigned = [], []
    for index, selection in drawn:
        t = population.targets[index]
        team, reason = [], None
        for d in list(params.department_ids) + [None] * (params.inspectors_per_task - len(params.department_ids)):
            candidates = [i.id for i in population.inspectors
                          if eligible(i, t) and i.id not in team and d in (None, i.department)]
            if not candidates:
                reason = ({"code": "no_inspector_from_department", "department_id": d} if d is not None
                          else {"code": "too_few_inspectors", "needed": params.inspectors_per_task,
                                "found": len(team)})
                break
            least = min(load[c] for c in candidates)
            c = [i for i in candidates if load[i] == least]
            team.append(c[stream.uniform(len(c))])
        if reason:
            unassigned.append((t.id, selection, reason))
        else:
            for i in team:
                load[i] += 1
            tasks.append((t.id, team))
    return tasks, unassigned


def random_population(rng: random.Random) -> str:
    """A small snapshot with crowded scopes, odd region codes and every exclusion."""
    regions = ["110101", "110102", "110105", "110108", "120101", "110000", "110100", "11", "",
               "ééé", "é0000", "１１0000", "110101x"]
    industries = sorted(vd.INDUSTRIES)[:3]
    lines = ["spotcheck-population/1"]
    target_ids = sorted(rng.sample(range(1, 200), rng.randint(0, 40)))
    inspector_ids = sorted(rng.sample(range(1, 60), rng.randint(0, 45)))
    for t in target_ids:
        previous = sorted(rng.sample(range(1, 60), rng.choice([0, 0, 1, 2, 3])))
        department = rng.choice(["-", "-", str(rng.randint(1, 4))])
        lines.append("\t".join(["target", str(t), rng.choice(regions),
                                rng.choice(vd.STRATA[:3] + ("city",)), rng.choice("ABCD"),
                                rng.choice("0001"), rng.choice(industries + ["-"]), department,
                                ",".join(map(str, previous)) or "-"]))
    for i in inspector_ids:
        qualified = sorted(rng.sample(industries, rng.randint(0, 3)))
        region = rng.choice(regions + ["", "110000", "110100"] * 3)  # most cover many targets
        lines.append("\t".join(["inspector", str(i), str(rng.randint(1, 4)), region,
                                ",".join(qualified) or "-"]))
    pairs = sorted({(rng.randint(1, 60), rng.choice(target_ids or [1])) for _ in range(rng.randint(0, 30))})
    lines += [f"conflict\t{i}\t{t}" for i, t in pairs]
    return "\n".join(lines) + "\n"


class IndexedAssignment(unittest.TestCase):
    def test_the_index_picks_as_section_5_reads(self):
        rng = random.Random(21)
        for case in range(300):
            snapshot = random_population(rng).encode()
            population = vd.parse_snapshot(snapshot)
            team = rng.randint(1, 4)
            departments = rng.sample([1, 2, 3, 4], rng.randint(0, min(team, 2)))
            params = vd.parse_params({
                "ratios": {s: rng.choice([0, 0.3, 1]) for s in vd.STRATA}, "min_per_stratum": rng.randint(0, 3),
                "key_all": rng.random() < 0.5, "uniform_share": rng.choice([0, 0.2, 1]),
                "inspectors_per_task": team, "require_qualification": rng.random() < 0.6,
                "department_ids": departments,
            })
            seed = rng.getrandbits(64)
            with self.subTest(case=case):
                fast, slow = vd.Stream(vd.chacha_key(seed), []), vd.Stream(vd.chacha_key(seed), [])
                drawn = vd.sample(population.targets, params, fast)
                self.assertEqual(vd.sample(population.targets, params, slow), drawn)
                self.assertEqual(vd.assign(population, params, drawn, fast),
                                 literal_assign(population, params, drawn, slow))
                self.assertEqual(fast.trace, slow.trace, "the same random numbers")


if __name__ == "__main__":
    unittest.main()
