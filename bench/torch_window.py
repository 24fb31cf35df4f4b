#!/usr/bin/python3
"""PyTorch 1.13 reference speed for the window model (Bengio et al. 2003), the twin of bench/window.bench.ts.

Run (OpenBLAS, 2 threads; Debian's default BLAS is the slow reference one):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_window.py [--seconds S]
Same model, batch and optimiser as the TypeScript bench: n=5, m=60, h=50, with and without direct connections,
|V| = the Brown vocabulary (14,116), batch 128, Adam, float32. Contexts and targets are random ids: the cost of
a step does not depend on which ids they are. Prints training tokens/s (forward + backward + Adam step) and
scoring tokens/s (forward + log_softmax, batches of 64 windows as the TypeScript scorer).

With --data DIR (written by `npx tsx bench/window-brown.ts --mode stream --export DIR`) it instead trains on the
real Brown windows for --epochs epochs (shuffled, batch 128, Adam lr 1e-3, direct connections unless
--no-direct) and prints training tokens/s and the valid perplexity of this reference run (exp of the mean
cross-entropy over the valid windows: the same predicted tokens as the shared protocol).
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, N, M, H, BATCH, SCORE_ROWS = 14116, 5, 60, 50, 128, 64


class Bengio(nn.Module):
    """y = b + W x + U tanh(d + H x), x = concatenated embeddings C(w) of the n-1 previous words."""

    def __init__(self, direct):
        super().__init__()
        self.C = nn.Embedding(V, M)
        self.hidden = nn.Linear((N - 1) * M, H)
        self.output = nn.Linear(H, V)
        self.direct = nn.Linear((N - 1) * M, V, bias=False) if direct else None

    def forward(self, context):
        x = self.C(context).view(context.shape[0], -1)
        y = self.output(torch.tanh(self.hidden(x)))
        return y + self.direct(x) if self.direct is not None else y


def rate(fn, tokens, seconds):
    fn()  # warm-up
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return tokens * count / (time.perf_counter() - start)


def read_i32(path):
    import array

    a = array.array("i")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return torch.tensor(a, dtype=torch.int64)


def windows(directory, split):
    """Contexts (oldest first) and targets of every predicted position, as bench/window-brown.ts exported them."""
    stream = read_i32(os.path.join(directory, f"{split}.stream.i32"))
    positions = read_i32(os.path.join(directory, f"{split}.positions.i32"))
    offsets = torch.arange(-(N - 1), 0)
    return stream[positions[:, None] + offsets], stream[positions]


def train_on_data(args):
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    assert meta["vocabulary"] == V and meta["n"] == N, meta
    contexts, targets = windows(args.data, "train")
    valid_contexts, valid_targets = windows(args.data, "valid")
    torch.manual_seed(1)
    model = Bengio(not args.no_direct)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(targets))
        start, loss_sum = time.perf_counter(), 0.0
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            opt.zero_grad()
            loss = F.cross_entropy(model(contexts[batch]), targets[batch])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(batch)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            nll = sum(F.cross_entropy(model(valid_contexts[i : i + 1024]), valid_targets[i : i + 1024], reduction="sum").item() for i in range(0, len(valid_targets), 1024))
        print(json.dumps(dict(epoch=epoch, mode=meta["mode"], direct=not args.no_direct, threads=torch.get_num_threads(), train_tokens_per_second=round(len(targets) / seconds), train_loss=loss_sum / len(targets), valid_perplexity=math.exp(nll / len(valid_targets)))), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", help="train on exported Brown windows instead of timing random batches")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--no-direct", action="store_true")
    parser.add_argument("--json", action="store_true", help="one JSON object per model (for bench/window.bench.ts)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    blas = [line.split()[-1] for line in open("/proc/self/maps") if "blas" in line]
    if not args.json:
        print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, BLAS {blas[0] if blas else 'none loaded'}", flush=True)
    if args.data:
        train_on_data(args)
        return
    for direct in (True, False):
        model = Bengio(direct)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        contexts = torch.randint(0, V, (64, BATCH, N - 1))
        targets = torch.randint(0, V, (64, BATCH))
        state = {"i": 0}

        def step():
            i = state["i"] = (state["i"] + 1) % 64
            opt.zero_grad()
            loss = F.cross_entropy(model(contexts[i]), targets[i])
            loss.backward()
            opt.step()

        def score():
            with torch.no_grad():
                i = state["i"] = (state["i"] + 1) % 64
                y = F.log_softmax(model(contexts[i, :SCORE_ROWS]), dim=1)
                y.gather(1, targets[i, :SCORE_ROWS, None])

        params = sum(p.numel() for p in model.parameters())
        train = rate(step, BATCH, args.seconds)
        scoring = rate(score, SCORE_ROWS, args.seconds)
        label = f"n={N} m={M} h={H}{' direct' if direct else ''}"
        if args.json:
            print(json.dumps(dict(model=label, parameters=params, trainTokensPerSecond=train, scoreTokensPerSecond=scoring, blas=blas[0] if blas else None)), flush=True)
            continue
        print(f"{label:24} parameters {params:>9,}  train {train:8,.0f} tokens/s  score {scoring:8,.0f} tokens/s")


if __name__ == "__main__":
    main()
