/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2_body.h - the PBKDF2-HMAC-SHA256 iteration loop, written once for
 * any number of lanes.  pbkdf2_lanes.c includes it once per engine (plain
 * C with one lane, SSE2, AVX2, AVX-512), after defining:
 *
 *   VEC, LANES      the vector type and the 32-bit lanes it holds
 *   VATTR           the target attribute of its functions (empty for plain C)
 *   NAME(x)         x with the engine's suffix
 *   V_*             the operations, see their uses below
 *
 * and undefines them all at its end.
 *
 * Lane l of every vector works on candidate l: SHA-256 (FIPS 180-4 §6.2.2)
 * is a fixed sequence of 32-bit additions, rotations and logic, so LANES
 * candidates run through it side by side in one instruction stream.  After
 * U1 (pbkdf2.c), each PBKDF2 iteration (RFC 8018 §5.2) is two compressions
 * of one block each, from the HMAC key's inner and outer states: the
 * 32-byte U before it, then the 0x80 byte, zeros and the bit length 768
 * (64 key-block bytes + 32), the same for every iteration and lane.
 */
#define UNROLL _Pragma("GCC unroll 64")
/* Inlined always: a call would pass the lanes through memory. */
#define VFN static inline __attribute__((always_inline)) VATTR

#define BSIG0(x) V_XOR3(V_ROR(x, 2), V_ROR(x, 13), V_ROR(x, 22))
#define BSIG1(x) V_XOR3(V_ROR(x, 6), V_ROR(x, 11), V_ROR(x, 25))
#define SSIG0(x) V_XOR3(V_ROR(x, 7), V_ROR(x, 18), V_SHR(x, 3))
#define SSIG1(x) V_XOR3(V_ROR(x, 17), V_ROR(x, 19), V_SHR(x, 10))

/*
 * One compression: st (the chaining value, 8 words) absorbs the block w
 * (16 words, overwritten by the message schedule).  Unrolled whole, the
 * constant words of the iteration blocks fold into their additions.
 */
VFN void NAME(compress)(VEC st[8], VEC w[16])
{
	VEC s[8];

	UNROLL
	for (int i = 0; i < 8; i++)
		s[i] = st[i];
	UNROLL
	for (int t = 0; t < 64; t++) {
		VEC t1, t2;

		if (t >= 16)
			w[t & 15] = V_ADD(V_ADD(SSIG1(w[(t - 2) & 15]), w[(t - 7) & 15]),
					  V_ADD(SSIG0(w[(t - 15) & 15]), w[t & 15]));
		t1 = V_ADD(V_ADD(s[7], BSIG1(s[4])),
			   V_ADD(V_CH(s[4], s[5], s[6]), V_ADD(V_SET1(apfs_sha256_k[t]), w[t & 15])));
		t2 = V_ADD(BSIG0(s[0]), V_MAJ(s[0], s[1], s[2]));
		s[7] = s[6];
		s[6] = s[5];
		s[5] = s[4];
		s[4] = V_ADD(s[3], t1);
		s[3] = s[2];
		s[2] = s[1];
		s[1] = s[0];
		s[0] = V_ADD(t1, t2);
	}
	UNROLL
	for (int i = 0; i < 8; i++)
		st[i] = V_ADD(st[i], s[i]);
}

/* u = HMAC(key, u) for a 32-byte u, from the key's inner and outer states. */
VFN void NAME(hmac32)(const VEC *inner, const VEC *outer, VEC u[8])
{
	VEC w[16], st[8];

	UNROLL
	for (int round = 0; round < 2; round++) {
		const VEC *from = round ? outer : inner;

		UNROLL
		for (int i = 0; i < 8; i++) {
			w[i] = u[i];
			st[i] = V_LOAD(&from[i]);
		}
		w[8] = V_SET1(0x80000000u);
		UNROLL
		for (int i = 9; i < 15; i++)
			w[i] = V_SET1(0);
		w[15] = V_SET1((64 + 32) * 8);
		NAME(compress)(st, w);
		UNROLL
		for (int i = 0; i < 8; i++)
			u[i] = st[i];
	}
}

/*
 * Iterations 2..c of LANES candidates: the states come word-major (word i of
 * every lane in one vector), u holds each lane's U1 and t its running XOR
 * (T = U1 ^ U2 ^ ... ^ Uc), both replaced in place.
 */
static VATTR void NAME(iterate)(const VEC inner[8], const VEC outer[8], VEC u_io[8], VEC t_io[8],
			  uint32_t more)
{
	VEC u[8], t[8];

	for (int i = 0; i < 8; i++) {
		u[i] = V_LOAD(&u_io[i]);
		t[i] = V_LOAD(&t_io[i]);
	}
	for (uint32_t n = 0; n < more; n++) {
		NAME(hmac32)(inner, outer, u);
		UNROLL
		for (int i = 0; i < 8; i++)
			t[i] = V_XOR(t[i], u[i]);
	}
	for (int i = 0; i < 8; i++) {
		V_STORE(&u_io[i], u[i]);
		V_STORE(&t_io[i], t[i]);
	}
	V_CLEAR();
}

/* Its own macros and the engine's, so that the next engine starts clean. */
#undef UNROLL
#undef VFN
#undef BSIG0
#undef BSIG1
#undef SSIG0
#undef SSIG1
#undef VEC
#undef LANES
#undef VATTR
#undef NAME
#undef V_LOAD
#undef V_STORE
#undef V_SET1
#undef V_ADD
#undef V_XOR
#undef V_XOR3
#undef V_ROR
#undef V_SHR
#undef V_CH
#undef V_MAJ
#undef V_CLEAR
