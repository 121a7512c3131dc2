/*
 * rand.c: a deterministic RAND_bytes for the fuzzers whose code
 * under test makes keys or SSRCs (fuzz-sdp: media_srtp_keygen through
 * sip_sdp_offer and sip_sdp_answer). Defined in the executable, it takes
 * the place of OpenSSL's for the tsphone objects linked with it, so an
 * input gives the same keys, the same SDP text and the same coverage on
 * every run: libFuzzer needs that to keep and minimise inputs.
 *
 * Test code only: never link this into the program.
 */
#include "config.h"

#include <stdint.h>

#include "fuzz.h"

int	 RAND_bytes(unsigned char *, int);
void	 fuzz_rand_reset(void);

static uint64_t	 fuzz_rand_state;

/* Call at the start of each input. */
void
fuzz_rand_reset(void)
{
	fuzz_rand_state = 0x9e3779b97f4a7c15ULL;
}

int
RAND_bytes(unsigned char *buf, int num)
{
	int	 i;

	for (i = 0; i < num; i++) {
		fuzz_rand_state ^= fuzz_rand_state << 13;
		fuzz_rand_state ^= fuzz_rand_state >> 7;
		fuzz_rand_state ^= fuzz_rand_state << 17;
		buf[i] = (unsigned char)(fuzz_rand_state >> 32);
	}
	return 1;
}
