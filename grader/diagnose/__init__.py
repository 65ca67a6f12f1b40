"""Name the mistakes behind an item's failed comparisons, the way a TA would.

``diagnose(check, comparisons, conventions, mutated)`` -> list of Diagnosis (stable code, quantities, sentence).
Per-comparison detectors (``detectors.py``) vote for codes; a code is reported for a quantity when it explains most
of that quantity's failures. Item-wide patterns (``patterns.py``) look across cases: works only for batch size 1,
inputs changed in place. ``relate.py`` links items: forward wrong -> backward may follow; loss gradient wrong but
end to end right -> the 1/N sits in backward.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from grader.compare import Comparison
from grader.diagnose.detectors import DETECTORS, Detector, Finding
from grader.diagnose.patterns import batch_size_one_only, inputs_mutated
from grader.schemas import LossConvention
from grader.schemas.report import Diagnosis

MAJORITY = 0.6
LAYERS = {"f": "f (on z1)", "g": "g (on z3)"}
ORDER = {q: i for i, q in enumerate(("J", "dJdy_hat", "y_hat", "dJdW1", "dJdb1", "dJdW2", "dJdb2"))}


def diagnose(check: str, comparisons: Sequence[Comparison], conventions: dict[str, LossConvention],
             mutated: Sequence[str] = (), detectors: Sequence[Detector] = ()) -> list[Diagnosis]:
    """Named mistakes of one item, most telling first. ``detectors``: the check kind's own (``CheckKind.detectors``),
    asked before the shared ones."""
    found = _voted(check, evidence(comparisons), conventions, detectors)
    explained = {q for d in found for q in d.quantities}
    pattern = batch_size_one_only(comparisons)
    if pattern and not set(pattern.quantities) <= explained:
        found.insert(0, pattern)
    if mutated:
        found.append(inputs_mutated(mutated))
    return found


PER_UNIT = 2


def evidence(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The failed comparisons worth explaining: per (configuration, quantity), the PER_UNIT failing cases with the
    largest sizes (large sizes tell factors like N, K and N*K apart; more cases of one unit add little)."""
    units: dict[tuple[str, str], list[Comparison]] = defaultdict(list)
    for c in comparisons:
        if not c.passed and not c.spoiled and c.received is not None:
            units[(c.case.config.label, c.quantity)].append(c)
    size = lambda c: (c.case.sizes.get("N", 1) * c.case.sizes.get("K", 1), c.case.sizes.get("N", 1))  # noqa: E731
    return [c for unit in units.values() for c in sorted(unit, key=size, reverse=True)[:PER_UNIT]]


def _voted(check: str, failed: Sequence[Comparison], conventions, own: Sequence[Detector]) -> list[Diagnosis]:
    """The first detector that explains a comparison votes for each code it found (several when the case's
    sizes make them coincide, e.g. N = 1); per quantity and detector, the best-voted code is kept when it explains
    most of that quantity's failures."""
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (quantity, detector) -> code counts
    messages: dict[str, str] = {}
    where: dict[str, set[str]] = defaultdict(set)
    totals: Counter = Counter()
    for c in failed:
        totals[c.quantity] += 1
        for detect in (*own, *DETECTORS):  # a kind's own come first
            found = list(detect(check, c, conventions))
            if found:
                for f in {f.code: f for f in found}.values():
                    votes[(c.quantity, detect.__name__)][f.code] += 1
                    messages.setdefault(f.code, f.message)
                    where[f.code].update(w for w in f.where if w in LAYERS)
                break
    by_code: dict[str, list[str]] = {}
    for (q, _), counter in sorted(votes.items(), key=lambda kv: ORDER.get(kv[0][0], len(ORDER))):
        code, n = counter.most_common(1)[0]
        if n >= MAJORITY * totals[q] and q not in by_code.get(code, []):
            by_code.setdefault(code, []).append(q)
    return [Diagnosis(code=code, quantities=qs, message=f"{', '.join(qs)}: {messages[code]}{_at(where[code])}")
            for code, qs in by_code.items()]


def _at(layers: set[str]) -> str:
    return f" Seen at {' and '.join(LAYERS[w] for w in sorted(layers))}." if layers else ""


__all__ = ["Diagnosis", "Finding", "diagnose"]
