#!/usr/bin/python3
"""Splits the reference view's error into the target's outline band and the rest (docs/side-view-diagnosis.md, s26).
Reads a run's evaluation/reference-comparison.png (target | render | difference, 512 px tiles) and prints the PSNR over
all pixels (the protocol's reference PSNR), over a band of +-R px around the target's outline (foreground: any channel
below 0.97) and over the rest of the foreground, and the band's share of the squared error. Python standard library
only (8-bit RGB or RGBA, non-interlaced PNG).
usage: reference-outline-error.py [--band R] RUN_OUT_DIR_OR_PNG..."""
import math, os, struct, sys, zlib


def read_png(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n': raise ValueError(f'{path}: not a PNG')
    pos, idat, width, height, channels = 8, b'', 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b'IHDR':
            width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or colour not in (2, 6) or interlace: raise ValueError(f'{path}: only 8-bit RGB/RGBA, non-interlaced')
            channels = 3 if colour == 2 else 4
        elif kind == b'IDAT': idat += body
        elif kind == b'IEND': break
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def split(path, radius):
    width, height, ch, rows = read_png(path)
    n = 512
    if width < 2 * n or height < n: raise ValueError(f'{path}: expected target and render tiles of {n} px')
    fg = [[min(rows[y][x * ch:x * ch + 3]) < 0.97 * 255 for x in range(n)] for y in range(n)]
    se = [[sum((rows[y][x * ch + k] - rows[y][(n + x) * ch + k]) ** 2 for k in range(3)) / (3 * 255.0 ** 2) for x in range(n)] for y in range(n)]
    # outline: a foreground pixel with a background pixel within the radius, or the reverse (separable max filter)
    def near(mask):
        horiz = [[any(row[max(0, x - radius):x + radius + 1]) for x in range(n)] for row in mask]
        return [[any(horiz[yy][x] for yy in range(max(0, y - radius), min(n, y + radius + 1))) for x in range(n)] for y in range(n)]
    near_fg, near_bg = near(fg), near([[not v for v in row] for row in fg])
    total = band = rest = 0.0
    band_px = rest_px = 0
    for y in range(n):
        for x in range(n):
            e = se[y][x]
            total += e
            if near_fg[y][x] and near_bg[y][x]: band, band_px = band + e, band_px + 1
            elif fg[y][x]: rest, rest_px = rest + e, rest_px + 1
    psnr = lambda s, k: 10 * math.log10(k / s) if s > 0 else float('inf')
    return psnr(total, n * n), psnr(band, band_px), psnr(rest, rest_px), band / total if total else 0.0, band_px


def main(args):
    radius = 6
    if args[:1] == ['--band']: radius, args = int(args[1]), args[2:]
    if not args: print(__doc__); return 2
    print(f'{"run":40s} {"PSNR":>7s} {"band":>7s} {"rest":>7s} {"band share":>10s}  (band: +-{radius} px around the target outline)')
    for arg in args:
        path = os.path.join(arg, 'evaluation', 'reference-comparison.png') if os.path.isdir(arg) else arg
        all_, band, rest, share, px = split(path, radius)
        print(f'{arg[-40:]:40s} {all_:7.2f} {band:7.2f} {rest:7.2f} {share:10.2f}  ({px} band px)')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
