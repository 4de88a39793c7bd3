"""Language detection: ``reports.language.classify`` beside ``py3langid.classify``.

    .venv/bin/python bench/language.py [--texts 20000] [--seed 2007] [--repeat 3]

Data: the descriptions of ``training/bulkgen.generate`` (the scenario generator, 25
languages). Each classifies every text with py3langid's packaged model: py3langid, our
``classify`` one text at a time, and ``classify_many`` over ``--batch`` texts at a time (as
a bulk import's workers call it, one chunk of rows each). Printed: microseconds per text
(best of ``--repeat`` passes over all texts, alternating, so all see the same machine), the
ratio to py3langid, and how many answers differ (language or score; 0 is the aim).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import py3langid

from contactpoint.reports import language
from contactpoint.training import bulkgen


def per_text(fn: Callable[[str], tuple[str, float]], texts: list[str]) -> float:
    t = time.perf_counter()
    for text in texts:
        fn(text)
    return (time.perf_counter() - t) / len(texts) * 1e6


def per_text_batched(texts: list[str], batch: int) -> float:
    t = time.perf_counter()
    batched(texts, batch)
    return (time.perf_counter() - t) / len(texts) * 1e6


def batched(texts: list[str], batch: int) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for i in range(0, len(texts), batch):
        out += language.classify_many(texts[i : i + batch])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=2007)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=250, help="texts per classify_many call")
    args = ap.parse_args()
    texts = [str(r["description"]) for r in bulkgen.generate(args.texts, seed=args.seed)]
    language.classify(texts[0])  # load the model (and its float32 table) outside the timing
    py3langid.classify(texts[0])
    many = f"contactpoint classify_many ({args.batch} at a time)"
    best = {"py3langid": float("inf"), "contactpoint classify": float("inf"), many: float("inf")}
    for _ in range(args.repeat):
        best["py3langid"] = min(best["py3langid"], per_text(py3langid.classify, texts))
        one = per_text(language.classify, texts)
        best["contactpoint classify"] = min(best["contactpoint classify"], one)
        best[many] = min(best[many], per_text_batched(texts, args.batch))
    expected = [py3langid.classify(t) for t in texts]
    differ = sum(language.classify(t) != e for t, e in zip(texts, expected, strict=True))
    differ += sum(g != e for g, e in zip(batched(texts, args.batch), expected, strict=True))
    langs = len({py3langid.classify(t)[0] for t in texts})
    print(f"{len(texts):,} descriptions, {langs} languages detected")
    print("| classifier | µs per text | ratio |")
    print("|---|---:|---:|")
    for name, us in best.items():
        print(f"| {name} | {us:.1f} | {best['py3langid'] / us:.2f}x |")
    print(f"answers that differ: {differ}")


if __name__ == "__main__":
    main()
