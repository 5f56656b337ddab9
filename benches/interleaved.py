#!/usr/bin/env python3
"""Wall times of commands run in turn, round after round, so that a drift of the machine's speed
falls on every command alike (hyperfine runs each command's runs together).

    python3 benches/interleaved.py ROUNDS 'CMD1' 'CMD2' ...

Runs 3 warm-up rounds, then ROUNDS rounds, each command once per round in the order given, its
output discarded; prints each command's median in milliseconds, from process start to exit
(spawning from Python costs about a millisecond, the same for every command: time `true` to see
it). Used to compare two builds of gazette and rg side by side (docs/PERFORMANCE.md). Copy the
builds to compare at the same moment (`cp target/release/gazette /tmp/new`): a copy made earlier,
with indexing runs since, started slower than a fresh copy of the same binary (docs/PERFORMANCE.md,
round 10). Run a comparison in both orders: the first command of each round can be slower by a
few tenths of a millisecond, whatever it runs.
"""
import shlex
import statistics
import subprocess
import sys
import time

WARMUP = 3


def main() -> None:
    rounds = int(sys.argv[1])
    commands = [shlex.split(command) for command in sys.argv[2:]]
    times: list[list[float]] = [[] for _ in commands]
    for round_ in range(WARMUP + rounds):
        for i, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = (time.perf_counter() - start) * 1000
            if round_ >= WARMUP:
                times[i].append(elapsed)
    print(" ".join(f"{statistics.median(t):.2f}" for t in times))


if __name__ == "__main__":
    main()
