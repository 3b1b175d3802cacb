"""What validation says about a fixed set of inputs, as JSON lines: the corpus, synthetic
837Ps with every kind of injected error, and damaged sets. ``test_native.py`` runs it in a
pure-Python subprocess and compares with the compiled modules in the test process.

    EDIMESH_PURE_PYTHON=1 python tests/unit/validation/native_results.py
"""

from __future__ import annotations

import hashlib
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

from edimesh.validation import validate_unit
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.stream import X12Stream
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p

CORPUS = Path(__file__).parents[2] / "data" / "corpus"


def _units(data: bytes) -> list[TransactionSetUnit]:
    stream = X12Stream()
    return [e for e in stream.feed(data) + stream.finish() if isinstance(e, TransactionSetUnit)]


def inputs() -> Iterator[TransactionSetUnit]:
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.name != "INDEX.md":
            yield from _units(path.read_bytes())
    for n, error in enumerate(sorted(SynthError, key=str)):
        yield from _units(generate_837p(SynthOptions(
            claims=20, claims_per_set=2, seed=n, errors=frozenset({error}))))
    rng = random.Random(7)
    clean = _units(generate_837p(SynthOptions(claims=300, claims_per_set=2, seed=3)))
    for unit in clean:  # a segment dropped, duplicated or cut short: the full parser's findings
        assert unit.raw is not None
        segs = unit.raw.split(b"~")
        k = rng.randrange(1, len(segs) - 2)
        damage = rng.randrange(3)
        if damage == 0:
            del segs[k]
        elif damage == 1:
            segs.insert(k, segs[k])
        else:
            segs[k] = segs[k][:rng.randrange(2, max(3, len(segs[k])))]
        yield unit._replace(raw=b"~".join(segs))


def results() -> Iterator[bytes]:
    for unit in inputs():
        r = validate_unit(unit)
        content = r.content_json()
        yield orjson.dumps({
            "route": r.route, "guide": r.guide, "summary": repr(r.summary),
            "findings": [repr(x) for x in r.findings],
            "content": hashlib.sha256(content).hexdigest() if content else None,
        })


if __name__ == "__main__":
    for line in results():
        sys.stdout.buffer.write(line + b"\n")
