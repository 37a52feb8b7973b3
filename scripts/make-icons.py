#!/usr/bin/env python3
"""Draws Parley's icons (a speech bubble disc; tray variants with a status dot) as PNGs, no deps."""
import math, struct, zlib, sys, os

def png(path, size, pixel):
    raw = bytearray()
    for y in range(size):
        raw.append(0)
        for x in range(size):
            raw.extend(pixel(x + 0.5, y + 0.5, size))
    def chunk(tag, data):
        return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(bytes(raw), 9)) + chunk(b'IEND', b''))

def disc(cx, cy, r, x, y):
    d = math.hypot(x - cx, y - cy)
    return max(0.0, min(1.0, r - d + 0.5))

def icon(dot=None):
    def pixel(x, y, s):
        a = disc(s * 0.5, s * 0.5, s * 0.46, x, y)
        col = (37, 99, 235)
        # two white lines of text, like a chat message
        top = abs(y - s * 0.4) < s * 0.055 and s * 0.26 < x < s * 0.74
        bottom = abs(y - s * 0.6) < s * 0.055 and s * 0.26 < x < s * 0.56
        bar = 1.0 if (top or bottom) else 0.0
        r, g, b = [int(c * (1 - bar) + 255 * bar) for c in col]
        if dot:
            da = disc(s * 0.78, s * 0.78, s * 0.2, x, y)
            ring = disc(s * 0.78, s * 0.78, s * 0.26, x, y)
            if ring > 0:
                r, g, b = [int(c * (1 - ring) + 255 * ring) for c in (r, g, b)]
                a = max(a, ring)
            if da > 0:
                r, g, b = [int(c * (1 - da) + d * da) for c, d in zip((r, g, b), dot)]
        return bytes((r, g, b, int(255 * a)))
    return pixel

out = sys.argv[1] if len(sys.argv) > 1 else 'assets'
os.makedirs(out, exist_ok=True)
png(f'{out}/icon.png', 512, icon())
for name, colour in {'available': (22, 163, 74), 'busy': (220, 38, 38), 'away': (234, 179, 8), 'reconnecting': (217, 119, 6), 'offline': (107, 114, 128)}.items():
    png(f'{out}/tray-{name}.png', 16, icon(colour))
    png(f'{out}/tray-{name}@2x.png', 32, icon(colour))
