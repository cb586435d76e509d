"""Precision and recall of the mentioned-entity recognizer (dalil/intel/mentions.py) per kind, on
sentences of corpus documents labelled by hand (tests/data/ner_labelled.jsonl).

    python3 -m tools.ner_eval [--file tests/data/ner_labelled.jsonl] [--errors]

A found entity is right when a labelled entity of the same sentence has the same kind and the same
folded name (`mention_key`: "U.S." = "US"); each labelled entity is matched once.  The recognizer
is scored as the pass stores it: the model's entities, cleaned, then kind-corrected and filtered
by the gazetteer (no people index: that only relabels).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from dalil.intel.mentions import KINDS, Linker, Recognizer
from dalil.text.normalize import mention_key

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "ner_labelled.jsonl"


def found_entities(texts: list[str]) -> list[list[tuple[str, str]]]:
    """(kind, written form) of what the pass keeps of each text (English)."""
    linker, out = Linker(None), []
    for ents in Recognizer().entities_many([(t, "en") for t in texts]):
        kept = []
        for e in ents:
            hit = linker.link(e.kind, e.text)
            if hit is not None:
                kept.append((hit[0], e.text))
        out.append(kept)
    return out


def evaluate(path: Path = LABELLED, errors: list | None = None) -> dict[str, dict[str, float]]:
    """{kind: {precision, recall, f1, gold, found, correct}} and the same for "all"."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = found_entities([it["text"] for it in items])
    gold_n, found_n, right_n = Counter(), Counter(), Counter()
    for it, got in zip(items, found):
        gold = Counter((e["kind"], mention_key(e["text"])) for e in it["entities"])
        guess = Counter((k, mention_key(t)) for k, t in got)
        right = gold & guess
        for (k, _), n in gold.items():
            gold_n[k] += n
        for (k, _), n in guess.items():
            found_n[k] += n
        for (k, _), n in right.items():
            right_n[k] += n
        if errors is not None and gold != guess:
            errors.append({"text": it["text"], "missed": sorted((gold - guess).elements()),
                           "wrong": sorted((guess - gold).elements())})
    out = {}
    for k in (*KINDS, "all"):
        g = sum(gold_n.values()) if k == "all" else gold_n[k]
        f = sum(found_n.values()) if k == "all" else found_n[k]
        r = sum(right_n.values()) if k == "all" else right_n[k]
        p, rc = (r / f if f else 0.0), (r / g if g else 0.0)
        out[k] = {"precision": round(p, 3), "recall": round(rc, 3),
                  "f1": round(2 * p * rc / (p + rc), 3) if p + rc else 0.0, "gold": g, "found": f, "correct": r}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=LABELLED)
    ap.add_argument("--errors", action="store_true", help="Also print each sentence the recognizer got wrong.")
    args = ap.parse_args()
    errors: list = []
    scores = evaluate(args.file, errors)
    n = sum(1 for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip())
    print(f"{n} sentences, {scores['all']['gold']} labelled entities ({args.file.name})")
    print(f"{'kind':<8}{'precision':>10}{'recall':>8}{'F1':>7}{'gold':>6}{'found':>7}{'right':>7}")
    for k, s in scores.items():
        print(f"{k:<8}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}{s['gold']:>6}{s['found']:>7}{s['correct']:>7}")
    if args.errors:
        for e in errors:
            print(f"\n{e['text']}\n  missed: {e['missed']}\n  wrong:  {e['wrong']}")


if __name__ == "__main__":
    main()
