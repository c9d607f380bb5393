/*
 * media.c: what a file is, from its bytes.
 *
 * The media type comes from libmagic, which knows hundreds of formats by
 * their signatures.  Where it can only say "text" (CSS, JavaScript, JSON
 * it misses, an SVG without an XML declaration) or does not know a font,
 * the file's extension decides, but only between formats of the same
 * kind: an extension can make text CSS, never make anything an image,
 * audio, video, PDF or archive.
 *
 * Image sizes are read from the headers, each read checked against the
 * length first (tests/fuzz/fuzz_media.c feeds these parsers anything).
 */
#include "gazette/base/media.h"

#include <magic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/log.h"
#include "gazette/base/util.h"

/* ---- reading numbers, within bounds -------------------------------------- */

/* A cursor over bytes: every read says whether the bytes were there. */
struct bytes {
	const unsigned char *p;
	size_t len;
};

static bool has(const struct bytes *b, size_t off, size_t n)
{
	return off <= b->len && n <= b->len - off;
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A size is kept if both sides are from 1 to INT32_MAX (the store keeps them as int). */
static int set_size(uint64_t w, uint64_t h, unsigned *width, unsigned *height)
{
	if (w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX)
		return -1;
	*width = (unsigned)w;
	*height = (unsigned)h;
	return 0;
}

/* ---- PNG, GIF, BMP -------------------------------------------------------- */

/* The signature, then the first chunk, IHDR: length, "IHDR", width, height (big-endian). */
static int png_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	if (!has(b, 0, 24) || memcmp(b->p, "\x89PNG\r\n\x1a\n", 8) != 0 ||
	    memcmp(b->p + 12, "IHDR", 4) != 0)
		return -1;
	return set_size(be32(b->p + 16), be32(b->p + 20), w, h);
}

/* "GIF87a" or "GIF89a", then the logical screen's width and height (little-endian). */
static int gif_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	if (!has(b, 0, 10) || (memcmp(b->p, "GIF87a", 6) != 0 && memcmp(b->p, "GIF89a", 6) != 0))
		return -1;
	return set_size(le16(b->p + 6), le16(b->p + 8), w, h);
}

/*
 * "BM", then after the 14-byte file header the DIB header, whose first 4
 * bytes give its size: 12 (OS/2 BITMAPCOREHEADER: 16-bit sizes) or more
 * (BITMAPINFOHEADER and later: signed 32-bit; a negative height is a
 * top-down bitmap).
 */
static int bmp_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	if (!has(b, 0, 18) || b->p[0] != 'B' || b->p[1] != 'M')
		return -1;
	uint32_t dib = le32(b->p + 14);
	if (dib == 12)
		return has(b, 18, 4) ? set_size(le16(b->p + 18), le16(b->p + 20), w, h) : -1;
	if (dib < 16 || !has(b, 18, 8))
		return -1;
	int64_t width = (int32_t)le32(b->p + 18), height = (int32_t)le32(b->p + 22);
	if (width <= 0)
		return -1;
	return set_size((uint64_t)width, (uint64_t)(height < 0 ? -height : height), w, h);
}

/*
 * ICONDIR (reserved 0, type 1 icon or 2 cursor, count), then 16-byte
 * entries: width and height in a byte each, 0 meaning 256, and where the
 * image lies.  The largest image is the icon's size; one of 256 or more
 * stored as PNG says its true size in its own header.
 */
static int ico_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	if (!has(b, 0, 6) || le16(b->p) != 0 || (le16(b->p + 2) != 1 && le16(b->p + 2) != 2))
		return -1;
	unsigned count = le16(b->p + 4);
	uint64_t best_w = 0, best_h = 0;
	if (!has(b, 6, 16 * (size_t)count))
		return -1; /* a directory cut short may miss the largest image */
	for (unsigned i = 0; i < count; i++) {
		const unsigned char *e = b->p + 6 + 16 * (size_t)i;
		uint64_t ew = e[0] ? e[0] : 256, eh = e[1] ? e[1] : 256;
		uint32_t size = le32(e + 8), offset = le32(e + 12);
		if ((ew == 256 || eh == 256) && has(b, offset, size)) {
			struct bytes png = {b->p + offset, size};
			unsigned pw, ph;
			if (png_size(&png, &pw, &ph) == 0)
				ew = pw, eh = ph;
		}
		if (ew * eh > best_w * best_h)
			best_w = ew, best_h = eh;
	}
	return set_size(best_w, best_h, w, h);
}

/* ---- JPEG ------------------------------------------------------------------ */

/*
 * The orientation of a JPEG's Exif data (APP1 "Exif\0\0", then a TIFF
 * header): tag 0x0112 of the first IFD, 1 to 8; 0 when it is not there.
 * Values 5 to 8 turn the picture a quarter.
 */
static unsigned exif_orientation(const struct bytes *seg)
{
	if (!has(seg, 0, 14) || memcmp(seg->p, "Exif\0\0", 6) != 0)
		return 0;
	struct bytes tiff = {seg->p + 6, seg->len - 6};
	bool big = memcmp(tiff.p, "MM\0\x2a", 4) == 0;
	if (!big && memcmp(tiff.p, "II\x2a\0", 4) != 0)
		return 0;
	uint32_t ifd = big ? be32(tiff.p + 4) : le32(tiff.p + 4);
	if (!has(&tiff, ifd, 2))
		return 0;
	unsigned n = big ? be16(tiff.p + ifd) : le16(tiff.p + ifd);
	for (unsigned i = 0; i < n; i++) {
		size_t at = ifd + 2 + 12 * (size_t)i;
		if (!has(&tiff, at, 12))
			return 0;
		const unsigned char *e = tiff.p + at;
		unsigned tag = big ? be16(e) : le16(e);
		if (tag == 0x0112) {
			/* A SHORT: its value sits in the first two bytes of the value field. */
			unsigned v = big ? be16(e + 8) : le16(e + 8);
			return v <= 8 ? v : 0;
		}
	}
	return 0;
}

static bool is_sof(unsigned m)
{
	/* SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC). */
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/*
 * The marker at b[*i]: 0xFF, any number of 0xFF more, the marker's byte;
 * *i moved past it.  -1 if there is none.
 */
static int jpeg_marker(const struct bytes *b, size_t *i)
{
	if (!has(b, *i, 1) || b->p[*i] != 0xFF)
		return -1;
	while (has(b, *i, 1) && b->p[*i] == 0xFF)
		(*i)++;
	if (!has(b, *i, 1))
		return -1;
	return b->p[(*i)++];
}

/* The size a frame header gives (precision, height, width), turned as an EXIF orientation of 5 to 8
 * says. */
static int jpeg_frame_size(const struct bytes *seg, unsigned orientation, unsigned *w, unsigned *h)
{
	if (seg->len < 5)
		return -1;
	unsigned height = be16(seg->p + 1), width = be16(seg->p + 3);
	if (orientation >= 5)
		return set_size(height, width, w, h);
	return set_size(width, height, w, h);
}

/*
 * SOI, then marker segments (0xFF, a marker, a 16-bit length that counts
 * itself) up to the frame header (SOFn: precision, height, width).  Any
 * number of 0xFF may pad before a marker.  Past SOS the entropy-coded data
 * begins: a frame header must have come before it.
 */
static int jpeg_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	if (!has(b, 0, 3) || b->p[0] != 0xFF || b->p[1] != 0xD8)
		return -1;
	unsigned orientation = 0;
	size_t i = 2;
	for (;;) {
		int marker = jpeg_marker(b, &i);
		if (marker < 0)
			return -1;
		unsigned m = (unsigned)marker;
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* TEM, RSTn: no length */
		if (m == 0xD8 || m == 0xD9 || m == 0xDA || m == 0x00)
			return -1; /* SOI again, EOI, SOS before a frame, a stuffed zero */
		if (!has(b, i, 2))
			return -1;
		unsigned seglen = be16(b->p + i);
		if (seglen < 2 || !has(b, i, seglen))
			return -1;
		struct bytes seg = {b->p + i + 2, seglen - 2};
		if (m == 0xE1 && orientation == 0)
			orientation = exif_orientation(&seg);
		if (is_sof(m))
			return jpeg_frame_size(&seg, orientation, w, h);
		i += seglen;
	}
}

/* ---- WebP ------------------------------------------------------------------- */

/*
 * "RIFF", size, "WEBP", then the first chunk: "VP8 " (lossy: a 3-byte
 * frame tag, the start code 9d 01 2a, 14-bit width and height),
 * "VP8L" (lossless: 0x2f, then 14 bits of width - 1 and of height - 1) or
 * "VP8X" (extended: flags, 3 reserved bytes, 24-bit canvas width - 1 and
 * height - 1).
 */
static int webp_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	if (!has(b, 0, 20) || memcmp(b->p, "RIFF", 4) != 0 || memcmp(b->p + 8, "WEBP", 4) != 0)
		return -1;
	const unsigned char *fourcc = b->p + 12, *d = b->p + 20;
	if (memcmp(fourcc, "VP8 ", 4) == 0 && has(b, 20, 10) &&
	    memcmp(d + 3, "\x9d\x01\x2a", 3) == 0)
		return set_size(le16(d + 6) & 0x3FFF, le16(d + 8) & 0x3FFF, w, h);
	if (memcmp(fourcc, "VP8L", 4) == 0 && has(b, 20, 5) && d[0] == 0x2F) {
		uint32_t bits = le32(d + 1);
		return set_size((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, w, h);
	}
	if (memcmp(fourcc, "VP8X", 4) == 0 && has(b, 20, 10))
		return set_size((uint64_t)le24(d + 4) + 1, (uint64_t)le24(d + 7) + 1, w, h);
	return -1;
}

/* ---- AVIF and HEIF (ISO base media file format) ---------------------------- */

/* A box: its type and its content (after the size, type and any 64-bit size). */
struct box {
	char type[4];
	struct bytes body;
};

/*
 * The box at *off within b, moving *off past it: a 32-bit size (1: a 64-bit
 * size follows the type; 0: to the end), a four-letter type.  False at the
 * end or if the size does not fit.
 */
static bool next_box(const struct bytes *b, size_t *off, struct box *out)
{
	if (!has(b, *off, 8))
		return false;
	const unsigned char *p = b->p + *off;
	uint64_t size = be32(p), head = 8;
	if (size == 1) {
		if (!has(b, *off, 16))
			return false;
		size = (uint64_t)be32(p + 8) << 32 | be32(p + 12);
		head = 16;
	} else if (size == 0) {
		size = b->len - *off;
	}
	if (size < head || size > b->len - *off)
		return false;
	memcpy(out->type, p + 4, 4);
	out->body.p = p + head;
	out->body.len = (size_t)(size - head);
	*off += (size_t)size;
	return true;
}

/* The first box of type within b (searching only b's own level); false if none. */
static bool find_box(const struct bytes *b, const char *type, struct box *out)
{
	size_t off = 0;
	while (next_box(b, &off, out))
		if (memcmp(out->type, type, 4) == 0)
			return true;
	return false;
}

/*
 * The property boxes of ipco, which ipma names by their 1-based index:
 * the first MAX_PROPERTIES of them, found once (a file that names one
 * property ten thousand times costs a lookup each, not a walk).
 */
#define MAX_PROPERTIES 256
static size_t properties(const struct bytes *ipco, struct box *out)
{
	size_t n = 0, off = 0;
	while (n < MAX_PROPERTIES && next_box(ipco, &off, &out[n]))
		n++;
	return n;
}

/* The primary item's id, from pitm (16 bits, or 32 from version 1); -1 if there is none. */
static int64_t heif_primary(const struct bytes *children)
{
	struct box pitm;
	if (!find_box(children, "pitm", &pitm) || !has(&pitm.body, 0, 6))
		return -1;
	if (pitm.body.p[0] == 0)
		return be16(pitm.body.p + 4);
	if (has(&pitm.body, 0, 8))
		return be32(pitm.body.p + 4);
	return -1;
}

/* What the properties of an image say of its size. */
struct heif_dims {
	uint64_t width, height; /* ispe's; 0 if none was seen */
	bool turned;            /* irot: an odd number of quarter turns */
};

/* Takes what one property of the primary item says: ispe its size, irot its turn. */
static void heif_property(const struct box *pr, struct heif_dims *d)
{
	if (memcmp(pr->type, "ispe", 4) == 0 && has(&pr->body, 0, 12)) {
		d->width = be32(pr->body.p + 4);
		d->height = be32(pr->body.p + 8);
	} else if (memcmp(pr->type, "irot", 4) == 0 && has(&pr->body, 0, 1)) {
		d->turned = (pr->body.p[0] & 1) != 0;
	}
}

/*
 * Walks ipma (m: its body, at least 8 bytes) and takes, with
 * heif_property(), each of props[nprops] that it associates with item
 * primary.
 */
static void ipma_walk(const struct bytes *m, uint32_t primary, const struct box *props,
                      size_t nprops, struct heif_dims *d)
{
	unsigned version = m->p[0];
	bool wide = (m->p[3] & 1) != 0;
	size_t idlen = version < 1 ? 2 : 4, step = wide ? 2 : 1;
	uint32_t entries = be32(m->p + 4);
	size_t at = 8;
	for (uint32_t e = 0; e < entries && has(m, at, idlen + 1); e++) {
		uint32_t item = idlen == 2 ? be16(m->p + at) : be32(m->p + at);
		unsigned n = m->p[at + idlen];
		at += idlen + 1;
		for (unsigned k = 0; k < n && has(m, at, step); k++, at += step) {
			unsigned index = wide ? be16(m->p + at) & 0x7FFF : m->p[at] & 0x7F;
			if (item == primary && index > 0 && index <= nprops)
				heif_property(&props[index - 1], d);
		}
	}
}

/*
 * ftyp, then meta (a full box: 4 bytes of version and flags first), which
 * holds pitm (the primary item's id: 16 bits, or 32 from version 1) and
 * iprp: ipco, the item properties in order, and ipma, which associates
 * items with them (per entry: the item id, 16 or 32 bits as ipma's
 * version says; a count; each association 7 or, with flag 1, 15 bits of
 * property index after an "essential" bit).  The primary item's ispe
 * (width, height) is the image's size, its irot (angle in quarter turns,
 * anticlockwise) may turn it; with no pitm or ipma to say, the first ispe.
 */
static int heif_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	struct box meta, iprp, ipco, ipma, prop, props[MAX_PROPERTIES];
	if (!find_box(b, "meta", &meta) || meta.body.len < 4)
		return -1;
	struct bytes children = {meta.body.p + 4, meta.body.len - 4};
	if (!find_box(&children, "iprp", &iprp) || !find_box(&iprp.body, "ipco", &ipco))
		return -1;

	int64_t primary = heif_primary(&children);
	struct heif_dims d = {0, 0, false};
	size_t nprops = properties(&ipco.body, props);
	if (primary >= 0 && find_box(&iprp.body, "ipma", &ipma) && has(&ipma.body, 0, 8))
		ipma_walk(&ipma.body, (uint32_t)primary, props, nprops, &d);
	if (d.width == 0 && find_box(&ipco.body, "ispe", &prop) && has(&prop.body, 0, 12)) {
		d.width = be32(prop.body.p + 4);
		d.height = be32(prop.body.p + 8);
	}
	return d.turned ? set_size(d.height, d.width, w, h) : set_size(d.width, d.height, w, h);
}

/* ---- SVG -------------------------------------------------------------------- */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Moves *i past the first occurrence of s at or after it; false if there is none. */
static bool skip_past(const struct bytes *b, size_t *i, const char *s)
{
	size_t n = strlen(s);
	for (; has(b, *i, n); (*i)++)
		if (memcmp(b->p + *i, s, n) == 0) {
			*i += n;
			return true;
		}
	return false;
}

/*
 * The markup at b[i] ('<' and at least one more byte) if it may come
 * before the root element: a processing instruction, a comment or a
 * DOCTYPE (with an internal subset in brackets).  1 with *i moved past
 * it; 0 if it is an element's start tag (*i unmoved); -1 if it never ends.
 */
static int skip_prolog_markup(const struct bytes *b, size_t *i)
{
	if (b->p[*i + 1] == '?')
		return skip_past(b, i, "?>") ? 1 : -1;
	if (has(b, *i, 4) && memcmp(b->p + *i, "<!--", 4) == 0) {
		*i += 4;
		return skip_past(b, i, "-->") ? 1 : -1;
	}
	if (b->p[*i + 1] != '!')
		return 0;
	/* <!DOCTYPE svg ... [ <!ENTITY ...> ]> */
	for (*i += 2; has(b, *i, 1) && b->p[*i] != '>' && b->p[*i] != '['; (*i)++)
		;
	if (has(b, *i, 1) && b->p[*i] == '[' && !skip_past(b, i, "]"))
		return -1;
	return skip_past(b, i, ">") ? 1 : -1;
}

/*
 * Where the root element's name begins (just after its '<'), skipping
 * what may come before it: a UTF-8 byte order mark, white space, the XML
 * declaration and other processing instructions, comments and a DOCTYPE
 * (with an internal subset in brackets).  Returns false if no element
 * starts before the end.
 */
static bool root_element(const struct bytes *b, size_t *at)
{
	size_t i = has(b, 0, 3) && memcmp(b->p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	for (;;) {
		while (has(b, i, 1) && is_space(b->p[i]))
			i++;
		if (!has(b, i, 2) || b->p[i] != '<')
			return false;
		int skipped = skip_prolog_markup(b, &i);
		if (skipped < 0)
			return false;
		if (skipped == 0) {
			*at = i + 1;
			return true;
		}
	}
}

/* True if the bytes are an SVG document: its root element is <svg>. */
static bool svg_root(const struct bytes *b, size_t *attrs)
{
	size_t i;
	if (!root_element(b, &i) || !has(b, i, 4) || memcmp(b->p + i, "svg", 3) != 0)
		return false;
	unsigned char c = b->p[i + 3];
	if (!is_space(c) && c != '>' && c != '/')
		return false;
	*attrs = i + 3;
	return true;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * An exponent at s[*k..n) ("e2", "E-3", "e+1"): *v scaled by it and *k
 * moved past it.  Nothing changes where there is none (an 'e' with no
 * digits after it is not one).  Exponents past 100 count as 100.
 */
static void parse_exponent(const unsigned char *s, size_t n, size_t *k, double *v)
{
	size_t e = *k + 1;
	if (e >= n || (s[*k] != 'e' && s[*k] != 'E') ||
	    !(is_digit(s[e]) || s[e] == '-' || s[e] == '+'))
		return;
	bool negative = s[e] == '-';
	if (s[e] == '-' || s[e] == '+')
		e++;
	int exp = 0;
	bool exp_digits = false;
	for (; e < n && is_digit(s[e]); e++, exp_digits = true)
		exp = exp < 100 ? exp * 10 + (s[e] - '0') : exp;
	if (!exp_digits)
		return;
	for (int x = 0; x < exp; x++)
		*v = negative ? *v / 10 : *v * 10;
	*k = e;
}

/*
 * A non-negative decimal number at s[*i..n) ("12", "0.5", ".5", "1e2"),
 * moving *i past it; false if there is none.  Parsed here rather than by
 * strtod(), which knows no bounds and follows the locale.
 */
static bool parse_number(const unsigned char *s, size_t n, size_t *i, double *out)
{
	size_t k = *i;
	double v = 0;
	bool digits = false;
	if (k < n && s[k] == '+')
		k++;
	for (; k < n && is_digit(s[k]); k++, digits = true)
		v = v * 10 + (s[k] - '0');
	if (k < n && s[k] == '.') {
		double scale = 1;
		for (k++; k < n && is_digit(s[k]); k++, digits = true)
			v += (s[k] - '0') * (scale /= 10);
	}
	if (!digits)
		return false;
	parse_exponent(s, n, &k, &v);
	*i = k;
	*out = v;
	return true;
}

/*
 * An SVG length in CSS pixels: a number with no unit or px, or an absolute
 * unit (96 px to the inch); -1 for relative units (%, em, ex) and
 * anything else.
 */
static double svg_length(const unsigned char *s, size_t n)
{
	static const struct {
		const char *unit;
		double px;
	} units[] = {{"", 1},           {"px", 1},         {"in", 96}, {"cm", 96 / 2.54},
	             {"mm", 96 / 25.4}, {"pt", 96.0 / 72}, {"pc", 16}};
	size_t i = 0;
	double v;
	while (i < n && is_space(s[i]))
		i++;
	if (!parse_number(s, n, &i, &v))
		return -1;
	size_t end = n;
	while (end > i && is_space(s[end - 1]))
		end--;
	for (size_t u = 0; u < GZ_ARRAY_LEN(units); u++)
		if (strlen(units[u].unit) == end - i && memcmp(s + i, units[u].unit, end - i) == 0)
			return v * units[u].px;
	return -1;
}

/* A size in pixels from a length: rounded, at least 1; 0 if there is none. */
static uint64_t pixels(double v)
{
	if (!(v > 0) || v > INT32_MAX)
		return 0;
	uint64_t p = (uint64_t)(v + 0.5);
	return p ? p : 1;
}

/* An attribute of a start tag: its name and its value, without the quotes. */
struct svg_attr {
	const unsigned char *name, *value;
	size_t name_len, value_len;
};

static void skip_spaces(const struct bytes *b, size_t *i)
{
	while (has(b, *i, 1) && is_space(b->p[*i]))
		(*i)++;
}

/*
 * The attribute at b[*i] of a start tag (name = "value" or 'value', with
 * white space around the '=' allowed), *i moved past it: 1; 0 at the
 * tag's end ('>' or '/') or the end of the bytes; -1 if it is not
 * well-formed.
 */
static int svg_next_attr(const struct bytes *b, size_t *i, struct svg_attr *a)
{
	skip_spaces(b, i);
	if (!has(b, *i, 1) || b->p[*i] == '>' || b->p[*i] == '/')
		return 0;
	size_t name = *i;
	while (has(b, *i, 1) && !is_space(b->p[*i]) && b->p[*i] != '=' && b->p[*i] != '>' &&
	       b->p[*i] != '/')
		(*i)++;
	size_t name_len = *i - name;
	skip_spaces(b, i);
	if (name_len == 0 || !has(b, *i, 1) || b->p[*i] != '=')
		return -1;
	(*i)++;
	skip_spaces(b, i);
	if (!has(b, *i, 1) || (b->p[*i] != '"' && b->p[*i] != '\''))
		return -1;
	unsigned char quote = b->p[(*i)++];
	size_t value = *i;
	while (has(b, *i, 1) && b->p[*i] != quote)
		(*i)++;
	if (!has(b, *i, 1))
		return -1;
	*a = (struct svg_attr){b->p + name, b->p + value, name_len, *i - value};
	(*i)++;
	return 1;
}

/*
 * A viewBox (min-x min-y width height, separated by white space and/or
 * commas): *vb_w and *vb_h set if it has all four and a positive size,
 * left as they are otherwise.
 */
static void svg_viewbox(const unsigned char *v, size_t vlen, double *vb_w, double *vb_h)
{
	double box[4];
	size_t k = 0, got = 0;
	for (; got < 4; got++) {
		while (k < vlen && (is_space(v[k]) || v[k] == ','))
			k++;
		bool negative = k < vlen && v[k] == '-';
		if (negative)
			k++;
		if (!parse_number(v, vlen, &k, &box[got]))
			break;
		if (negative)
			box[got] = -box[got];
	}
	if (got == 4 && box[2] > 0 && box[3] > 0)
		*vb_w = box[2], *vb_h = box[3];
}

/*
 * The root <svg>'s width and height attributes in pixels; where one is
 * missing or relative, the viewBox (min-x min-y width height, separated by
 * white space and/or commas) gives it, keeping the aspect ratio.
 */
static int svg_size(const struct bytes *b, unsigned *w, unsigned *h)
{
	size_t i;
	if (!svg_root(b, &i))
		return -1;
	double width = -1, height = -1, vb_w = -1, vb_h = -1;
	struct svg_attr a;
	int more;
	while ((more = svg_next_attr(b, &i, &a)) > 0) {
		if (a.name_len == 5 && memcmp(a.name, "width", 5) == 0)
			width = svg_length(a.value, a.value_len);
		else if (a.name_len == 6 && memcmp(a.name, "height", 6) == 0)
			height = svg_length(a.value, a.value_len);
		else if (a.name_len == 7 && memcmp(a.name, "viewBox", 7) == 0)
			svg_viewbox(a.value, a.value_len, &vb_w, &vb_h);
	}
	if (more < 0)
		return -1; /* not well-formed */
	if (width <= 0 && height > 0 && vb_w > 0)
		width = height * vb_w / vb_h;
	else if (height <= 0 && width > 0 && vb_w > 0)
		height = width * vb_h / vb_w;
	else if (width <= 0 && height <= 0)
		width = vb_w, height = vb_h;
	return set_size(pixels(width), pixels(height), w, h);
}

/* ---- sizes by type ------------------------------------------------------------ */

int media_image_size(const void *data, size_t len, const char *type, unsigned *width,
                     unsigned *height)
{
	static const struct {
		const char *type;
		int (*size)(const struct bytes *b, unsigned *w, unsigned *h);
	} parsers[] = {
	    {"image/png", png_size},
	    {"image/apng", png_size},
	    {"image/jpeg", jpeg_size},
	    {"image/gif", gif_size},
	    {"image/webp", webp_size},
	    {"image/avif", heif_size},
	    {"image/heic", heif_size},
	    {"image/heif", heif_size},
	    {"image/svg+xml", svg_size},
	    {"image/bmp", bmp_size},
	    {"image/vnd.microsoft.icon", ico_size},
	};
	struct bytes b = {data, data ? len : 0};
	unsigned w, h;
	for (size_t i = 0; type && i < GZ_ARRAY_LEN(parsers); i++)
		if (strcmp(type, parsers[i].type) == 0) {
			if (parsers[i].size(&b, &w, &h) < 0)
				return -1;
			*width = w;
			*height = h;
			return 0;
		}
	return -1;
}

/* ---- types ---------------------------------------------------------------------- */

/* The extensions whose type gazette trusts over libmagic's "text" (and fonts, checked). */
static const struct {
	const char *ext;
	const char *type;
} ext_types[] = {
    {"css", "text/css"},
    {"js", "text/javascript"},
    {"mjs", "text/javascript"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain"},
    {"text", "text/plain"},
    {"md", "text/markdown"},
    {"markdown", "text/markdown"},
    {"csv", "text/csv"},
    {"tsv", "text/tab-separated-values"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"xml", "application/xml"},
    {"rss", "application/rss+xml"},
    {"atom", "application/atom+xml"},
    {"ics", "text/calendar"},
    {"vtt", "text/vtt"},
    {"srt", "text/plain"},
    {"yaml", "text/plain"},
    {"yml", "text/plain"},
    {"svg", "image/svg+xml"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"ttc", "font/collection"},
};

const char *media_type_of_name(const char *name)
{
	const char *slash = name ? strrchr(name, '/') : NULL;
	const char *base = slash ? slash + 1 : name;
	const char *dot = base ? strrchr(base, '.') : NULL;
	if (dot == NULL || dot == base)
		return NULL;
	for (size_t i = 0; i < GZ_ARRAY_LEN(ext_types); i++)
		if (strcasecmp(dot + 1, ext_types[i].ext) == 0)
			return ext_types[i].type;
	return NULL;
}

/* libmagic's names for types the web knows by others. */
static const struct {
	const char *from, *to;
} aliases[] = {
    {"audio/x-wav", "audio/wav"},
    {"audio/x-flac", "audio/flac"},
    {"audio/x-m4a", "audio/mp4"},
    {"audio/x-hx-aac-adts", "audio/aac"},
    {"video/x-m4v", "video/mp4"},
    {"image/x-ms-bmp", "image/bmp"},
    {"image/x-icon", "image/vnd.microsoft.icon"},
    {"application/x-gzip", "application/gzip"},
    {"text/xml", "application/xml"},
    {"application/javascript", "text/javascript"},
    {"application/x-font-ttf", "font/ttf"},
    {"application/vnd.ms-opentype", "font/otf"},
    {"application/x-empty", "application/octet-stream"},
    {"inode/x-empty", "application/octet-stream"},
};

/* What libmagic says when it knows only that the bytes are text (or nothing at all). */
static bool only_text(const char *type)
{
	return strncmp(type, "text/", 5) == 0 || strcmp(type, "application/json") == 0 ||
	       strcmp(type, "application/xml") == 0;
}

/* A font's own signature: true if the bytes begin as a font of type does. */
static bool font_signature(const struct bytes *b, const char *type)
{
	if (!has(b, 0, 4))
		return false;
	const unsigned char *p = b->p;
	if (strcmp(type, "font/woff") == 0)
		return memcmp(p, "wOFF", 4) == 0;
	if (strcmp(type, "font/woff2") == 0)
		return memcmp(p, "wOF2", 4) == 0;
	if (strcmp(type, "font/collection") == 0)
		return memcmp(p, "ttcf", 4) == 0;
	/* TrueType outlines (1.0, or Apple's "true") or CFF ones ("OTTO"). */
	return memcmp(p, "\0\1\0\0", 4) == 0 || memcmp(p, "true", 4) == 0 ||
	       memcmp(p, "OTTO", 4) == 0;
}

static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_cookie;
static bool magic_tried;

/* libmagic looks at no more than this much of a file: a video's type is in its first bytes. */
#define MAGIC_BYTES (1u << 20)

/*
 * libmagic's type for data (without parameters) into out: 1; 0 if
 * libmagic could not tell (it fails on some inputs, "\0\0\xfe\xff\xff
 * \xfe" among them, without a message: tests/fuzz/corpus/media/
 * regress-libmagic-null); -1 when it cannot be used at all.  One cookie
 * for the process, opened on first use, under magic_lock: a cookie keeps
 * per-call state and is not thread-safe, and one per thread would load
 * the database (several MB) once per thread; uploads and imports inspect
 * a few files a second, so the lock costs nothing.
 */
static int magic_type(const void *data, size_t len, char *out, size_t outlen)
{
	int rc = -1;
	pthread_mutex_lock(&magic_lock);
	if (!magic_tried) {
		magic_tried = true;
		magic_cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
		size_t max = MAGIC_BYTES;
		if (magic_cookie &&
		    (magic_load(magic_cookie, NULL) != 0 ||
		     magic_setparam(magic_cookie, MAGIC_PARAM_BYTES_MAX, &max) != 0)) {
			log_msg(LOG_ERROR,
			        "libmagic cannot load its database (%s): files cannot be "
			        "recognised; on Debian it is in the package libmagic-mgc",
			        magic_error(magic_cookie) ? magic_error(magic_cookie)
			                                  : "/usr/share/misc/magic.mgc");
			magic_close(magic_cookie);
			magic_cookie = NULL;
		}
	}
	if (magic_cookie) {
		/* libmagic takes no empty buffer well: it is "empty" whatever it holds. */
		const char *t = len ? magic_buffer(magic_cookie, data, len) : "application/x-empty";
		size_t n = t ? strcspn(t, ";") : 0;
		rc = t && n > 0 && n < outlen && snprintf(out, outlen, "%.*s", (int)n, t) > 0;
	}
	pthread_mutex_unlock(&magic_lock);
	return rc;
}

/* libmagic's type into the one the web knows (aliases[]; font/sfnt by its outlines). */
static void web_type(char *type, size_t size, const struct bytes *b)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(aliases); i++)
		if (strcmp(type, aliases[i].from) == 0)
			snprintf(type, size, "%s", aliases[i].to);
	if (strcmp(type, "font/sfnt") == 0)
		snprintf(type, size, "%s",
		         has(b, 0, 4) && memcmp(b->p, "OTTO", 4) == 0 ? "font/otf" : "font/ttf");
}

/*
 * The type the name's extension gives (by_name), into type if the bytes
 * agree: an SVG must have an <svg> root, a font its signature, anything
 * else only when libmagic saw text (text) and no more.
 */
static void type_by_name(char *type, size_t size, const char *by_name, const struct bytes *b,
                         bool text)
{
	size_t root;
	if (by_name == NULL)
		return;
	if (strcmp(by_name, "image/svg+xml") == 0) {
		if (text && svg_root(b, &root))
			snprintf(type, size, "%s", by_name);
	} else if (strncmp(by_name, "font/", 5) == 0) {
		if (strcmp(type, "application/octet-stream") == 0 && font_signature(b, by_name))
			snprintf(type, size, "%s", by_name);
	} else if (text) {
		snprintf(type, size, "%s", by_name);
	}
}

int media_inspect(const void *data, size_t len, const char *name, struct media_info *out)
{
	struct bytes b = {data, data ? len : 0};
	char type[96]; /* room left in out->type for "; charset=utf-8" */
	memset(out, 0, sizeof *out);
	int known = magic_type(b.p, b.len, type, sizeof type);
	if (known < 0) {
		snprintf(out->type, sizeof out->type, "application/octet-stream");
		return -1;
	}
	if (known == 0)
		snprintf(type, sizeof type, "application/octet-stream");
	bool empty = b.len == 0;
	web_type(type, sizeof type, &b);

	/* The name decides only between text formats, and for fonts their signature must agree. */
	type_by_name(type, sizeof type, media_type_of_name(name), &b, empty || only_text(type));

	bool utf8 = !empty && utf8_valid((const char *)b.p, b.len);
	if (strncmp(type, "text/", 5) == 0 && (utf8 || empty))
		snprintf(out->type, sizeof out->type, "%s; charset=utf-8", type);
	else
		snprintf(out->type, sizeof out->type, "%s", type);
	if (strncmp(type, "image/", 6) == 0 &&
	    media_image_size(b.p, b.len, type, &out->width, &out->height) < 0)
		out->width = out->height = 0;
	return 0;
}

/* ---- addresses ------------------------------------------------------------------ */

bool media_path_valid(const char *path, size_t n, const char **why)
{
	*why = NULL;
	if (n == 0)
		*why = "The path is empty.";
	else if (n > MEDIA_PATH_MAX)
		*why = "The path is longer than 1024 bytes.";
	else if (!utf8_valid(path, n))
		*why = "The path is not valid UTF-8 (or holds a NUL byte).";
	else if (path[0] == '/')
		*why = "The path must be relative to the site: no leading '/'.";
	else if (path[n - 1] == '/')
		*why = "The path must name a file: no trailing '/'.";
	if (*why)
		return false;
	unsigned segments = 0;
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && path[k] != '/') {
			unsigned char c = (unsigned char)path[k];
			if (c < 0x20 || c == 0x7F || c == '\\') {
				*why = "The path may not hold control characters or '\\'.";
				return false;
			}
			k++;
		}
		size_t len = k - i;
		if (len == 0) {
			*why = "The path has an empty segment ('//').";
			return false;
		}
		if ((len == 1 && path[i] == '.') ||
		    (len == 2 && path[i] == '.' && path[i + 1] == '.')) {
			*why = "The path may not hold '.' or '..' segments.";
			return false;
		}
		if (++segments > MEDIA_PATH_MAX_SEGMENTS) {
			*why = "The path has more than 16 segments.";
			return false;
		}
		i = k + 1;
	}
	return true;
}

/* Where the extension of path's last segment begins (its '.'), or the end; a leading dot is none.
 */
static const char *extension_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	return dot && dot > base ? dot : path + strlen(path);
}

void media_hashed_path(const char *path, const char *sha256, struct buf *out)
{
	const char *ext = extension_of(path);
	buf_printf(out, "%.*s.%.*s%s", (int)(ext - path), path, MEDIA_HASH_DIGITS, sha256, ext);
}

/* True if s[0..MEDIA_HASH_DIGITS) are lowercase hex digits, as media_hashed_path() writes them. */
static bool hash_digits(const char *s, size_t n)
{
	if (n != MEDIA_HASH_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool media_unhashed_path(const char *path, struct buf *plain, char hash[MEDIA_HASH_DIGITS + 1])
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *end = base + strlen(base);
	const char *last = strrchr(base, '.');
	if (last == NULL || last == base)
		return false;
	/* "name.HASH.ext": the digits between the last two dots (neither leading). */
	const char *prev = last - 1;
	while (prev > base && *prev != '.')
		prev--;
	if (prev > base && *prev == '.' && hash_digits(prev + 1, (size_t)(last - prev - 1))) {
		memcpy(hash, prev + 1, MEDIA_HASH_DIGITS);
		hash[MEDIA_HASH_DIGITS] = '\0';
		buf_printf(plain, "%.*s%s", (int)(prev - path), path, last);
		return true;
	}
	/* "name.HASH" for a name without an extension: no other dot but a leading one. */
	if (hash_digits(last + 1, (size_t)(end - last - 1))) {
		const char *dot = memchr(base + 1, '.', (size_t)(last - base - 1));
		if (dot)
			return false;
		memcpy(hash, last + 1, MEDIA_HASH_DIGITS);
		hash[MEDIA_HASH_DIGITS] = '\0';
		buf_printf(plain, "%.*s", (int)(last - path), path);
		return true;
	}
	return false;
}
