#!/usr/bin/python3
"""PyTorch reference speed for bench/rnn.bench.ts: the same recurrent language models, the same sizes.

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_rnn.py

Embedding (V × 128) → LSTM / GRU / tanh RNN (128 → 128, one layer) → Linear (128 → V) → cross-entropy,
V = 14,116 (the Brown vocabulary), batch 32, bptt 35, Adam, gradient clipping at 0.25 (as
pytorch/examples word_language_model), 2 threads. One training step = forward + loss + backward + clip +
Adam update on 32 × 35 = 1,120 tokens, with the hidden state carried (detached) between steps. Scoring =
one sentence of 25 tokens, batch 1, through the recurrence and the output layer's log-softmax (what a
scorer's scoreSequence does). Without OpenBLAS on LD_LIBRARY_PATH, Debian's torch uses the reference
BLAS, about 10× slower: the script says so.

--output adaptive replaces the Linear + cross-entropy by nn.AdaptiveLogSoftmaxWithLoss (Grave et al. 2017) with
--cutoffs (default 2000,8000) and --div-value (default 4): see bench/output-layer-speed.ts for the choice.

With --data DIR (the Brown ids, written by bench/brown-ids.ts: `npx tsx bench/window-brown.ts --export DIR`, or
bench/output-layer-speed.ts) it times the real thing instead of random ids: --steps training steps (after
--warmup) over the Brown training stream cut into --batch contiguous streams as models/rnn/batches.ts
streamSegments does, then scores the whole Brown test split as one stream (the stream protocol of
harness/metrics.ts: every word and every </s>, state carried, eval mode, no_grad), --score-chunk tokens per
forward (the state carried across chunks), and prints the test tokens and their perplexity beside the rates.
"""
import argparse
import json
import math
import os
import time

import torch
from torch_ids import read_i32


def blas_note():
    """The BLAS library this process loaded (Debian's torch takes the system's libblas.so.3: the reference one unless OpenBLAS is there)."""
    loaded = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower()})
    if any("openblas" in path for path in loaded):
        return "openblas"
    return f"reference BLAS ({', '.join(loaded) or 'none loaded'}; install libopenblas0-openmp, see docstring)"


class LanguageModel(torch.nn.Module):
    """Embedding -> recurrence -> full softmax (Linear), or -> nn.AdaptiveLogSoftmaxWithLoss when `adaptive`."""

    def __init__(self, cell, vocab, size, adaptive=None):
        super().__init__()
        self.encoder = torch.nn.Embedding(vocab, size)
        if cell == "lstm":
            self.rnn = torch.nn.LSTM(size, size)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(size, size)
        else:
            self.rnn = torch.nn.RNN(size, size, nonlinearity="tanh")
        if adaptive is None:
            self.decoder = torch.nn.Linear(size, vocab)
            self.adaptive = None
        else:
            self.decoder = None
            self.adaptive = torch.nn.AdaptiveLogSoftmaxWithLoss(size, vocab, adaptive["cutoffs"], div_value=adaptive["div_value"])

    def forward(self, x, h):
        out, h = self.rnn(self.encoder(x), h)
        return self.decoder(out), h

    def hidden(self, x, h):
        return self.rnn(self.encoder(x), h)

    def loss(self, x, h, targets):
        """Mean cross-entropy over the targets (torch's mean reduction) and the final state."""
        out, h = self.hidden(x, h)
        out = out.reshape(-1, out.shape[-1])
        if self.adaptive is not None:
            return self.adaptive(out, targets).loss, h
        return torch.nn.functional.cross_entropy(self.decoder(out), targets), h

    def target_log_probs(self, x, h, targets):
        """ln P(target_t | history) for each position: the adaptive layer computes only the targets' clusters."""
        out, h = self.hidden(x, h)
        out = out.reshape(-1, out.shape[-1])
        if self.adaptive is not None:
            return self.adaptive(out, targets).output, h
        return torch.log_softmax(self.decoder(out), dim=-1).gather(1, targets[:, None]).squeeze(1), h


def detach(h):
    return tuple(v.detach() for v in h) if isinstance(h, tuple) else h.detach()


def initial(cell, batch, size):
    z = torch.zeros(1, batch, size)
    return (z, z.clone()) if cell == "lstm" else z


def bench(cell, vocab, size, batch, bptt, steps, warmup, sentence):
    torch.manual_seed(1)
    model = LanguageModel(cell, vocab, size)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    data = torch.randint(0, vocab, (bptt + 1, batch))
    h = initial(cell, batch, size)
    model.train()

    def step(h):
        opt.zero_grad()
        logits, h = model(data[:-1], detach(h))
        loss = loss_fn(logits.view(-1, vocab), data[1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        return h

    for _ in range(warmup):
        h = step(h)
    start = time.perf_counter()
    for _ in range(steps):
        h = step(h)
    train_seconds = (time.perf_counter() - start) / steps

    model.eval()
    words = torch.randint(0, vocab, (sentence, 1))
    with torch.no_grad():
        def score():
            logits, _ = model(words, initial(cell, 1, size))
            return torch.log_softmax(logits, dim=-1)

        for _ in range(warmup * 5):
            score()
        n = steps * 20
        start = time.perf_counter()
        for _ in range(n):
            score()
        score_seconds = (time.perf_counter() - start) / n

    return {
        "cell": cell,
        "trainStepMs": train_seconds * 1e3,
        "trainTokensPerSecond": batch * bptt / train_seconds,
        "scoreSentenceMs": score_seconds * 1e3,
        "scoreTokensPerSecond": sentence / score_seconds,
    }


def brown_stream(directory, split):
    """`<s> w… </s> w… </s> …`: the exported window stream (n−1 leading `<s>`) from index n−2, as streamSegments builds it."""
    meta = json.load(open(os.path.join(directory, "meta.json")))
    assert meta["mode"] == "stream", meta
    return meta, read_i32(os.path.join(directory, f"{split}.stream.i32"))[meta["n"] - 2 :]


def bench_brown(cell, size, batch, bptt, steps, warmup, directory, adaptive, chunk, score_tokens):
    meta, train = brown_stream(directory, "train")
    vocab = meta["vocabulary"]
    torch.manual_seed(1)
    model = LanguageModel(cell, vocab, size, adaptive)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    # batchify as streamSegments: stream b is train[b·length : (b+1)·length], read bptt steps at a time.
    length = (len(train) - 1) // batch
    inputs = train[: batch * length].view(batch, length).t().contiguous()
    targets = train[1 : batch * length + 1].view(batch, length).t().contiguous()
    segments = [(t0, min(bptt, length - t0)) for t0 in range(0, length, bptt)]
    model.train()
    state = {"h": initial(cell, batch, size), "k": 0}

    def step():
        t0, T = segments[state["k"] % len(segments)]
        state["k"] += 1
        h = initial(cell, batch, size) if t0 == 0 else detach(state["h"])
        opt.zero_grad()
        loss, state["h"] = model.loss(inputs[t0 : t0 + T], h, targets[t0 : t0 + T].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        return T * batch

    for _ in range(warmup):
        step()
    start, tokens = time.perf_counter(), 0
    for _ in range(steps):
        tokens += step()
    train_seconds = time.perf_counter() - start

    _, test = brown_stream(directory, "test")
    if score_tokens > 0:
        test = test[: score_tokens + 1]
    model.eval()
    with torch.no_grad():
        start = time.perf_counter()
        h, total = initial(cell, 1, size), 0.0
        for t0 in range(0, len(test) - 1, chunk):
            x = test[t0 : min(t0 + chunk, len(test) - 1)]
            y = test[t0 + 1 : t0 + 1 + len(x)]
            lp, h = model.target_log_probs(x[:, None], h, y)
            total += float(lp.sum())
        score_seconds = time.perf_counter() - start
    scored = len(test) - 1
    return {
        "cell": cell,
        "output": "full" if adaptive is None else "adaptive",
        "trainTokensPerSecond": tokens / train_seconds,
        "trainStepMs": train_seconds / steps * 1e3,
        "scoreTokensPerSecond": scored / score_seconds,
        "testTokens": scored,
        "testPerplexity": math.exp(-total / scored),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", default="lstm,gru,rnn")
    p.add_argument("--vocab", type=int, default=14116)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--sentence", type=int, default=25)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--output", choices=["full", "adaptive"], default="full")
    p.add_argument("--cutoffs", default="2000,8000")
    p.add_argument("--div-value", type=float, default=4.0)
    p.add_argument("--data", help="Brown ids exported by bench/brown-ids.ts: time training on them and score the whole test split")
    p.add_argument("--score-chunk", type=int, default=256, help="with --data: test tokens per forward (the state carried)")
    p.add_argument("--score-tokens", type=int, default=0, help="with --data: score only the first N test tokens (0: all)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    adaptive = None if a.output == "full" else {"cutoffs": [int(c) for c in a.cutoffs.split(",")], "div_value": a.div_value}
    print(json.dumps({"torch": torch.__version__, "blas": blas_note(), "threads": torch.get_num_threads(), "output": a.output, "adaptive": adaptive}))
    for cell in a.cells.split(","):
        if a.data:
            row = bench_brown(cell, a.size, a.batch, a.bptt, a.steps, a.warmup, a.data, adaptive, a.score_chunk, a.score_tokens)
        elif adaptive is None:
            row = bench(cell, a.vocab, a.size, a.batch, a.bptt, a.steps, a.warmup, a.sentence)
        else:
            raise SystemExit("--output adaptive needs --data (the random-id bench times the full softmax only)")
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
