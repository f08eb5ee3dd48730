"""Batch verification from Python against the Rust batch, on the same tokens, in one run.

    python bindings-python/bench/verify_batch.py [N] [--rounds R] [--runs K]

Writes N tokens (default 20,000, all valid, one issuer key) to a temporary file with the
trust list, root key and instant in its header, then alternates K times (default 3):

- Rust: ``cargo run --release -p inclusif-core --example verify_batch_timing -- FILE R``,
  which parses every line strictly and verifies the tokens as one batch
  (``Verifier::verify_batch``), R rounds;
- Python: ``Verifier.verify_batch(lines, at)`` on the same lines (a list of ``str``
  read from the same file), R rounds: from Python strings to a ``VerificationBatch``
  holding every verdict.

Prints the per-token cost of each (best round over all runs, the least disturbed by other
work; and the median) and the ratio python/rust; the goal is at most 1.15. Building the
DataFrame-ready columns (``to_columns()``) is timed apart, as it is not part of
verifying. Install a release wheel first (``maturin build --release``): a debug build
measures nothing useful.

This is a timing script, not a test: run it by hand on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from inclusif import voucher

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)


def write_tokens(path: Path, n: int) -> None:
    root = voucher.SecretKey(bytes([0xA0] * 32))
    issuer = voucher.Issuer(7, bytes([0x07] * 32))
    trust = voucher.TrustList(1, AT, 30 * 86400, [voucher.TrustEntry(7, "aptic", issuer.public_key)])
    run = issuer.print_run(voucher.VoucherSpec(date(2026, 1, 1), date(2026, 12, 31)), n)
    with path.open("w", encoding="ascii") as f:
        f.write(f"# trust_list: {trust.sign(root).hex()}\n")
        f.write(f"# root_key: {root.public_key.to_hex()}\n")
        f.write(f"# at: {AT.isoformat()}\n")
        for cheque in run:
            f.write(cheque.qr_payload + "\n")


def rust_rounds(path: Path, rounds: int) -> tuple[float, float, int]:
    """(best, median) ns per token and the number verified, from the example binary."""
    out = subprocess.run(
        [
            "cargo", "run", "--release", "-q", "-p", "inclusif-core",
            "--example", "verify_batch_timing", "--", str(path), str(rounds),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = dict(line.split("=", 1) for line in out.split())
    return (
        float(figures["best_ns_per_token"]),
        float(figures["median_ns_per_token"]),
        int(figures["ok"]),
    )


def python_rounds(
    verifier: voucher.Verifier, lines: list[str], rounds: int
) -> tuple[list[float], int]:
    """Per-token ns of each round, and the number verified."""
    times = []
    ok = 0
    for _ in range(rounds):
        start = time.perf_counter()
        batch = verifier.verify_batch(lines, AT)
        times.append((time.perf_counter() - start) * 1e9 / len(lines))
        ok = batch.ok_count
    return times, ok


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="Python batch verification against Rust's")
    p.add_argument("n", nargs="?", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args(argv[1:])

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tokens.txt"
        write_tokens(path, a.n)
        text = path.read_text(encoding="ascii")
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        header = dict(
            line[2:].split(": ", 1) for line in text.splitlines() if line.startswith("# ")
        )
        trust = voucher.TrustList.load(
            bytes.fromhex(header["trust_list"]), voucher.PublicKey.from_hex(header["root_key"]), AT
        )
        verifier = voucher.Verifier(trust, any_scope=True)  # as the Rust example's
        rust_compiled = rust_rounds(path, 1)  # compiles the example if needed; not counted
        assert rust_compiled[2] == len(lines)

        rust_best, rust_medians, python_all = [], [], []
        for _ in range(a.runs):
            best, median, ok = rust_rounds(path, a.rounds)
            assert ok == len(lines), "the Rust batch verifies every token"
            rust_best.append(best)
            rust_medians.append(median)
            times, ok = python_rounds(verifier, lines, a.rounds)
            assert ok == len(lines), "the Python batch verifies every token"
            python_all.extend(times)

        batch = verifier.verify_batch(lines, AT)
        start = time.perf_counter()
        batch.to_columns()
        columns_ns = (time.perf_counter() - start) * 1e9 / len(lines)

    rust, python = min(rust_best), min(python_all)
    rust_median, python_median = statistics.median(rust_medians), statistics.median(python_all)
    print(
        f"N={len(lines)} tokens (all valid, one key), {a.rounds} rounds x {a.runs} runs, "
        f"Rust and Python alternated; CPUs: {os.cpu_count()}"
    )
    print(f"rust   batch: best {rust / 1000:7.2f} us/token   median {rust_median / 1000:7.2f}")
    print(f"python batch: best {python / 1000:7.2f} us/token   median {python_median / 1000:7.2f}")
    print(f"ratio python/rust: best {python / rust:.3f}   median {python_median / rust_median:.3f}  (goal <= 1.15)")
    print(f"to_columns() afterwards: {columns_ns / 1000:.2f} us/token (not in the figures above)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
