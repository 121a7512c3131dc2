/*
 * fuzz-jbuf.c: the jitter buffer (src/media-jbuf.c) under any arrival
 * pattern a network or a peer can produce: reordering, duplicates, SSRC
 * changes, timestamp and sequence jumps, odd durations and sizes, and any
 * pull timing.
 *
 *   byte 0        clock rate: 8000, 16000, 32000 or 48000 (low 2 bits)
 *   then records  u8 op, then by op % 4:
 *     0  put      u16 seq, u32 ts, u8 flags, u16 len, u16 duration, u8 dt
 *                 flags bit 0: marker; bits 1-2: which of four SSRCs
 *                 len: payload bytes (mod 1600: some are too big)
 *     1  get      u8 dt; a MISSING is followed by media_jbuf_peek_next
 *     2  hint     the last frame was silent (op bit 2) or not
 *     3  flush
 *   dt is the time since the previous operation in milliseconds.
 *
 * A payload's bytes are a pattern of its sequence number, so a FRAME can
 * be checked to be the packet it says it is. After every operation each
 * put must be accounted for exactly once (MEDIA_JBUF_ACCOUNTED).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "media-jbuf.h"

#include "fuzz.h"

static const unsigned int fuzz_jbuf_rates[] = { 8000, 16000, 32000, 48000 };
static const uint32_t fuzz_jbuf_ssrcs[] = {
	0x11111111, 0x22222222, 0xdeadbeef, 0
};

static uint8_t
fuzz_jbuf_byte(uint16_t seq, size_t i)
{
	return (uint8_t)(seq * 7 + i);
}

static void
fuzz_jbuf_check_frame(const struct media_jbuf_frame *f)
{
	size_t	 i;

	FUZZ_CHECK(f->len <= MEDIA_JBUF_MAX_PAYLOAD);
	FUZZ_CHECK((f->payload == NULL) == (f->len == 0));
	FUZZ_CHECK(f->duration > 0);
	for (i = 0; i < f->len; i++)
		FUZZ_CHECK(f->payload[i] == fuzz_jbuf_byte(f->seq, i));
}

static void
fuzz_jbuf_check(const struct media_jbuf *jb)
{
	struct media_jbuf_stats	 st;

	media_jbuf_stats(jb, &st);
	FUZZ_CHECK(MEDIA_JBUF_ACCOUNTED(&st) == st.put);
	FUZZ_CHECK(st.buffered <= MEDIA_JBUF_SLOTS);
	FUZZ_CHECK(media_jbuf_delay_ms(jb) == st.delay_ms);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in			 in = { data, size };
	struct media_jbuf		*jb;
	struct media_jbuf_frame		 f, next;
	enum media_jbuf_kind		 k;
	uint8_t				 payload[1600];
	uint64_t			 now = 1000000;
	uint32_t			 ts, dur;
	uint16_t			 seq;
	size_t				 len, i;
	int				 op, flags;

	if (media_jbuf_alloc(&jb, fuzz_jbuf_rates[fuzz_u8(&in) & 3]) != 0)
		abort();
	while (fuzz_left(&in)) {
		op = fuzz_u8(&in);
		switch (op % 4) {
		case 0:
			seq = fuzz_u16(&in);
			ts = fuzz_u32(&in);
			flags = fuzz_u8(&in);
			len = fuzz_u16(&in) % sizeof payload;
			dur = fuzz_u16(&in);
			now += 1000ULL * fuzz_u8(&in);
			for (i = 0; i < len; i++)
				payload[i] = fuzz_jbuf_byte(seq, i);
			media_jbuf_put(jb, seq, ts,
			    fuzz_jbuf_ssrcs[(flags >> 1) & 3], flags & 1,
			    len > 0 ? payload : NULL, len, dur, now);
			break;
		case 1:
			now += 1000ULL * fuzz_u8(&in);
			k = media_jbuf_get(jb, now, &f);
			FUZZ_CHECK(k == MEDIA_JBUF_EMPTY ||
			    k == MEDIA_JBUF_FRAME || k == MEDIA_JBUF_MISSING);
			FUZZ_CHECK(f.duration > 0);
			if (k == MEDIA_JBUF_FRAME)
				fuzz_jbuf_check_frame(&f);
			else if (k == MEDIA_JBUF_MISSING &&
			    media_jbuf_peek_next(jb, &next))
				fuzz_jbuf_check_frame(&next);
			break;
		case 2:
			media_jbuf_hint_silence(jb, (op & 4) != 0);
			break;
		case 3:
			media_jbuf_flush(jb);
			break;
		}
		fuzz_jbuf_check(jb);
	}
	media_jbuf_free(jb);
	return 0;
}
