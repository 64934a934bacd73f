/* SPDX-License-Identifier: MIT */
/*
 * fse.h - the finite-state-entropy half of LZFSE: decoding tables built from
 * a normalised frequency table, and the backward bit stream they read.
 *
 * An FSE decoder has nstates (a power of two) states.  Each state names a
 * symbol, a bit count k and a base: decoding emits the symbol and moves to
 * base + (next k bits).  Symbol s owns freq[s] consecutive states.  For
 * "value" tables (LZFSE's L, M and D) each symbol also carries extra bits
 * that are added to a per-symbol base value.
 *
 * The bit stream is written forwards by the encoder and read backwards: the
 * reader starts at the end of the payload and pulls bits from the most
 * significant end of a 64-bit accumulator.
 */
#ifndef APFS_FSE_H
#define APFS_FSE_H

#include <stddef.h>
#include <stdint.h>

struct apfs_fse_in {
	uint64_t accum;     /* holds nbits valid bits, the rest zero */
	unsigned nbits;
	const uint8_t *buf; /* payload start: never read before it */
	size_t pos;         /* bytes of buf not yet loaded */
	int bad;            /* a pull asked for more bits than were loaded */
};

struct apfs_fse_entry {
	uint8_t k;      /* bits to read for the next state */
	uint8_t symbol;
	uint16_t delta; /* next state = delta + those bits */
};

struct apfs_fse_ventry {
	uint8_t total_bits; /* k + value_bits, read in one go */
	uint8_t value_bits;
	uint16_t delta;
	uint32_t vbase;     /* value = vbase + the low value_bits */
};

/*
 * Start reading backwards from buf + len.  n (-7..0) says how many bits of
 * the last 64-bit word are padding: the stream starts with 64 + n bits, or
 * with 56 bits from 7 bytes when n = 0.  Returns 0 or -APFS_ECORRUPT.
 */
int apfs_fse_in_init(struct apfs_fse_in *in, const uint8_t *buf, size_t len, int n);

/*
 * Top the accumulator up to 56..63 bits; past the start of the payload it
 * shifts in zero bits.  Returns 0 or -APFS_ECORRUPT.
 */
int apfs_fse_in_flush(struct apfs_fse_in *in);

/* Does freq[0..nsym) sum to at most nstates?  Returns 0 or -APFS_ECORRUPT. */
int apfs_fse_check_freq(const uint16_t *freq, unsigned nsym, unsigned nstates);

/*
 * Build the nstates-entry tables.  freq must have passed
 * apfs_fse_check_freq(); states no symbol owns stay zero (symbol 0, k 0,
 * delta 0), so a hostile stream still only ever reaches valid entries.
 */
void apfs_fse_init_table(unsigned nstates, unsigned nsym, const uint16_t *freq,
			 struct apfs_fse_entry *t);
void apfs_fse_init_vtable(unsigned nstates, unsigned nsym, const uint16_t *freq,
			  const uint8_t *vbits, const uint32_t *vbase, struct apfs_fse_ventry *t);

/* Take n bits (n <= 32) from the top of the accumulator. */
static inline uint64_t apfs_fse_pull(struct apfs_fse_in *in, unsigned n)
{
	uint64_t r;

	if (n > in->nbits) {
		in->bad = 1;
		return 0;
	}
	in->nbits -= n;
	r = in->accum >> in->nbits;
	in->accum &= in->nbits ? (~0ULL >> (64 - in->nbits)) : 0;
	return r;
}

static inline uint8_t apfs_fse_decode(uint16_t *state, const struct apfs_fse_entry *t,
				      struct apfs_fse_in *in)
{
	struct apfs_fse_entry e = t[*state];

	*state = (uint16_t)(e.delta + apfs_fse_pull(in, e.k));
	return e.symbol;
}

static inline uint32_t apfs_fse_vdecode(uint16_t *state, const struct apfs_fse_ventry *t,
					struct apfs_fse_in *in)
{
	struct apfs_fse_ventry e = t[*state];
	uint32_t bits = (uint32_t)apfs_fse_pull(in, e.total_bits);

	/* State bits come first (high), then the value's extra bits (low). */
	*state = (uint16_t)(e.delta + (bits >> e.value_bits));
	return e.vbase + (bits & ((1u << e.value_bits) - 1));
}

#endif
