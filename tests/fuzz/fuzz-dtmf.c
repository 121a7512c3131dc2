/*
 * fuzz-dtmf.c: RFC 4733 telephone-events (src/media-dtmf.c).
 *
 * The receiver gets hostile packets from the network; the sender gets
 * digits from the user (the dtmf command) and its packets are fed to a
 * second receiver, as the peer would see them. One input:
 *
 *   byte 0        clock: bit 0 set = 48000 Hz, else 8000 Hz
 *   then records  u8 op, then by op % 4:
 *     0  receive  u32 ts, u8 len, len bytes of payload
 *     1  reset the receiver (new SSRC)
 *     2  queue    u16 tone ms, u16 gap ms, u8 len, len bytes of digits
 *                 (op bit 2: clear the queue first)
 *     3  poll     u8 count: that many 20 ms sender ticks
 *
 * Reports must name a DTMF digit, never exceed the room given, and a
 * payload the parser refuses must be refused by the receiver too.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "media-dtmf.h"

#include "fuzz.h"

#define FUZZ_DTMF_NOUT	4

static void
fuzz_dtmf_check(const struct media_dtmf_report *out, int n)
{
	int	 i;

	FUZZ_CHECK(n == -EINVAL || (n >= 0 && n <= FUZZ_DTMF_NOUT));
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(out[i].event <= 15);
		FUZZ_CHECK(out[i].digit != '\0');
		FUZZ_CHECK(media_dtmf_event_of(out[i].digit) == out[i].event);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in			 in = { data, size };
	struct media_dtmf_rx		*rx = NULL, *peer = NULL;
	struct media_dtmf_tx		*tx = NULL;
	struct media_dtmf_report	 out[FUZZ_DTMF_NOUT];
	struct media_dtmf_event		 ev;
	struct media_dtmf_packet	 pkt;
	unsigned int			 rate, tone, gap, count;
	uint32_t			 ts, tx_ts = 12345;
	uint8_t				*b;
	char				*digits;
	size_t				 len;
	int				 op, n, blocks;

	rate = (fuzz_u8(&in) & 1) ? 48000 : 8000;
	rx = media_dtmf_rx_new(rate);
	peer = media_dtmf_rx_new(rate);
	tx = media_dtmf_tx_new(rate, 20);
	FUZZ_CHECK(rx != NULL && peer != NULL && tx != NULL);

	while (fuzz_left(&in)) {
		op = fuzz_u8(&in);
		switch (op % 4) {
		case 0:
			ts = fuzz_u32(&in);
			b = fuzz_bytes(&in, fuzz_u8(&in), &len);
			blocks = media_dtmf_parse(b, len, &ev);
			FUZZ_CHECK(blocks == -EINVAL ||
			    (blocks > 0 && (size_t)blocks == len / 4));
			n = media_dtmf_rx_input(rx, ts, b, len, out,
			    FUZZ_DTMF_NOUT);
			fuzz_dtmf_check(out, n);
			FUZZ_CHECK((blocks < 0) == (n < 0));
			free(b);
			break;
		case 1:
			media_dtmf_rx_reset(rx);
			break;
		case 2:
			tone = fuzz_u16(&in);
			gap = fuzz_u16(&in);
			b = fuzz_bytes(&in, fuzz_u8(&in), &len);
			digits = fuzz_str(b, len);
			if (op & 4)
				media_dtmf_tx_clear(tx);
			media_dtmf_tx_set_timing(tx, tone, gap);
			n = media_dtmf_tx_queue(tx, digits);
			FUZZ_CHECK(n == 0 || n == -EINVAL || n == -ENOBUFS);
			free(digits);
			free(b);
			break;
		case 3:
			count = fuzz_u8(&in);
			while (count-- > 0) {
				tx_ts += rate / 50;
				if (media_dtmf_tx_poll(tx, tx_ts, &pkt) != 1)
					continue;
				FUZZ_CHECK(pkt.len == 4);
				FUZZ_CHECK(media_dtmf_parse(pkt.payload,
				    pkt.len, &ev) == 1);
				FUZZ_CHECK(ev.event <= 15);
				n = media_dtmf_rx_input(peer, pkt.ts,
				    pkt.payload, pkt.len, out, FUZZ_DTMF_NOUT);
				fuzz_dtmf_check(out, n);
				/* Our own packets always make sense. */
				FUZZ_CHECK(n >= 0);
			}
			break;
		}
	}
	media_dtmf_rx_free(rx);
	media_dtmf_rx_free(peer);
	media_dtmf_tx_free(tx);
	return 0;
}
