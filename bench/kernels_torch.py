"""PyTorch (OpenBLAS) timings of the matrix-product shapes in bench/kernels.bench.ts, for same-run ratios.

Run by the TypeScript bench as
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/kernels_torch.py
with the shapes as JSON on stdin ([{"name", "form", "m", "k", "n"}], form one of "AB", "ABt", "AtB")
and the thread counts as arguments; prints [{"name", "threads", "gflops", "cpu_gflops" (one thread:
per CPU second)}] as JSON. Debian's torch
otherwise links the slow reference BLAS, hence the library path.
"""
import json
import statistics
import sys
import time

import torch


def operands(form, m, k, n):
    a = torch.randn(k, m) if form == "AtB" else torch.randn(m, k)
    b = torch.randn(n, k) if form == "ABt" else torch.randn(k, n)
    return a, b, torch.empty(m, n)


def product(form, a, b, c):
    if form == "AB":
        return lambda: torch.mm(a, b, out=c)
    if form == "ABt":
        return lambda: torch.mm(a, b.t(), out=c)
    return lambda: torch.mm(a.t(), b, out=c)


def cpu_seconds(run, budget=0.3, min_reps=3):
    """Mean process CPU time per call: on a shared machine this is what the kernel costs when it runs."""
    run()
    reps = 0
    start = time.process_time()
    while reps < min_reps or time.process_time() - start < budget:
        run()
        reps += 1
    return (time.process_time() - start) / reps


def median_seconds(run, budget=0.4, min_reps=5):
    for _ in range(3):
        run()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_reps or time.perf_counter() - start < budget:
        t = time.perf_counter()
        run()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main():
    shapes = json.load(sys.stdin)
    threads = [int(t) for t in sys.argv[1:]] or [1, 2]
    torch.manual_seed(0)
    out = []
    for t in threads:
        torch.set_num_threads(t)
        for s in shapes:
            a, b, c = operands(s["form"], s["m"], s["k"], s["n"])
            run = product(s["form"], a, b, c)
            flops = 2 * s["m"] * s["k"] * s["n"]
            row = {"name": s["name"], "threads": t, "gflops": flops / median_seconds(run) / 1e9}
            if t == 1:
                row["cpu_gflops"] = flops / cpu_seconds(run) / 1e9
            out.append(row)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
