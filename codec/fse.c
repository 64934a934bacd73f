/* SPDX-License-Identifier: MIT */
/* fse.c - FSE decoding tables and the backward bit stream (see fse.h). */
#include <string.h>

#include "util/err.h"
#include "codec/fse.h"

/* Little-endian load of n (< 8) bytes: the bytes nearer buf come out low. */
static uint64_t fse_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

int apfs_fse_in_init(struct apfs_fse_in *in, const uint8_t *buf, size_t len, int n)
{
	size_t take = n ? 8 : 7;

	memset(in, 0, sizeof(*in));
	if (n < -7 || n > 0 || len < take)
		return -APFS_ECORRUPT;
	in->buf = buf;
	in->pos = len - take;
	if (take == 8)
		in->accum = fse_load(buf + in->pos, 4) | fse_load(buf + in->pos + 4, 4) << 32;
	else
		in->accum = fse_load(buf + in->pos, 7);
	in->nbits = (unsigned)(n + (int)take * 8);
	/* The encoder zeroes the padding bits: anything else is corruption. */
	if (in->nbits < 64 && (in->accum >> in->nbits) != 0)
		return -APFS_ECORRUPT;
	return 0;
}

int apfs_fse_in_flush(struct apfs_fse_in *in)
{
	/* Whole bytes that fit without reaching 64 bits (0..7 of them). */
	size_t nbytes = (63 - in->nbits) >> 3, take;
	uint64_t incoming;

	if (in->nbits > 63)
		return -APFS_ECORRUPT;
	if (nbytes == 0)
		return 0;
	/*
	 * Near the start of the payload fewer bytes may remain than fit.  The
	 * reference decoder then loads bytes that precede the payload (the
	 * block header); a valid stream never consumes them, so zeros do.
	 */
	take = nbytes < in->pos ? nbytes : in->pos;
	in->pos -= take;
	incoming = fse_load(in->buf + in->pos, take) << (8 * (nbytes - take));
	in->accum = in->accum << (8 * nbytes) | incoming;
	in->nbits += (unsigned)(8 * nbytes);
	return 0;
}

int apfs_fse_check_freq(const uint16_t *freq, unsigned nsym, unsigned nstates)
{
	unsigned sum = 0;

	for (unsigned i = 0; i < nsym; i++)
		sum += freq[i];
	return sum > nstates ? -APFS_ECORRUPT : 0;
}

/* floor(log2(x)) for x > 0. */
static unsigned fse_log2(unsigned x)
{
	unsigned r = 0;

	while (x >>= 1)
		r++;
	return r;
}

/*
 * The states of a symbol with frequency f: k is chosen so that
 * nstates <= f << k < 2 * nstates.  The first j0 of its f states read k bits,
 * the others k - 1, so that together they cover all nstates next states
 * exactly once.  k >= 1 whenever j0 < f, so k - 1 never goes negative.
 */
static void fse_symbol_states(unsigned nstates, unsigned f, unsigned j, uint8_t *k,
			      uint16_t *delta)
{
	unsigned kk = fse_log2(nstates) - fse_log2(f);
	unsigned j0 = ((2 * nstates) >> kk) - f;

	if (j < j0) {
		*k = (uint8_t)kk;
		*delta = (uint16_t)(((f + j) << kk) - nstates);
	} else {
		*k = (uint8_t)(kk - 1);
		*delta = (uint16_t)((j - j0) << (kk - 1));
	}
}

void apfs_fse_init_table(unsigned nstates, unsigned nsym, const uint16_t *freq,
			 struct apfs_fse_entry *t)
{
	unsigned n = 0;

	memset(t, 0, nstates * sizeof(*t));
	for (unsigned s = 0; s < nsym; s++) {
		for (unsigned j = 0; j < freq[s] && n < nstates; j++, n++) {
			t[n].symbol = (uint8_t)s;
			fse_symbol_states(nstates, freq[s], j, &t[n].k, &t[n].delta);
		}
	}
}

void apfs_fse_init_vtable(unsigned nstates, unsigned nsym, const uint16_t *freq,
			  const uint8_t *vbits, const uint32_t *vbase, struct apfs_fse_ventry *t)
{
	unsigned n = 0;
	uint8_t k;

	memset(t, 0, nstates * sizeof(*t));
	for (unsigned s = 0; s < nsym; s++) {
		for (unsigned j = 0; j < freq[s] && n < nstates; j++, n++) {
			fse_symbol_states(nstates, freq[s], j, &k, &t[n].delta);
			t[n].value_bits = vbits[s];
			t[n].total_bits = (uint8_t)(k + vbits[s]);
			t[n].vbase = vbase[s];
		}
	}
}
