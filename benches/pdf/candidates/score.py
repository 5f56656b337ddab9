import json, re, sys, collections, glob
libs = ["pdftotext", "pdf_oxide", "pdf_oxide-chars", "pdf-extract", "lopdf"]
ws = lambda s: re.sub(r"\s+", "", s)
cjk = lambda c: '\u4e00' <= c <= '\u9fff'
rows = []
for truth_path in sorted(glob.glob("/tmp/pdfset/issue*.truth.json")):
    truth = json.load(open(truth_path))
    pdf = truth_path.replace(".truth.json", ".pdf")
    paras = [p for d in truth["documents"] for p in d["paragraphs"]]
    within = [p for p in paras if p["page"] == p["page_end"]]
    want = collections.Counter(c for p in paras for c in ws(p["text"]) if cjk(c))
    for lib in libs:
        try:
            text = open(f"{pdf}.{lib}.txt", encoding="utf-8", errors="replace").read()
        except FileNotFoundError:
            continue
        flat = ws(text.replace("\f", ""))
        exact = sum(ws(p["text"]) in flat for p in within)
        got = collections.Counter(c for c in flat if cjk(c))
        lost = sum((want - got).values())
        bad = sum(1 for c in text if '\ue000' <= c <= '\uf8ff' or c == '\ufffd')
        rows.append((pdf.split('/')[-1], lib, len(within), exact, sum(want.values()), lost, bad))
print("file\tlibrary\tparagraphs within a page\tfound whole\tCJK chars\tlost\tprivate-use/replacement")
for r in rows: print("\t".join(map(str, r)))
tot = collections.defaultdict(lambda: [0,0,0,0,0])
for f, lib, n, e, c, l, b in rows:
    t = tot[lib]; t[0]+=n; t[1]+=e; t[2]+=c; t[3]+=l; t[4]+=b
print()
for lib, (n, e, c, l, b) in tot.items():
    print(f"{lib}: {e}/{n} paragraphs found whole ({100*e/n:.1f}%), {l}/{c} CJK characters lost, {b} private-use or replacement")
