"""Fast constructors for Arrow arrays from NumPy (ids, timestamps, dates, decimals)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa


TS = pa.timestamp("us", tz="UTC")
MONEY = pa.decimal128(18, 2)
RATE = pa.decimal128(18, 6)


def fixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Strings ``prefix + zero-padded number`` built without Python loops."""
    value = np.array(numbers, dtype=np.int64)
    n = len(value)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    size = len(head) + width
    data = np.empty((n, size), np.uint8)
    data[:, :len(head)] = head
    for k in range(size - 1, len(head) - 1, -1):
        data[:, k] = value % 10 + 48
        value //= 10
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(size)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def timestamps(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """UTC timestamps (microseconds) from epoch seconds; ``valid`` marks non-null."""
    values = np.asarray(seconds, dtype=np.int64) * 1_000_000
    return pa.array(values, type=pa.int64(), mask=None if valid is None else ~valid).cast(TS)


def dates(epoch_days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``date32`` values from days since the epoch."""
    values = np.asarray(epoch_days, dtype=np.int32)
    return pa.array(values, type=pa.int32(), mask=None if valid is None else ~valid).cast(pa.date32())


def decimals(units: np.ndarray, dtype: pa.Decimal128Type, valid: np.ndarray | None = None) -> pa.Array:
    """Decimals from integer units of the type's scale (cents for ``MONEY``)."""
    low = np.asarray(units, dtype=np.int64)
    pair = np.stack([low, low >> 63], axis=1).astype(np.int64)
    n = len(low)
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))
    return pa.Array.from_buffers(dtype, n, [bitmap, pa.py_buffer(np.ascontiguousarray(pair))])


def ints(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``int64`` values with an optional validity mask."""
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=None if valid is None else ~valid)


def pick(labels: Sequence[str], codes: np.ndarray) -> pa.Array:
    """Strings ``labels[code]`` (null where ``code < 0``)."""
    codes = np.asarray(codes, dtype=np.int64)
    return pa.array(list(labels), pa.string()).take(pa.array(codes, mask=codes < 0))
