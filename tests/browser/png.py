"""Reading a screenshot back: a PNG's size and pixels, decoded with the standard library.

Enough of PNG for what Chromium writes: 8-bit greyscale, RGB or RGBA, not interlaced, the
five scanline filters undone as the specification says.
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


def chunks(data: bytes):
    """(type, body) of each chunk."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    position = len(SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        yield kind, data[position + 8:position + 8 + length]
        position += 12 + length


def pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of pixel bytes of the PNG `data`."""
    found = list(chunks(data))
    header = next(body for kind, body in found if kind == b"IHDR")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
    raw = zlib.decompress(b"".join(body for kind, body in found if kind == b"IDAT"))
    step = CHANNELS[colour]
    stride = width * step
    rows, previous = [], bytes(stride)
    for index in range(height):
        start = index * (stride + 1)
        row = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), previous,
                        step)
        rows.append(bytes(row))
        previous = row
    return width, height, rows


def _unfilter(kind: int, row: bytearray, above: bytes, step: int) -> bytearray:
    for i in range(len(row)):
        left = row[i - step] if i >= step else 0
        up = above[i]
        corner = above[i - step] if i >= step else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            row[i] = (row[i] + _paeth(left, up, corner)) & 0xFF
    return row


def _paeth(left: int, up: int, corner: int) -> int:
    estimate = left + up - corner
    near_left, near_up, near_corner = (abs(estimate - left), abs(estimate - up),
                                       abs(estimate - corner))
    if near_left <= near_up and near_left <= near_corner:
        return left
    return up if near_up <= near_corner else corner


def colours(data: bytes, step: int = 4) -> set[bytes]:
    """The distinct pixel values of the PNG `data`, sampled every `step` rows."""
    width, _, rows = pixels(data)
    size = len(rows[0]) // width
    return {row[i:i + size] for row in rows[::step] for i in range(0, len(row), size)}
