/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SHA-1 of a byte stream, for the checksums a pack and its index end
 * with (libgit2 1.5 hashes only whole objects, with their header).
 * Object ids are still computed by libgit2, with its collision
 * detection: these checksums name and protect files, they are not ids
 * anyone can choose.
 */
#ifndef QS_SHA1_H
#define QS_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define QS_SHA1_SIZE 20

struct qs__sha1 {
	uint32_t h[5];
	uint64_t bytes;		/* fed so far */
	unsigned char block[64];
};

void qs__sha1_init(struct qs__sha1 *c);
void qs__sha1_update(struct qs__sha1 *c, const void *data, size_t len);
void qs__sha1_final(struct qs__sha1 *c, unsigned char out[QS_SHA1_SIZE]);

#endif
