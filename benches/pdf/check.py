#!/usr/bin/env python3
"""Checks what gazette reads from a generated set of PDF issues against the generator's truth.

    benches/pdf/check.py SET_DIR [--gazette target/release/gazette]

Indexes SET_DIR into a temporary index, then, for each `NAME.pdf` with a `NAME.truth.json`
beside it, counts the truth paragraphs read whole and exact (white space aside), and of those the
ones cited on the right page and the right last page. A paragraph is compared as the text layer
holds it (`text_layer`, where the producer left punctuation out of it). Prints one line per issue and a total, and
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


if __name__ == "__main__":
    sys.exit(main())
