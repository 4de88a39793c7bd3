"""Indicator extraction benchmark: contactpoint vs iocsearcher, ioc-finder and iocextract.

    make bench                                  # installs the peers into .venv-bench
    .venv-bench/bin/python bench/extraction.py [--mb 5] [--adv-cap 30]

Same process, same texts: precision/recall/F1 per type on the labelled corpus
(bench/corpus/extraction.jsonl, written by bench/make_corpus.py), throughput in MB/s on
~5 MB of report text, seconds per MB on adversarial inputs, and card-number leakage.
Adversarial inputs run in a child process per tool with a time cap, so one catastrophic
backtracking case cannot stall the whole run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from peers import SUPPORTED, Adapter, Pairs, load, versions

from contactpoint.indicators.cards import card_runs
from contactpoint.indicators.extract import extract
from contactpoint.indicators.normalise import normalise

CORPUS = Path(__file__).parent / "corpus" / "extraction.jsonl"
OURS = "contactpoint"


def ours(text: str, country: str) -> Pairs:
    return [(i.type, i.value) for i in extract(text, country_hint=country)]


def canon(type_: str, value: str, country: str) -> str:
    if type_ == "card":  # peers print full numbers; compare as BIN…last4
        digits = "".join(c for c in value if c.isdigit())
        return f"{digits[:6]}…{digits[-4:]}" if len(digits) >= 13 else value
    try:
        return normalise(type_, value, country_hint=country)
    except Exception:
        return value


def score(rows: list[dict], tools: dict[str, Adapter]) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, tool in tools.items():
        tp: Counter[str] = Counter()
        fp: Counter[str] = Counter()
        fn: Counter[str] = Counter()
        leaks = 0
        types = SUPPORTED.get(name)
        for row in rows:
            text, country = row["text"], row["country"]
            try:
                raw = tool(text, country)
            except Exception:
                raw = []
            blob = repr(raw)
            leaks += sum(1 for _, _, digits in card_runs(text) if digits in blob)
            got = {(t, canon(t, v, country)) for t, v in raw if types is None or t in types}
            gold = {(g["type"], g["value"]) for g in row["gold"]}
            if types is not None:
                gold = {g for g in gold if g[0] in types}
            for t, _ in got & gold:
                tp[t] += 1
            for t, _ in got - gold:
                fp[t] += 1
            for t, _ in gold - got:
                fn[t] += 1
        results[name] = {"tp": tp, "fp": fp, "fn": fn, "leaks": leaks}
    return results


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def print_quality(results: dict[str, dict], names: list[str]) -> None:
    all_types = sorted({t for res in results.values() for c in ("tp", "fn") for t in res[c]})
    print("\n### Precision / recall / F1 per type (corpus)\n")
    print("| type | gold | " + " | ".join(names) + " |")
    print("|---|---:|" + "---|" * len(names))
    for t in all_types:
        gold_n = results[OURS]["tp"][t] + results[OURS]["fn"][t]
        cells = []
        for n in names:
            res = results[n]
            if n != OURS and t not in SUPPORTED[n]:
                cells.append("–")
                continue
            p, r, f = prf(res["tp"][t], res["fp"][t], res["fn"][t])
            cells.append(f"{p:.2f} / {r:.2f} / **{f:.3f}**")
        print(f"| {t} | {gold_n} | " + " | ".join(cells) + " |")
    print("\n### Overall (micro) F1, and ours on each peer's own types\n")
    print("| tool | P | R | F1 | ours on the same types | card leaks |")
    print("|---|---:|---:|---:|---:|---:|")
    for n in names:
        res = results[n]
        types = SUPPORTED.get(n) or set(all_types)
        tp = sum(res["tp"][t] for t in types)
        fp = sum(res["fp"][t] for t in types)
        fn = sum(res["fn"][t] for t in types)
        o = results[OURS]
        of = prf(*(sum(o[c][t] for t in types) for c in ("tp", "fp", "fn")))[2]
        p, r, f = prf(tp, fp, fn)
        print(f"| {n} | {p:.3f} | {r:.3f} | {f:.3f} | {of:.3f} | {res['leaks']} |")


def report_texts(mb: float) -> tuple[list[tuple[str, str]], int]:
    """~`mb` MB of fresh report text from the corpus generator with another seed, so that no
    tool (ours has caches) sees the scored corpus again and again. A report is 4-12
    generated paragraphs in one language (about 1 KB, the size of a victim's account)."""
    import make_corpus

    r = random.Random(7)
    langs = list(make_corpus.FRAMES)
    texts: list[tuple[str, str]] = []
    size, i, target = 0, 0, int(mb * 1_000_000)
    while size < target:
        lang = langs[len(texts) % len(langs)]
        parts = []
        for _ in range(r.randint(4, 12)):
            parts.append(str(make_corpus.make_text(r, lang, i)["text"]))
            i += 1
        text = "\n".join(parts)
        texts.append((text, make_corpus.COUNTRY[lang]))
        size += len(text.encode("utf-8"))
    return texts, size


def throughput(tools: dict[str, Adapter], mb: float) -> dict[str, float]:
    texts, size = report_texts(mb)
    spent = dict.fromkeys(tools, 0.0)
    # Interleave the tools slice by slice so that load from other processes on the machine
    # falls on all of them alike.
    step = max(1, len(texts) // 20)
    for k in range(0, len(texts), step):
        chunk = texts[k : k + step]
        for name, tool in tools.items():
            t0 = time.perf_counter()
            for text, country in chunk:
                with contextlib.suppress(Exception):  # a peer's crash still costs its time
                    tool(text, country)
            spent[name] += time.perf_counter() - t0
    out = {name: size / 1_000_000 / t for name, t in spent.items()}
    print(
        f"\n### Throughput on {size / 1e6:.1f} MB of report text ({len(texts)} reports, "
        f"{size / len(texts) / 1000:.1f} KB each on average)\n"
    )
    print("| tool | MB/s | ours ÷ tool |")
    print("|---|---:|---:|")
    for name, v in out.items():
        print(f"| {name} | {v:.2f} | {out[OURS] / v:.1f}× |")
    best_peer = max((v for k, v in out.items() if k != OURS), default=0.0)
    if best_peer:
        print(f"\nours ÷ fastest peer: {out[OURS] / best_peer:.1f}×")
    return out


ADVERSARIAL = {
    "25k letters": "a" * 25_000,
    "25k digits": "1" * 25_000,
    "a.a.a. ×12.5k": "a." * 12_500,
    "1.1.1. ×12.5k": "1." * 12_500,
    "hex run 100k": "ab12" * 25_000,
    "a:a: ×12.5k": "a:" * 12_500,
    "a@a@ ×12.5k": "a@" * 12_500,
    "[[[ . ]]] 25k": "[" * 12_500 + "." + "]" * 12_500,
    "a[.] ×6k": "a[.]" * 6_250,
    "http://aaaa 25k": "http://" + "a" * 25_000,
    "http://a.a. 25k": "http://" + "a." * 12_500,
    "email local 25k": "a" * 25_000 + "@example.com",
    "+1 2 2 2 ×12.5k": "+1 " + "2 " * 12_500,
    "4111 ×5k": "4111 " * 5_000,
    "中 ×25k + domain": "中" * 25_000 + "paypal.com",
    "IOC list 100 KB": (
        "card 4111 1111 1111 1111 at evil[.]com, call +33 6 12 34 56 78 hxxp://x[.]org/a\n" * 1250
    ),
}


def _child(name: str, text: str, q: mp.Queue) -> None:
    tools, _ = load()
    tools[OURS] = ours
    t0 = time.perf_counter()
    tools[name](text, "DE")
    q.put(time.perf_counter() - t0)


def adversarial(names: list[str], cap: float) -> None:
    print(f"\n### Adversarial inputs: seconds per MB (child process, cap {cap:.0f} s)\n")
    print("| input | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    ctx = mp.get_context("fork")
    for label, text in ADVERSARIAL.items():
        mbytes = len(text.encode("utf-8")) / 1e6
        cells = []
        for name in names:
            q: mp.Queue = ctx.Queue()
            proc = ctx.Process(target=_child, args=(name, text, q))
            proc.start()
            proc.join(cap)
            if proc.is_alive():
                proc.kill()
                proc.join()
                cells.append(f"> {cap / mbytes:.0f} (timeout)")
            elif q.empty():
                cells.append("crashed")
            else:
                cells.append(f"{q.get() / mbytes:.2f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=5.0, help="report text for throughput")
    ap.add_argument("--adv-cap", type=float, default=30.0, help="seconds per tool and input")
    ap.add_argument("--skip-adversarial", action="store_true")
    args = ap.parse_args()
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    tools, missing = load()
    tools = {OURS: ours, **tools}
    names = list(tools)
    langs = sorted({r["lang"] for r in rows})
    n_gold = sum(len(r["gold"]) for r in rows)
    print(f"## Indicator extraction benchmark\n\ncorpus: {len(rows)} texts, {n_gold} gold "
          f"indicators, languages {', '.join(langs)}; peers: {versions()}")  # fmt: skip
    for name, why in missing.items():
        print(f"peer {name} unavailable: {why}")
    results = score(rows, tools)
    print_quality(results, names)
    hard = [r for r in rows if r["id"].startswith("hard-")]
    print(f"\nhand-written hard cases only ({len(hard)} texts):")
    for name, res in score(hard, tools).items():
        types = SUPPORTED.get(name) or {t for c in ("tp", "fn") for t in res[c]}
        p, r, f = prf(*(sum(res[c][t] for t in types) for c in ("tp", "fp", "fn")))
        print(f"- {name}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    throughput(tools, args.mb)
    if not args.skip_adversarial:
        adversarial(names, args.adv_cap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
