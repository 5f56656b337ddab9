#!/usr/bin/env python3
"""Titles searched as queries: how often the document a title names comes first.

    benches/titles.py INDEX [--corpus ../shared/corpus] [--gazette target/release/gazette]

Draws 150 titles from the 行政院公報 manifest and 200 law titles from their file names (seed 1),
searches each as one quoted literal (`gazette search "TITLE" --json -n 1`) in an index of the
shared corpus, and counts the titles whose own file is the first hit (issue 19).
"""

import argparse
import csv
import json
import os
import random
import subprocess
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus")
    parser.add_argument("--gazette", default="target/release/gazette")
    args = parser.parse_args()
    random.seed(1)
    tw = []
    with open(args.corpus / "tw-executive-yuan-gazette/manifest.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row.get("title"):
                tw.append((row["title"], f"tw-executive-yuan-gazette/{row['file']}"))
    laws = []
    for path in sorted((args.corpus / "cn-laws-lawrefbook").rglob("*.txt")):
        laws.append((path.stem.split("(")[0], os.path.relpath(path, args.corpus)))

    def first(title):
        query = '"' + title.replace('"', '""') + '"'
        out = subprocess.run([args.gazette, "search", query, "--json", "-n", "1", "--index", args.index],
                             capture_output=True, text=True, check=False).stdout
        return json.loads(out.splitlines()[0])["path"] if out.strip() else ""

    for name, items, n in [("行政院公報", tw, 150), ("laws", laws, 200)]:
        sample = random.sample(items, n)
        right = sum(1 for title, path in sample if first(title).endswith(path))
        print(f"{name}: {right}/{n} titles find their document first ({100 * right / n:.1f}%)")


if __name__ == "__main__":
    main()
