#!/usr/bin/env bash
# gazette against ripgrep on the same corpus, in one run, with hyperfine: end-to-end times from
# process start to exit, and the ratio rg / gazette for each query.
#
#   benches/compare.sh [CORPUS] [INDEX]
#
# CORPUS defaults to ../shared/corpus; INDEX to target/compare-index, built first when missing
# (its build time, throughput, size and peak RSS are printed). With RESULTS=FILE each case is
# also appended to FILE as `case<TAB>gazette ms<TAB>rg ms<TAB>gazette peak RSS KB`, and the
# index's figures as `index<TAB>seconds<TAB>MB of text<TAB>index MB<TAB>peak RSS KB`. Needs
# ripgrep and hyperfine (Debian: apt-get install ripgrep hyperfine) and python3; CI does not run
# this script.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-../shared/corpus}
index=${2:-target/compare-index}
runs=${RUNS:-20}

for tool in rg hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool (apt-get install ripgrep hyperfine)" >&2; exit 2; }
done
cargo build --release --quiet
gazette=target/release/gazette
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ ! -f "$index/meta.json" ]; then
  /usr/bin/time -f '%e %M' -o "$out/time" "$gazette" index "$corpus" --index "$index" >/dev/null
  read -r seconds rss_kb <"$out/time"
  mb=$(du -sbL "$corpus" | awk '{print $1 / 1e6}')
  index_mb=$(du -sb "$index" | awk '{print $1 / 1e6}')
  python3 -c "import sys; s,r,m,i=map(float,sys.argv[1:]); print(f'index: {m:.0f} MB of text in {s:.1f} s = {m/s:.1f} MB/s, index {i:.0f} MB = {i/m:.2f}x the text, peak RSS {r/1024:.0f} MB')" \
    "$seconds" "$rss_kb" "$mb" "$index_mb"
  if [ -n "${RESULTS:-}" ]; then
    printf 'index\t%s\t%s\t%s\t%s\n' "$seconds" "$mb" "$index_mb" "$rss_kb" >>"$RESULTS"
  fi
fi

# name | gazette command | rg command
cases=(
  "rare 多氟多 top 10|$gazette search 多氟多 --index $index|rg -c 多氟多 $corpus"
  "rare 云台山 top 10|$gazette search 云台山 --index $index|rg -c 云台山 $corpus"
  "common 政府 top 10|$gazette search 政府 --index $index|rg -c 政府 $corpus"
  "7 chars 黄河流域生态保护 top 10|$gazette search 黄河流域生态保护 --index $index|rg -c 黄河流域生态保护 $corpus"
  "one character 的 top 10|$gazette search 的 --index $index|rg -c 的 $corpus"
  "common long 中华人民共和国 top 10|$gazette search 中华人民共和国 --index $index|rg -c 中华人民共和国 $corpus"
  "发展 NEAR/5 经济 top 10|$gazette search 发展 NEAR/5 经济 --index $index|rg -c -e 发展.{0,5}经济 -e 经济.{0,5}发展 $corpus"
  "发展 OR 改革 top 10|$gazette search 发展 OR 改革 --index $index|rg -c -e 发展 -e 改革 $corpus"
  "政府 region:河南 top 10 (rg: all)|$gazette search 政府 region:河南 --index $index|rg -c 政府 $corpus"
  "政府 document:条例 top 10 (rg: all)|$gazette search 政府 document:条例 --index $index|rg -c 政府 $corpus"
  "政府 keywords:地方政府 top 10 (rg: all)|$gazette search 政府 keywords:地方政府 --index $index|rg -c 政府 $corpus"
  "--count 政府|$gazette search 政府 --count --index $index|rg -c 政府 $corpus"
  "--all --json 政府|$gazette search 政府 --all --json --index $index|rg --json 政府 $corpus"
)

printf '%-36s %12s %12s %8s %10s\n' case "gazette ms" "rg ms" "rg/gaz" "RSS MB"
for case in "${cases[@]}"; do
  IFS='|' read -r name ours theirs <<<"$case"
  # -N: no shell between hyperfine and the command; output goes to /dev/null.
  hyperfine --style none --warmup 3 --runs "$runs" -N --ignore-failure \
    --export-json "$out/run.json" "$ours" "$theirs" >/dev/null
  # Peak RSS of one more run of gazette's command (word splitting as hyperfine -N does).
  # shellcheck disable=SC2086
  /usr/bin/time -f '%M' -o "$out/rss" $ours >/dev/null 2>&1 || true
  python3 - "$out/run.json" "$name" "$(tail -1 "$out/rss")" "${RESULTS:-}" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
ours, theirs = (r["median"] * 1000 for r in results)
rss = int(sys.argv[3])
print(f"{sys.argv[2]:<36} {ours:12.1f} {theirs:12.1f} {theirs / ours:7.1f}x {rss / 1024:10.1f}")
if sys.argv[4]:
    with open(sys.argv[4], "a") as f:
        f.write(f"{sys.argv[2]}\t{ours:.2f}\t{theirs:.2f}\t{rss}\n")
PY
done
echo "medians of $runs runs each after 3 warm-ups; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
