"""Exits 0 when a PNG exists, has the given size and is not one flat colour.

Usage: python3 png_not_blank.py SHOT.png WIDTH HEIGHT
Reads the PNG with the standard library only (CI installs no imaging package).
"""
import struct
import sys
import zlib


def main(path: str, want_w: int, want_h: int) -> int:
    try:
        png = open(path, "rb").read()
    except OSError as e:
        print(f"png_not_blank: {e}", file=sys.stderr)
        return 1
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        print(f"png_not_blank: {path}: not a PNG", file=sys.stderr)
        return 1
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if (w, h) != (want_w, want_h):
        print(f"png_not_blank: {path}: {w}x{h}, wanted {want_w}x{want_h}", file=sys.stderr)
        return 1
    raw = zlib.decompress(idat)
    # Samples of raw scanline bytes (filtered, which still varies with content).
    distinct = len({raw[i:i + 3] for i in range(0, min(len(raw), 4_000_000), 97)})
    if distinct < 20:
        print(f"png_not_blank: {path}: looks blank ({distinct} distinct samples)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
