"""Which sample files `edimesh local --claims N [--errors]` feeds (pure: options, not bytes).

Clean 837P files of up to CLAIMS_PER_FILE claims; with errors, one small file per broken
kind (envelope, schema, business, TA1, truncated, a repeated interchange, a non-X12 file)
whose claims come out of the same total. Every file has its own control numbers, so only
the planned duplicate repeats an interchange.
"""

from __future__ import annotations

from dataclasses import dataclass

from edimesh.errors import ConfigError
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p

CLAIMS_PER_FILE = 1000
CLAIMS_PER_SET = 10
ERROR_FILE_CLAIMS = 20
DUPLICATE = "duplicate_interchange"
NOT_X12 = "not_x12"

# The broken kinds mixed in by --errors, in feed order.
ERROR_KINDS: tuple[SynthError | str, ...] = (
    SynthError.INVALID_NPI,  # SNIP 2: quarantine SCHEMA
    SynthError.UNBALANCED_CLAIM,  # SNIP 3: quarantine BUSINESS
    SynthError.SE01_COUNT,  # set envelope: quarantine ENVELOPE
    SynthError.GE01_COUNT,  # group envelope: the 999 says so
    SynthError.IEA02_MISMATCH,  # interchange envelope: TA1 E
    SynthError.MISSING_IEA,  # truncated file: TA1 E
    DUPLICATE,  # a repeated interchange from another file: TA1 R, no sets
    NOT_X12,  # no usable ISA: one FILE quarantine record
)


@dataclass(frozen=True, slots=True)
class SampleFile:
    name: str
    kind: str  # "clean", a SynthError value, DUPLICATE or NOT_X12
    options: SynthOptions | None  # None: not X12 at all
    # Feed only once every file fed before it is split: the splitter's duplicate check
    # is exact only between files that are not split at the same moment.
    after_previous: bool = False

    def render(self) -> bytes:
        if self.options is None:
            return b"This file is not X12: it has no ISA segment.\n"
        return generate_837p(self.options)


def plan_samples(claims: int, *, errors: bool, seed: int = 0) -> list[SampleFile]:
    """The files to feed for `claims` claims in total."""
    kinds = ERROR_KINDS if errors else ()
    broken_claims = ERROR_FILE_CLAIMS * sum(
        2 if k == DUPLICATE else 1 for k in kinds if k != NOT_X12
    )
    clean_claims = claims - broken_claims
    if clean_claims < 1:
        least = broken_claims + 1
        raise ConfigError(f"--errors needs at least --claims {least}")
    sizes = [CLAIMS_PER_FILE] * (clean_claims // CLAIMS_PER_FILE)
    if clean_claims % CLAIMS_PER_FILE:
        sizes.append(clean_claims % CLAIMS_PER_FILE)
    files: list[SampleFile] = []
    control = 1  # next ISA13 / GS06 / ST02 base, unique across the run
    for index, size in enumerate(sizes):
        options = _options(size, control, seed + index)
        files.append(SampleFile(f"clean-{index + 1:04d}.x12", "clean", options))
        control += options.sets
    for kind in kinds:
        name = f"broken-{kind}.x12"
        if kind == NOT_X12:
            files.append(SampleFile(name, kind, None))
            continue
        if kind == DUPLICATE:
            # Two clean files with one ISA13 but other bytes: the transfer's sha256 dedupe
            # lets both through, the splitter's interchange ledger must refuse the second.
            for part, extra in (("a", 0), ("b", 1)):
                options = _options(ERROR_FILE_CLAIMS, control, seed + 990 + extra)
                files.append(SampleFile(f"broken-{kind}-{part}.x12", kind, options, bool(extra)))
        else:
            options = _options(
                ERROR_FILE_CLAIMS, control, seed + len(files), error=SynthError(kind)
            )
            files.append(SampleFile(name, kind, options))
        control += options.sets
    return files


def _options(
    claims: int,
    control: int,
    seed: int,
    *,
    error: SynthError | None = None,
) -> SynthOptions:
    return SynthOptions(
        claims=claims,
        claims_per_set=CLAIMS_PER_SET,
        seed=seed,
        first_isa13=control,
        first_gs06=control,
        first_st02=control,
        errors=frozenset() if error is None else frozenset({error}),
    )


def sample_claims(files: list[SampleFile]) -> int:
    return sum(f.options.claims for f in files if f.options is not None)
