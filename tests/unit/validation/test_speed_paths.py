"""The shortcuts taken for speed change nothing: set-pattern guards, shared payer models,
and pausing the garbage collector during a set."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings

from edimesh.validation import entry, validate_set
from edimesh.validation.extract import common
from edimesh.validation.spec.routing import route
from edimesh.validation.spec.setpattern import set_pattern
from edimesh.x12.delimiters import DEFAULT_DELIMITERS
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p

from . import samples
from .helpers import synth_segments, units_of
from .test_corpus import CORPUS
from .test_robustness import damaged

_DELIMS = ("*", ":", "^")


def _corpus_sets() -> Iterator[tuple[str, str, str, tuple[str, str, str], str, str]]:
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name == "INDEX.md":
            continue
        for u in units_of(path.read_bytes()):
            if u.raw is None:
                continue
            d = u.delimiters

            def text(b: bytes | None) -> str:
                return b.decode("latin-1") if b else ""

            yield (u.st01, u.st03, u.gs08, (text(d.element), text(d.component),
                                            text(d.repetition)), text(d.segment),
                   u.raw.decode("latin-1"))


def _same_language(st01: str, st03: str, gs08: str, delims: tuple[str, str, str],  # noqa: PLR0917
                   segment: str, text: str) -> bool | None:
    """Whether guarded and unguarded set patterns agree; None when the guide is unsupported."""
    guide = route(st01, st03, gs08)
    if guide is None:
        return None
    guarded = set_pattern(guide, delims, segment).fullmatch(text) is not None
    plain = set_pattern(guide, delims, segment, guards=False).fullmatch(text) is not None
    assert guarded == plain
    return guarded


def test_guards_accept_what_the_plain_pattern_accepts_on_the_corpus() -> None:
    outcomes = [_same_language(*s) for s in _corpus_sets()]
    assert True in outcomes  # some corpus sets take the fast path
    assert False in outcomes  # and some do not, so both answers were compared


def test_guards_agree_on_samples_and_synthetic_sets() -> None:
    for name in ("REMIT_835", "INSTITUTIONAL_837", "DENTAL_837", "INQUIRY_270", "RESPONSE_271"):
        segments = getattr(samples, name)
        st_els = segments[0].split("*")
        text = "~".join(segments) + "~"
        assert _same_language(st_els[1], st_els[3], "", _DELIMS, "~", text) is True
    data = generate_837p(SynthOptions(claims=30, claims_per_set=10, seed=3,
                                      errors=frozenset({SynthError.UNBALANCED_CLAIM})))
    for u in units_of(data):
        assert u.raw is not None
        assert _same_language("837", u.st03, u.gs08, _DELIMS, "~",
                              u.raw.decode("latin-1")) is True


@settings(max_examples=200, deadline=None)
@given(damaged())
def test_guards_agree_on_damaged_sets(segments: list[str]) -> None:
    st_els = segments[0].split("*")
    st01 = st_els[1] if len(st_els) > 1 else ""
    st03 = st_els[3] if len(st_els) > 3 else ""
    _same_language(st01, st03, "005010X222A1", _DELIMS, "~", "~".join(segments) + "~")


def _claims_of(raw: bytes) -> list[object]:
    result = validate_set(raw, DEFAULT_DELIMITERS, st01="837", st03="005010X222A1")
    assert result.content is not None
    return [c for p in result.content.billing_providers for c in p.claims]  # type: ignore[union-attr]


def test_payer_models_are_shared_and_people_never_kept() -> None:
    common._PAYERS.clear()
    data = generate_837p(SynthOptions(claims=40, claims_per_set=40, seed=5))
    unit = units_of(data)[0]
    assert unit.raw is not None
    claims = _claims_of(unit.raw)
    by_payer: dict[str, list[object]] = {}
    for claim in claims:
        by_payer.setdefault(claim.payer.id, []).append(claim.payer)  # type: ignore[attr-defined]
    repeated = [ps for ps in by_payer.values() if len(ps) > 1]
    assert repeated  # 40 claims, a handful of payers
    for payers in repeated:
        assert all(p is payers[0] for p in payers)
    assert common._PAYERS
    assert all(key[1:3] == ("PR", "2") for key in common._PAYERS)  # payers only


def test_a_payer_sent_as_a_person_is_not_kept() -> None:
    common._PAYERS.clear()
    segments = synth_segments(seed=0)
    i = next(k for k, s in enumerate(segments) if s.startswith("NM1*PR*"))
    els = segments[i].split("*")
    els[2] = "1"  # the payer's NM1 as a person: its own model, not remembered
    segments[i] = "*".join(els)
    raw = ("~".join(segments) + "~").encode("latin-1")
    first, second = _claims_of(raw), _claims_of(raw)
    assert first[0].payer == second[0].payer  # type: ignore[attr-defined]
    assert first[0].payer is not second[0].payer  # type: ignore[attr-defined]
    assert not any(key[2] == "1" for key in common._PAYERS)


@pytest.fixture
def seen_gc(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records whether the collector ran while each set was validated."""
    seen: list[bool] = []
    inner = entry._validate

    def spy(*args: object) -> object:
        seen.append(gc.isenabled())
        return inner(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(entry, "_validate", spy)
    return seen


def _validate_one() -> None:
    raw = ("~".join(synth_segments(seed=1)) + "~").encode("latin-1")
    validate_set(raw, DEFAULT_DELIMITERS, st01="837", st03="005010X222A1")


def test_collector_paused_for_a_set_and_restored(
    seen_gc: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entry, "_thread_count", lambda: 1)  # the runner may have threads
    assert gc.isenabled()
    _validate_one()
    assert seen_gc == [False]
    assert gc.isenabled()


def test_collector_left_alone_when_disabled_by_the_caller(seen_gc: list[bool]) -> None:
    gc.disable()
    try:
        _validate_one()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen_gc == [False]


def test_collector_left_alone_with_other_threads(seen_gc: list[bool]) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        _validate_one()
    finally:
        stop.set()
        other.join()
    assert seen_gc == [True]
    assert gc.isenabled()


def test_collector_restored_when_validation_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entry, "_thread_count", lambda: 1)  # the runner may have threads

    def boom(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(entry, "_validate", boom)
    with pytest.raises(RuntimeError):
        _validate_one()
    assert gc.isenabled()


def test_validation_leaves_no_cyclic_garbage() -> None:
    """What justifies pausing the collector: every object a set needs is freed by its count."""
    raws = [("~".join(getattr(samples, name)) + "~").encode("latin-1")
            for name in ("REMIT_835", "INSTITUTIONAL_837", "DENTAL_837", "INQUIRY_270",
                         "RESPONSE_271")]
    broken = synth_segments(seed=2)
    broken[3] = "XYZ*1"  # an unknown segment: the full parser and its findings
    raws.append(("~".join(broken) + "~").encode("latin-1"))
    data = generate_837p(SynthOptions(claims=12, claims_per_set=4, seed=9,
                                      errors=frozenset({SynthError.INVALID_NPI})))
    raws += [u.raw for u in units_of(data) if u.raw is not None]
    for raw in raws:  # first sightings fill caches, which are meant to stay
        validate_set(raw, DEFAULT_DELIMITERS, st01=raw[3:6].decode(), gs08="005010X222A1")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what a collection finds, to see whose it is
    try:
        for raw in raws:
            for fast in (True, False):
                result = validate_set(raw, DEFAULT_DELIMITERS, st01=raw[3:6].decode(),
                                      gs08="005010X222A1", fast=fast)
                assert result.findings
                result.content_json()
                result.as_dict()
                del result
        gc.collect()
        # Other threads of the test process (timeouts, event loops) may leave garbage of their
        # own; none of it may come from validation.
        ours = [type(o).__qualname__ for o in gc.garbage if _from_edimesh(o)]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _from_edimesh(obj: object) -> bool:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return isinstance(module, str) and module.startswith("edimesh")
