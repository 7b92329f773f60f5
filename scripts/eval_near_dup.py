"""Precision and recall of the near-duplicate clustering (pipelines/cluster.py) on a labelled set of pairs.

The set is built from the German evaluation corpus (fundus test data (flairNLP/fundus, MIT), default
``../shared/corpus/de`` beside the repository; any directory of ``<case>/expected.json`` with a ``body``):

* positives: each article against copies made by the edits syndication makes (another headline and agency
  byline, a regional intro paragraph, one paragraph cut, boilerplate lines, the last third cut, all of
  them at once), and pairs of two such copies of one article (two sites carrying the same agency text);
* the corpus's own duplicate: two pages whose headlines start alike (one taz article fetched twice);
* negatives: every other pair of different corpus articles, reported separately for pairs on the same topic
  (a shared topic tag or three shared title words) and of the same publisher (shared boilerplate), and
  "follow-ups": the first paragraph of an article followed by the body of another article on a shared
  topic, or of an unrelated one (a new report that quotes one paragraph of an earlier one is not a copy);
  and a sample of different articles that both end with the same three boilerplate lines.

A pair is predicted a near duplicate exactly as the pipeline decides it: the two signatures share an LSH
band key and pass ``is_near_duplicate``.

    .venv/bin/python scripts/eval_near_dup.py [CORPUS_DIR] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.cluster import Signature, is_near_duplicate, jaccard, signature  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "de"

TOWNS = ["Wolfenbüttel", "Salzgitter", "Peine", "Goslar", "Helmstedt", "Gifhorn", "Celle", "Hameln"]
INTROS = [
    "Auch in {town} sorgt das Thema für Gesprächsstoff. Im Rathaus wollte man sich am Dienstag zunächst "
    "nicht äußern, kündigte aber eine Stellungnahme für die kommende Sitzung des Stadtrats an.",
    "Was bedeutet das für die Menschen in {town} und im Landkreis? Unsere Redaktion hat die wichtigsten "
    "Informationen zusammengetragen und bei Betroffenen in der Region nachgefragt.",
    "Die Nachricht hat auch in {town} Reaktionen ausgelöst. Vertreter mehrerer Fraktionen forderten am "
    "Abend, die Folgen für die Region rasch zu prüfen und die Bürger zu informieren.",
]
BOILERPLATE = [
    "© dpa-infocom, dpa:240501-99-123456/3",
    "Dieser Artikel wurde automatisch aus dem Angebot der Deutschen Presse-Agentur übernommen.",
    "Mehr Nachrichten aus der Region finden Sie auf unserer Startseite.",
    "Folgen Sie uns auch auf Facebook, Instagram und WhatsApp.",
    "Lesen Sie auch: Die wichtigsten Meldungen des Tages im Überblick",
]
BYLINES = ["(dpa)", "(dpa/lni)", "(epd)", "(AFP)", "(KNA)", "(dpa/lnw)"]


@dataclass(frozen=True)
class Doc:
    name: str
    title: str
    body: str
    publisher: str
    topics: frozenset[str]


def load(corpus: Path) -> list[Doc]:
    docs = []
    for path in sorted(corpus.glob("*/expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not str(data.get("body") or "").strip():
            continue
        topics = frozenset(str(t).casefold() for t in data.get("topics") or [])
        publisher = str(data.get("publisher") or path.parent.name.split("__")[0])
        docs.append(Doc(path.parent.name, str(data.get("title") or ""), str(data["body"]), publisher, topics))
    return docs


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def edits(doc: Doc, rng: random.Random) -> dict[str, str]:
    """Copies of ``doc``'s body as other sites carry it (titles are not compared: headlines differ)."""
    paras = paragraphs(doc.body)
    town = rng.choice(TOWNS)
    byline = rng.choice(BYLINES)
    intro = rng.choice(INTROS).format(town=town)
    boiler = rng.sample(BOILERPLATE, 3)
    cut = list(paras)
    if len(cut) > 2:
        del cut[rng.randrange(1, len(cut))]
    keep = max(1, round(len(paras) * 2 / 3))
    first = f"{town} {byline} - {paras[0]}" if paras else ""
    combined = [f"{town} {byline} - {intro}", *cut[: max(1, len(cut))], *boiler[:2]]
    return {
        "headline+byline": "\n\n".join([first, *paras[1:]]),
        "regional intro": "\n\n".join([intro, *paras]),
        "paragraph cut": "\n\n".join(cut),
        "boilerplate": "\n\n".join([*paras, *boiler]),
        "last third cut": "\n\n".join(paras[:keep]),
        "all edits": "\n\n".join(combined),
    }


def same_topic(a: Doc, b: Doc) -> bool:
    words = lambda d: {w for w in re.findall(r"\w{5,}", d.title.casefold())}  # noqa: E731
    return bool(a.topics & b.topics) or len(words(a) & words(b)) >= 3


def predicted(a: Signature, b: Signature) -> bool:
    if not set(a.bands()) & set(b.bands()):
        return False
    return is_near_duplicate(jaccard(a.packed(), b.packed()), a.size, b.size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    docs = load(args.corpus)
    sigs: dict[str, Signature] = {}
    pairs: list[tuple[str, bool, Signature, Signature, str]] = []  # category, label, a, b, names

    def sig(key: str, text: str) -> Signature | None:
        if key not in sigs:
            s = signature(text)
            if s is None:
                return None
            sigs[key] = s
        return sigs[key]

    skipped = 0
    for doc in docs:
        base = sig(doc.name, doc.body)
        if base is None:
            skipped += 1
            continue
        copies = {k: sig(f"{doc.name}/{k}", v) for k, v in edits(doc, rng).items()}
        for kind, s in copies.items():
            if s is not None:
                pairs.append((f"positive: {kind}", True, base, s, doc.name))
        valid = [(k, s) for k, s in copies.items() if s is not None]
        for (ka, sa), (kb, sb) in itertools.combinations(valid, 2):
            pairs.append(("positive: copy vs copy", True, sa, sb, f"{doc.name} {ka}/{kb}"))
    for a, b in itertools.combinations(docs, 2):
        sa, sb = sigs.get(a.name), sigs.get(b.name)
        if sa is None or sb is None:
            continue
        if a.title[:50].casefold() == b.title[:50].casefold():
            # the corpus holds one taz article twice (fetched on two dates): a true duplicate
            pairs.append(("positive: same article in the corpus twice", True, sa, sb, f"{a.name}/{b.name}"))
            continue
        if a.publisher == b.publisher:
            category = "negative: same publisher"
        elif same_topic(a, b):
            category = "negative: same topic"
        else:
            category = "negative: different articles"
        pairs.append((category, False, sa, sb, f"{a.name}/{b.name}"))
        if rng.random() < 0.1:
            # two different articles of one site, both with the site's byline and footer lines
            lines = rng.sample(BOILERPLATE, 3)
            wa, wb = (
                sig(f"{d.name}+footer+{b.name if d is a else a.name}", "\n\n".join([d.body, *lines]))
                for d in (a, b)
            )
            if wa is not None and wb is not None:
                pairs.append(("negative: same boilerplate", False, wa, wb, f"{a.name}/{b.name}"))
        if same_topic(a, b) or rng.random() < 0.05:
            kind = "same topic" if same_topic(a, b) else "unrelated"
            follow = "\n\n".join([paragraphs(a.body)[0], *paragraphs(b.body)])
            sf = sig(f"{a.name}+{b.name}", follow)
            if sf is not None:
                pairs.append((f"negative: follow-up ({kind})", False, sa, sf, f"{a.name}->{b.name}"))

    counts: Counter[tuple[str, bool]] = Counter()
    totals: Counter[str] = Counter()
    errors = []
    tp = fp = fn = tn = 0
    max_negative = 0.0
    for category, label, a, b, names in pairs:
        guess = predicted(a, b)
        if not label:
            max_negative = max(max_negative, jaccard(a.packed(), b.packed()))
        counts[(category, guess)] += 1
        totals[category] += 1
        tp += label and guess
        fn += label and not guess
        fp += (not label) and guess
        tn += (not label) and not guess
        if guess != label:
            errors.append(f"{category}: {names} (jaccard {jaccard(a.packed(), b.packed()):.2f})")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    result = {
        "articles": len(docs),
        "too_short": skipped,
        "pairs": len(pairs),
        "positives": tp + fn,
        "negatives": fp + tn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "max_negative_jaccard": round(max_negative, 3),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "by_category": {
            c: {"pairs": n, "predicted_near_dup": counts[(c, True)]} for c, n in sorted(totals.items())
        },
        "errors": errors,
    }
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"{len(docs)} articles ({skipped} too short), {len(pairs)} labelled pairs")
    print(f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    print(f"highest estimated Jaccard of a negative pair: {max_negative:.2f}")
    print("| category | pairs | predicted near-duplicate |")
    print("|---|---:|---:|")
    for c, n in sorted(totals.items()):
        print(f"| {c} | {n} | {counts[(c, True)]} |")
    for e in errors:
        print("error:", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
