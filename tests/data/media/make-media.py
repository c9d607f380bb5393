#!/usr/bin/python3
"""Writes the small media files tests/unit/test_media.c reads, into the
folder of this script: every one made here from nothing (no third-party
file), each with a known type and size in pixels.  Run it again after
changing it; the files are checked in so that the tests need no Python.

    /usr/bin/python3 tests/data/media/make-media.py
"""

import gzip
import io
import struct
import wave
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def out(name, data):
    (HERE / name).write_bytes(data)


# ---- PNG: signature, IHDR, IDAT (zlib), IEND, each chunk with its CRC ----
def png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(w, h):
    rows = []
    for y in range(h):
        row = bytearray([0])  # filter: none
        for x in range(w):
            row += bytes([(x * 40) & 0xFF, (y * 60) & 0xFF, 128])
        rows.append(bytes(row))
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


# ---- GIF89a: a 2-colour table and LZW data kept at 3-bit codes ----------
def gif(w, h):
    head = b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80, 0, 0)  # global table of 2
    table = b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0)
    # Minimum code size 2: clear = 4, end = 5; a clear every two pixels keeps
    # the decoder's table from growing past 3-bit codes.
    codes = []
    pixels = [(x + y) & 1 for y in range(h) for x in range(w)]
    for i, p in enumerate(pixels):
        if i % 2 == 0:
            codes.append(4)
        codes.append(p)
    codes.append(5)
    bits, nbits, data = 0, 0, bytearray()
    for c in codes:
        bits |= c << nbits
        nbits += 3
        while nbits >= 8:
            data.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        data.append(bits & 0xFF)
    blocks = b"".join(bytes([len(data[i:i + 255])]) + bytes(data[i:i + 255])
                      for i in range(0, len(data), 255))
    return head + table + image + b"\x02" + blocks + b"\x00" + b"\x3b"


# ---- JPEG: the markers a decoder reads first; the scan is a stub --------
def jpeg_segment(marker, payload):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(w, h, sof=0xC0, exif=False):
    parts = [b"\xff\xd8"]
    if exif:
        # An APP1 Exif segment large enough that SOF lies far from the start.
        parts.append(jpeg_segment(0xE1, b"Exif\x00\x00" + b"MM\x00\x2a" + bytes(3000)))
    else:
        parts.append(jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
    parts.append(jpeg_segment(0xDB, b"\x00" + bytes(range(1, 65))))  # DQT
    parts.append(jpeg_segment(0xC4, b"\x00" + bytes([0, 1] + [0] * 14) + b"\x00"))  # DHT
    # SOF: precision, height, width, one component
    parts.append(jpeg_segment(sof, struct.pack(">BHHB", 8, h, w, 1) + b"\x01\x11\x00"))
    parts.append(jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"))  # SOS
    parts.append(b"\x12\x34\xff\x00\x56")  # entropy-coded bytes (an escaped 0xFF)
    parts.append(b"\xff\xd9")
    return b"".join(parts)


# ---- WebP: RIFF, then VP8L, VP8 or VP8X -----------------------------------
def riff_webp(chunks):
    body = b"WEBP" + chunks
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_chunk(kind, data):
    pad = b"\x00" if len(data) & 1 else b""
    return kind + struct.pack("<I", len(data)) + data + pad


def webp_lossless(w, h):
    v = (w - 1) | ((h - 1) << 14)  # 14 bits each, then alpha and version (0)
    return riff_webp(webp_chunk(b"VP8L", b"\x2f" + struct.pack("<I", v) + bytes(8)))


def webp_lossy(w, h):
    frame = b"\x50\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", w, h) + bytes(10)
    return riff_webp(webp_chunk(b"VP8 ", frame))


def webp_extended(w, h):
    canvas = struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]
    vp8x = webp_chunk(b"VP8X", b"\x10\x00\x00\x00" + canvas)
    return riff_webp(vp8x + webp_chunk(b"ALPH", b"\x00" * 4) +
                     webp_chunk(b"VP8 ", b"\x50\x02\x00\x9d\x01\x2a" +
                                struct.pack("<HH", w, h) + bytes(10)))


# ---- AVIF / HEIF: ftyp, meta with pitm, iinf, iprp (ipco + ipma) ---------
def box(kind, data):
    return struct.pack(">I", 8 + len(data)) + kind + data


def fullbox(kind, version, flags, data):
    return box(kind, bytes([version]) + flags.to_bytes(3, "big") + data)


def ispe(w, h):
    return fullbox(b"ispe", 0, 0, struct.pack(">II", w, h))


def heif(brand, sizes, primary, assoc):
    """sizes: the ispe properties in ipco order; assoc: {item: [property index]}."""
    ftyp = box(b"ftyp", brand + b"\x00\x00\x00\x00" + brand + b"mif1miaf")
    hdlr = fullbox(b"hdlr", 0, 0, b"\x00" * 4 + b"pict" + b"\x00" * 12 + b"\x00")
    pitm = fullbox(b"pitm", 0, 0, struct.pack(">H", primary))
    infe = b"".join(fullbox(b"infe", 2, 0, struct.pack(">HH", item, 0) + b"av01" + b"\x00")
                    for item in sorted(assoc))
    iinf = fullbox(b"iinf", 0, 0, struct.pack(">H", len(assoc)) + infe)
    ipco = box(b"ipco", b"".join(ispe(w, h) for w, h in sizes))
    entries = b""
    for item in sorted(assoc):
        props = assoc[item]
        entries += struct.pack(">HB", item, len(props)) + bytes(0x80 | p for p in props)
    ipma = fullbox(b"ipma", 0, 0, struct.pack(">I", len(assoc)) + entries)
    meta = fullbox(b"meta", 0, 0, hdlr + pitm + iinf + box(b"iprp", ipco + ipma))
    return ftyp + meta + box(b"mdat", bytes(16))


# ---- BMP and ICO -----------------------------------------------------------
def bmp(w, h, top_down=False):
    row = (w * 3 + 3) & ~3
    pixels = bytes(row * h)
    info = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, 24, 0, len(pixels),
                       2835, 2835, 0, 0)
    head = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return head + info + pixels


def ico(images):
    """images: [(w, h, data)]; a w or h of 256 is written as 0, as ICO does."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for w, h, data in images:
        entries += struct.pack("<BBBBHHII", w & 0xFF, h & 0xFF, 0, 0, 1, 32, len(data),
                               offset + len(blobs))
        blobs += data
    return head + entries + blobs


def wav(seconds=0.25, rate=8000):
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes((128 + (i % 16) * 4) & 0xFF for i in range(int(seconds * rate))))
    return b.getvalue()


def pdf():
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>"]
    text = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(text))
        text += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(text)
    text += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    text += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    text += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return text


def iso_media(brand):
    """An ISO base media file (MP4) that holds only its ftyp and an empty mdat."""
    return box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41") + box(b"mdat", bytes(8))


def webm():
    """The EBML header of a WebM file (DocType "webm")."""
    def el(ident, data):
        return ident + bytes([0x80 | len(data)]) + data
    head = (el(b"\x42\x86", b"\x01") + el(b"\x42\xf7", b"\x01") + el(b"\x42\xf2", b"\x04") +
            el(b"\x42\xf3", b"\x08") + el(b"\x42\x82", b"webm") + el(b"\x42\x87", b"\x04") +
            el(b"\x42\x85", b"\x02"))
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(head)]) + head + bytes(16)


def main():
    out("png-3x2.png", png(3, 2))
    out("gif-5x4.gif", gif(5, 4))
    out("jpeg-7x5.jpg", jpeg(7, 5))
    out("jpeg-exif-progressive-900x600.jpg", jpeg(900, 600, sof=0xC2, exif=True))
    out("webp-lossless-10x7.webp", webp_lossless(10, 7))
    out("webp-lossy-33x17.webp", webp_lossy(33, 17))
    out("webp-extended-300x200.webp", webp_extended(300, 200))
    out("avif-640x480.avif", heif(b"avif", [(640, 480)], 1, {1: [1]}))
    # The primary item is 2; item 1 (say, a thumbnail) comes first.
    out("avif-primary-second-1024x768.avif",
        heif(b"avif", [(160, 120), (1024, 768)], 2, {1: [1], 2: [2]}))
    out("heic-4032x3024.heic", heif(b"heic", [(4032, 3024)], 1, {1: [1]}))
    out("bmp-4x3.bmp", bmp(4, 3))
    out("bmp-topdown-6x5.bmp", bmp(6, 5, top_down=True))
    out("ico-16-and-32.ico", ico([(16, 16, bmp(16, 16)[14:]), (32, 32, png(32, 32))]))
    out("ico-256.ico", ico([(256, 256, png(256, 256))]))
    out("svg-width-height.svg",
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80px">'
        b'<rect width="120" height="80"/></svg>\n')
    out("svg-viewbox.svg",
        b'<!-- drawn by hand -->\n<svg viewBox="0 0 24.5 16" '
        b'xmlns="http://www.w3.org/2000/svg"><path d="M0 0h24v16z"/></svg>\n')
    out("audio.wav", wav())
    out("document.pdf", pdf())
    out("style.css", b"body {\n  color: #222;\n  margin: 0 auto;\n}\n"
                     b"a:hover { text-decoration: underline; }\n")
    out("script.js", b"const answer = 42;\nfunction hello(name) {\n"
                     b"  return `Hello, ${name}`;\n}\n")
    out("data.json", b'{"name": "gazette", "files": [1, 2, 3]}\n')
    out("notes.txt", "Plain words, café, and more words.\n".encode())
    out("page.html", b"<!DOCTYPE html>\n<html><head><title>x</title></head>"
                     b"<body><p>Hi</p></body></html>\n")
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("a.txt", "hello\n")
    out("archive.zip", b.getvalue())
    out("archive.tar.gz", gzip.compress(b"not really a tar, but gzip\n", mtime=0))
    out("font.woff2", b"wOF2\x00\x01\x00\x00" + bytes(40))
    out("font.woff", b"wOFF\x00\x01\x00\x00" + bytes(40))
    out("audio.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(413))
    out("video.mp4", iso_media(b"isom"))
    out("video.webm", webm())
    # Lying and broken files.
    out("png-named.jpg", png(3, 2))
    out("text-named.png", b"This is only text, whatever its name says.\n")
    out("html-named.jpg", b"<!DOCTYPE html>\n<html><body><script>alert(1)</script>"
                          b"</body></html>\n")
    out("png-truncated.png", png(3, 2)[:20])
    out("gif-truncated.gif", gif(5, 4)[:8])
    out("jpeg-no-sof.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
                           b"\x00\x00\xff\xdb\x00\x43\x00" + bytes(20))
    out("empty.png", b"")


if __name__ == "__main__":
    main()
