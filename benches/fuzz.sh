#!/usr/bin/env bash
# Runs the property tests of tests/it/fuzz.rs (file parser, query parser, folding) with many cases,
# over and over, for a fixed time per target; stops at the first failure, which proptest reports
# with the smallest input it found.
#
#   benches/fuzz.sh [MINUTES_PER_TARGET]    (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
cargo test --release --test it --no-run --quiet
for target in the_file_parser_never_panics_and_invents_no_text the_query_parser_never_panics \
  folding_and_literal_grams_never_panic deep_queries_are_answered_or_refused; do
  end=$((SECONDS + minutes * 60))
  rounds=0
  while [ "$SECONDS" -lt "$end" ]; do
    # A new random seed each round (proptest seeds from the OS unless told otherwise).
    GAZETTE_FUZZ_CASES=20000 cargo test --release --quiet --test it "fuzz::$target" -- --exact >/dev/null
    rounds=$((rounds + 1))
  done
  echo "$target: $rounds rounds of 20000 cases in $minutes min, no failure"
done
