#!/usr/bin/env bash
# Growth curve: generated corpora of growing size (default 100, 1000 and 3000 MB), each indexed
# and compared with ripgrep by benches/compare.sh (index time, MB/s, size, peak RSS; end-to-end
# search times, ratios and peak RSS), then drawn by benches/growth_chart.py: a Markdown table on
# standard output and the chart in WORK/growth.svg.
#
#   benches/growth.sh [SOURCE] [WORK] [MB...]
#
# SOURCE (default ../shared/corpus) gives the paragraphs that `gazette generate` recombines; WORK
# (default target/growth) holds the corpora and indexes: about 4.5 times the text in all, so
# 19 GB for the three default sizes. Needs what compare.sh needs (ripgrep, hyperfine, python3).
set -euo pipefail
cd "$(dirname "$0")/.."

source=${1:-../shared/corpus}
work=${2:-target/growth}
shift $(($# < 2 ? $# : 2))
sizes=("${@:-100 1000 3000}")
read -r -a sizes <<<"${sizes[*]}"

cargo build --release --quiet
mkdir -p "$work"
for mb in "${sizes[@]}"; do
  corpus="$work/corpus-$mb"
  if [ ! -d "$corpus" ]; then
    target/release/gazette generate --source "$source" --out "$corpus" --megabytes "$mb" --seed 1
  fi
  echo "== $mb MB"
  rm -f "$work/results-$mb.tsv"
  RESULTS="$work/results-$mb.tsv" benches/compare.sh "$corpus" "$work/index-$mb"
done
results=()
for mb in "${sizes[@]}"; do
  results+=("$work/results-$mb.tsv")
done
python3 benches/growth_chart.py "$work/growth.svg" "${results[@]}"
echo "chart: $work/growth.svg"
