/*
 * fuzz-rtp.c: RTP and RTCP from the network (src/media-rtp.c).
 *
 * One input is a short receive history for one session, so the sequence
 * validation, loss and jitter code see packets in relation to each other:
 *
 *   byte 0        remote clock: bit 0 set = 48000 Hz, else 8000 Hz
 *   then records  u8 op, u8 dt, u16 len, len bytes (big-endian)
 *     op bit 0    0: RTP  -> media_rtp_parse, media_rtp_source_update
 *                 1: RTCP -> media_rtcp_parse, media_rtcp_process
 *     op bit 1    afterwards build our report (media_rtcp_build), which
 *                 reads the state hostile packets left behind
 *     op bit 2    afterwards take the statistics
 *     dt          milliseconds between this arrival and the previous one
 *
 * Every packet is copied to a heap block of exactly its length, so a read
 * past its end is an ASan error even mid-input. The session starts from a
 * fixed state (no random SSRC) so that every run of an input is the same.
 * Our SSRC is 0x5453504e ("TSPN"): seeds put it in report blocks.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "media-rtp.h"

#include "fuzz.h"

#define FUZZ_RTP_SSRC	0x5453504eU
#define FUZZ_RTP_T0	1700000000000000ULL	/* 2023-11-14, in us */

static void
fuzz_rtp_check_hdr(const struct media_rtp_hdr *h, const uint8_t *buf,
    size_t len)
{
	size_t	 used;

	FUZZ_CHECK(h->version == 2);
	FUZZ_CHECK(h->pt <= 127);
	FUZZ_CHECK(h->cc <= MEDIA_RTP_MAX_CSRC);
	used = MEDIA_RTP_HDR_LEN + 4 * (size_t)h->cc;
	if (h->extension) {
		FUZZ_CHECK(h->ext_len % 4 == 0);
		FUZZ_CHECK(h->ext == NULL ||
		    (h->ext >= buf && h->ext + h->ext_len <= buf + len));
		used += 4 + h->ext_len;
	}
	FUZZ_CHECK(h->payload_len == 0 || (h->payload >= buf &&
	    h->payload + h->payload_len <= buf + len));
	FUZZ_CHECK(used + h->payload_len + h->pad_len == len);
	fuzz_touch(h->payload, h->payload_len);
	if (h->extension)
		fuzz_touch(h->ext, h->ext_len);
}

static void
fuzz_rtcp_check(const struct media_rtcp_info *info)
{
	FUZZ_CHECK(info->n_rb <= MEDIA_RTCP_MAX_RB);
	FUZZ_CHECK_STR(info->cname);
	FUZZ_CHECK(info->has_report || !info->has_sr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in			 in = { data, size };
	struct media_rtp_session	 s;
	struct media_rtp_hdr		 h;
	struct media_rtcp_info		 info;
	struct media_rtp_stats		 st;
	uint8_t				*pkt, out[1500];
	uint64_t			 now = FUZZ_RTP_T0;
	uint32_t			 rate;
	size_t				 len;
	int				 op, r;

	rate = (fuzz_u8(&in) & 1) ? 48000 : 8000;
	if (media_rtp_session_init(&s, rate, rate, "fuzz@tsphone.invalid") != 0)
		return 0;
	/* Replace what init drew at random. */
	s.tx.ssrc = FUZZ_RTP_SSRC;
	s.tx.seq = 1000;
	s.tx.ts_base = 160000;

	while (fuzz_left(&in)) {
		op = fuzz_u8(&in);
		now += 1000ULL * fuzz_u8(&in);
		pkt = fuzz_bytes(&in, fuzz_u16(&in), &len);
		if ((op & 1) == 0) {
			r = media_rtp_parse(&h, pkt, len);
			if (r == 0) {
				fuzz_rtp_check_hdr(&h, pkt, len);
				media_rtp_source_update(&s.rx, &h, now);
			}
		} else {
			memset(&info, 0xa5, sizeof info);
			r = media_rtcp_parse(&info, pkt, len);
			if (r == 0) {
				fuzz_rtcp_check(&info);
				media_rtcp_process(&s, &info, now);
			}
		}
		if (op & 2) {
			r = media_rtcp_build(&s, out, sizeof out, now);
			FUZZ_CHECK(r == -ENOSPC || (r > 0 && r % 4 == 0));
			if (r > 0) {
				/* What we send must parse. */
				FUZZ_CHECK(media_rtcp_parse(&info, out,
				    (size_t)r) == 0);
			}
		}
		if (op & 4) {
			media_rtp_source_stats(&s.rx, &st);
			FUZZ_CHECK(st.jitter_ms >= 0);
		}
		free(pkt);
	}
	return 0;
}
