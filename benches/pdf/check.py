#!/usr/bin/env python3
"""Checks what gazette reads from a generated set of PDF issues against the generator's truth.

    benches/pdf/check.py SET_DIR [--gazette target/release/gazette]

Indexes SET_DIR into a temporary index, then, for each `NAME.pdf` with a `NAME.truth.json`
beside it, counts the truth paragraphs read whole and exact (white space aside), and of those the
ones cited on the right page and the right last page. A paragraph is compared as the text layer
holds it (`text_layer`, where the producer left punctuation out of it). Then searches each word
across a line, column or page end (`crossings`) and counts those found exactly as often as the
source holds them, by kind of end. Prints one line per issue and a total, and
lists each miss.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def squeeze(text):
    return "".join(text.split())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--gazette", default="target/release/gazette")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args()
    totals = [0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as work:
        index = str(Path(work) / "index")
        subprocess.run([args.gazette, "index", str(args.set), "--index", index],
                       capture_output=True, check=False)
        for truth_path in sorted(args.set.glob("*.truth.json")):
            name = truth_path.name[: -len(".truth.json")]
            pdf = args.set / f"{name}.pdf"
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            shown = subprocess.run([args.gazette, "show", str(pdf), "--json", "--index", index],
                                   capture_output=True, text=True, check=False)
            read = {}
            for line in shown.stdout.splitlines():
                hit = json.loads(line)
                read[(hit["document"], squeeze(hit["text"]))] = (hit["page"], hit["page_end"])
            counts = [0, 0, 0, 0]
            for document in truth["documents"]:
                for paragraph in document["paragraphs"]:
                    counts[0] += 1
                    # As the text layer holds it: a producer may leave punctuation out.
                    text = paragraph.get("text_layer", paragraph["text"])
                    key = (document["title"], squeeze(text))
                    if key not in read:
                        if not args.quiet:
                            print(f"  {name}: not whole: {key[1][:40]}")
                        continue
                    counts[1] += 1
                    page, page_end = read[key]
                    want_end = None if paragraph["page_end"] == paragraph["page"] else paragraph["page_end"]
                    counts[2] += page == paragraph["page"]
                    counts[3] += page_end == want_end
                    if (page, page_end) != (paragraph["page"], want_end) and not args.quiet:
                        print(f"  {name}: pages {page}-{page_end}, truth {paragraph['page']}-"
                              f"{paragraph['page_end']}: {key[1][:40]}")
            print(f"{name}: {counts[1]}/{counts[0]} whole, page right {counts[2]}, "
                  f"last page right {counts[3]}")
            totals = [t + c for t, c in zip(totals, counts)]
        print(f"total: {totals[1]}/{totals[0]} whole, page right {totals[2]}, "
              f"last page right {totals[3]}")
        crossings(args, index)


def crossings(args, index):
    """Words across line, column and page ends: found as often as the source holds them."""
    right, all_ = {}, {}
    for truth_path in sorted(args.set.glob("*.truth.json")):
        name = truth_path.name[: -len(".truth.json")]
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        titles = {d["title"] for d in truth["documents"]}
        source = [squeeze(d["title"]) for d in truth["documents"]] + [
            squeeze(p.get("text_layer", p["text"])) for d in truth["documents"] for p in d["paragraphs"]]
        seen = set()
        for crossing in truth.get("crossings", []):
            literal, kind = crossing["literal"], crossing["kind"]
            if literal in seen:
                continue
            seen.add(literal)
            want = sum(t.count(literal) for t in source)
            out = subprocess.run([args.gazette, "search", literal, "--all", "--json", "--index", index],
                                 capture_output=True, text=True, check=False).stdout
            got = 0
            for line in out.splitlines():
                hit = json.loads(line)
                if hit["path"].endswith(f"/{name}.pdf") and hit["document"] in titles:
                    got += len(hit["matches"])
            all_[kind] = all_.get(kind, 0) + 1
            right[kind] = right.get(kind, 0) + (got == want)
            if got != want and not args.quiet:
                print(f"  {name}: {literal} across a {kind} end: found {got}, source {want}")
    for kind in sorted(all_):
        print(f"crossings at {kind} ends: {right[kind]}/{all_[kind]} found as often as the source holds them")


if __name__ == "__main__":
    sys.exit(main())
