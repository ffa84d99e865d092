// SPDX-License-Identifier: GPL-2.0-only
/* SHA-1 as FIPS 180-4 defines it; see sha1.h for what it is used for. */
#include "sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void compress(uint32_t h[5], const unsigned char *block)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void qs__sha1_init(struct qs__sha1 *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->h[4] = 0xc3d2e1f0;
	c->bytes = 0;
}

void qs__sha1_update(struct qs__sha1 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t used = c->bytes % 64;

	c->bytes += len;
	if (used) {
		size_t take = 64 - used < len ? 64 - used : len;

		memcpy(c->block + used, p, take);
		p += take;
		len -= take;
		if (used + take < 64)
			return;
		compress(c->h, c->block);
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(c->h, p);
	memcpy(c->block, p, len);
}

void qs__sha1_final(struct qs__sha1 *c, unsigned char out[QS_SHA1_SIZE])
{
	uint64_t bits = c->bytes * 8;
	unsigned char tail[72];
	size_t pad = 64 - (c->bytes + 8) % 64;
	int i;

	/* 0x80, zeros, then the length in bits: the total is a whole block */
	memset(tail, 0, sizeof(tail));
	tail[0] = 0x80;
	for (i = 0; i < 8; i++)
		tail[pad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	qs__sha1_update(c, tail, pad + 8);
	for (i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}
