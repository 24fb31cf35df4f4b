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
"""
import argparse
import json
import os
import time

import torch


def blas_note():
    path = os.environ.get("LD_LIBRARY_PATH", "")
    return "openblas-openmp" if "openblas" in path else "reference BLAS (set LD_LIBRARY_PATH, see docstring)"


class LanguageModel(torch.nn.Module):
    def __init__(self, cell, vocab, size):
        super().__init__()
        self.encoder = torch.nn.Embedding(vocab, size)
        if cell == "lstm":
            self.rnn = torch.nn.LSTM(size, size)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(size, size)
        else:
            self.rnn = torch.nn.RNN(size, size, nonlinearity="tanh")
        self.decoder = torch.nn.Linear(size, vocab)

    def forward(self, x, h):
        out, h = self.rnn(self.encoder(x), h)
        return self.decoder(out), h


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
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(json.dumps({"torch": torch.__version__, "blas": blas_note(), "threads": torch.get_num_threads()}))
    for cell in a.cells.split(","):
        print(json.dumps(bench(cell, a.vocab, a.size, a.batch, a.bptt, a.steps, a.warmup, a.sentence)), flush=True)


if __name__ == "__main__":
    main()
