/*
 * fuzz-codec.c: hostile RTP payloads and fmtp parameters for the codecs
 * (src/media-codec.c, src/media-g711.c, and libopus behind them).
 *
 *   byte 0        codec: 0 opus, 1 PCMU, 2 PCMA (mod 3)
 *   then records  u8 op, then by op % 5:
 *     0  decode   u16 len, len bytes; op bit 3: a PCM buffer of only
 *                 160 samples instead of MEDIA_CODEC_MAX_SAMPLES
 *     1  FEC      u16 n samples, u16 len, len bytes (the next packet)
 *     2  conceal  u16 n samples
 *   n is taken mod 2 * MEDIA_CODEC_MAX_SAMPLES + 1: twice what a caller
 *   asks at most, so refusals are tried too without slow giant spans.
 *     3  fmtp     u8 len, len bytes: the peer's a=fmtp value
 *     4  reset
 *
 * PCM buffers are heap blocks of exactly the size passed, so writing one
 * sample too many is an ASan error. A decode must fit what it was given
 * and agree with media_codec_packet_samples.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "media-codec.h"

#include "fuzz.h"

#define FUZZ_CODEC_MAX_N	(2 * MEDIA_CODEC_MAX_SAMPLES + 1)

static const char *const fuzz_codec_names[] = { "opus", "PCMU", "PCMA" };

static int16_t *
fuzz_codec_pcm(size_t n)
{
	int16_t	*pcm = malloc((n > 0 ? n : 1) * sizeof *pcm);

	if (pcm == NULL)
		abort();
	return pcm;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in		 in = { data, size };
	struct media_codec	*c;
	uint8_t			*b;
	int16_t			*pcm;
	char			*cause = NULL, *fmtp;
	size_t			 len, cap, n;
	int			 op, r, samples;

	c = media_codec_new(fuzz_codec_names[fuzz_u8(&in) % 3], NULL, &cause);
	if (c == NULL) {
		fprintf(stderr, "media_codec_new: %s\n", cause);
		abort();
	}
	while (fuzz_left(&in)) {
		op = fuzz_u8(&in);
		switch (op % 5) {
		case 0:
			b = fuzz_bytes(&in, fuzz_u16(&in), &len);
			cap = (op & 8) ? 160 : MEDIA_CODEC_MAX_SAMPLES;
			pcm = fuzz_codec_pcm(cap);
			samples = media_codec_packet_samples(c, b, len);
			r = media_codec_decode(c, b, len, pcm, cap);
			FUZZ_CHECK(r <= (int)cap);
			FUZZ_CHECK(samples >= 0 || r < 0);
			FUZZ_CHECK(r <= 0 || r == samples);
			free(pcm);
			free(b);
			break;
		case 1:
			n = fuzz_u16(&in) % FUZZ_CODEC_MAX_N;
			b = fuzz_bytes(&in, fuzz_u16(&in), &len);
			pcm = fuzz_codec_pcm(n);
			r = media_codec_decode_fec(c, b, len, pcm, n);
			FUZZ_CHECK(r < 0 || (size_t)r == n);
			free(pcm);
			free(b);
			break;
		case 2:
			n = fuzz_u16(&in) % FUZZ_CODEC_MAX_N;
			pcm = fuzz_codec_pcm(n);
			r = media_codec_conceal(c, pcm, n);
			FUZZ_CHECK(r < 0 || (size_t)r == n);
			free(pcm);
			break;
		case 3:
			b = fuzz_bytes(&in, fuzz_u8(&in), &len);
			fmtp = fuzz_str(b, len);
			FUZZ_CHECK(media_codec_apply_fmtp(c, fmtp) == 0);
			free(fmtp);
			free(b);
			break;
		case 4:
			media_codec_reset(c);
			break;
		}
	}
	media_codec_free(c);
	return 0;
}
