"""The int32 id files that bench/brown-ids.ts writes, read as torch tensors: shared by the PyTorch twins."""

import array

import torch


def read_i32(path):
    """A little-endian int32 file as an int64 tensor (the index type torch's embedding and loss take)."""
    a = array.array("i")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return torch.tensor(a, dtype=torch.int64)
