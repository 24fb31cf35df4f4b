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

With --data DIR --speed it times instead, for bench/output-layer-speed.ts: --steps training steps (after --warmup;
shuffled Brown windows, batch --batch, Adam) and the scoring of the whole Brown test split (every predicted
token of the stream protocol, --score-rows windows per forward, eval mode, no_grad), with --hidden units and
--output full (Linear + softmax) or adaptive (nn.AdaptiveLogSoftmaxWithLoss, Grave et al. 2017, on the output
layer's input [tanh(d + Hx)] or [tanh(d + Hx) | x] with direct connections; --cutoffs, --div-value).
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_ids import read_i32

V, N, M, H, BATCH, SCORE_ROWS = 14116, 5, 60, 50, 128, 64


class Bengio(nn.Module):
    """y = b + W x + U tanh(d + H x), x = concatenated embeddings C(w) of the n-1 previous words."""

    def __init__(self, direct, hidden=H):
        super().__init__()
        self.C = nn.Embedding(V, M)
        self.hidden = nn.Linear((N - 1) * M, hidden)
        self.output = nn.Linear(hidden, V)
        self.direct = nn.Linear((N - 1) * M, V, bias=False) if direct else None

    def forward(self, context):
        x = self.C(context).view(context.shape[0], -1)
        y = self.output(torch.tanh(self.hidden(x)))
        return y + self.direct(x) if self.direct is not None else y


class AdaptiveBengio(nn.Module):
    """The same network with nn.AdaptiveLogSoftmaxWithLoss as its output layer, on z = [tanh(d + H x) (| x)]."""

    def __init__(self, direct, hidden, cutoffs, div_value):
        super().__init__()
        self.C = nn.Embedding(V, M)
        self.hidden = nn.Linear((N - 1) * M, hidden)
        self.direct = direct
        width = hidden + ((N - 1) * M if direct else 0)
        self.output = nn.AdaptiveLogSoftmaxWithLoss(width, V, cutoffs, div_value=div_value)

    def features(self, context):
        x = self.C(context).view(context.shape[0], -1)
        t = torch.tanh(self.hidden(x))
        return torch.cat([t, x], dim=1) if self.direct else t

    def loss(self, context, target):
        return self.output(self.features(context), target).loss

    def target_log_probs(self, context, target):
        return self.output(self.features(context), target).output


def speed_on_data(args):
    """Training tokens/s on the Brown windows and scoring tokens/s of the whole Brown test split (JSON line)."""
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    assert meta["vocabulary"] == V and meta["n"] == N and meta["mode"] == "stream", meta
    contexts, targets = windows(args.data, "train")
    torch.manual_seed(1)
    direct = not args.no_direct
    if args.output == "adaptive":
        cutoffs = [int(c) for c in args.cutoffs.split(",")]
        model = AdaptiveBengio(direct, args.hidden, cutoffs, args.div_value)
        loss_of = model.loss
        log_probs_of = model.target_log_probs
    else:
        model = Bengio(direct, args.hidden)
        loss_of = lambda c, t: F.cross_entropy(model(c), t)  # noqa: E731
        log_probs_of = lambda c, t: F.log_softmax(model(c), dim=1).gather(1, t[:, None]).squeeze(1)  # noqa: E731
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.randperm(len(targets))
    state = {"i": 0}

    def step():
        batch = order[state["i"] : state["i"] + args.batch]
        state["i"] = (state["i"] + args.batch) % (len(order) - args.batch)
        opt.zero_grad()
        loss = loss_of(contexts[batch], targets[batch])
        loss.backward()
        opt.step()

    model.train()
    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    train_seconds = time.perf_counter() - start

    test_contexts, test_targets = windows(args.data, "test")
    if args.score_tokens > 0:
        test_contexts, test_targets = test_contexts[: args.score_tokens], test_targets[: args.score_tokens]
    model.eval()
    with torch.no_grad():
        start, total = time.perf_counter(), 0.0
        for i in range(0, len(test_targets), args.score_rows):
            total += float(log_probs_of(test_contexts[i : i + args.score_rows], test_targets[i : i + args.score_rows]).sum())
        score_seconds = time.perf_counter() - start
    scored = len(test_targets)
    print(json.dumps(dict(
        model="window",
        output=args.output,
        hidden=args.hidden,
        direct=direct,
        threads=torch.get_num_threads(),
        parameters=sum(p.numel() for p in model.parameters()),
        trainTokensPerSecond=args.steps * args.batch / train_seconds,
        trainStepMs=train_seconds / args.steps * 1e3,
        scoreTokensPerSecond=scored / score_seconds,
        testTokens=scored,
        testPerplexity=math.exp(-total / scored),
        blas=next((line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower()), None),
    )), flush=True)


def rate(fn, tokens, seconds):
    fn()  # warm-up
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return tokens * count / (time.perf_counter() - start)


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
    parser.add_argument("--speed", action="store_true", help="with --data: time training steps and the scoring of the test split")
    parser.add_argument("--hidden", type=int, default=H, help="with --speed: hidden units h")
    parser.add_argument("--output", choices=["full", "adaptive"], default="full", help="with --speed: the output layer")
    parser.add_argument("--cutoffs", default="2000,8000")
    parser.add_argument("--div-value", type=float, default=4.0)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--score-rows", type=int, default=SCORE_ROWS)
    parser.add_argument("--score-tokens", type=int, default=0, help="with --speed: score only the first N test tokens (0: all)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    blas = [line.split()[-1] for line in open("/proc/self/maps") if "blas" in line]
    if not args.json and not args.speed:
        print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, BLAS {blas[0] if blas else 'none loaded'}", flush=True)
    if args.data and args.speed:
        speed_on_data(args)
        return
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
