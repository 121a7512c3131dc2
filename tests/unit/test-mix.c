/*
 * test-mix.c: the conference's arithmetic (media-mix.c): each party gets
 * every source but its own; sums clip at both ends of 16 bits and only
 * once (the order of the sources changes nothing); silence (NULL) and an
 * output that is one of its own sources work; and the FIFO turns decoded
 * steps of odd lengths into whole frames with no sample lost, repeated
 * or moved, dropping the oldest or the newest as asked when it is full.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media-mix.h"
#include "tap.h"
#include "util.h"

#define N	16

static void
fill(int16_t *x, size_t n, int v)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		x[i] = (int16_t)v;
}

static int
all(const int16_t *x, size_t n, int v)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (x[i] != v)
			return 0;
	}
	return 1;
}

static void
test_minus(void)
{
	int16_t		 mic[N], a[N], b[N], out[N];
	const int16_t	*src[3] = { mic, a, b };
	size_t		 i;

	for (i = 0; i < N; i++) {
		mic[i] = (int16_t)(100 + i);
		a[i] = (int16_t)(1000 * (int)i);
		b[i] = (int16_t)(-7 * (int)i);
	}
	media_mix(out, src, 3, 1, N);
	for (i = 0; i < N && out[i] == mic[i] + b[i]; i++)
		;
	is_int(i, N, "A gets the microphone and B, not itself, sample by sample");
	media_mix(out, src, 3, 2, N);
	for (i = 0; i < N && out[i] == mic[i] + a[i]; i++)
		;
	is_int(i, N, "B gets the microphone and A");
	media_mix(out, src, 3, 0, N);
	for (i = 0; i < N && out[i] == a[i] + b[i]; i++)
		;
	is_int(i, N, "the speaker gets A and B, not the microphone");
	media_mix(out, src, 3, -1, N);
	for (i = 0; i < N && out[i] == mic[i] + a[i] + b[i]; i++)
		;
	is_int(i, N, "skip -1: everything");

	src[0] = NULL;
	media_mix(out, src, 3, 1, N);
	ok(memcmp(out, b, sizeof b) == 0, "a NULL source (muted microphone) "
	    "is silence: A gets B alone");
	media_mix(out, src, 1, -1, N);
	ok(all(out, N, 0), "nothing but silence: zeros");
	media_mix(out, src, 0, -1, N);
	ok(all(out, N, 0), "no sources: zeros");

	/* In place: the output is one of the sources. */
	fill(a, N, 5);
	fill(b, N, 7);
	src[0] = a;
	src[1] = b;
	media_mix(a, src, 2, -1, N);
	ok(all(a, N, 12), "the output may be a source (in place)");
}

static void
test_clip(void)
{
	int16_t		 x[N], y[N], z[N], out[N];
	const int16_t	*src[3] = { x, y, z };
	const int16_t	*rev[3] = { z, y, x };
	int16_t		 out2[N];

	fill(x, N, 30000);
	fill(y, N, 30000);
	fill(z, N, 0);
	media_mix(out, src, 2, -1, N);
	ok(all(out, N, 32767), "two loud sources clip at 32767, not wrap");
	fill(x, N, -30000);
	fill(y, N, -30000);
	media_mix(out, src, 2, -1, N);
	ok(all(out, N, -32768), "and at -32768 below");
	fill(x, N, 32767);
	fill(y, N, 32767);
	fill(z, N, -32768);
	media_mix(out, src, 3, -1, N);
	is_int(out[0], 32766, "clipped once, at the end: 32767 + 32767 - "
	    "32768 is 32766");
	media_mix(out2, rev, 3, -1, N);
	ok(memcmp(out, out2, sizeof out) == 0, "in any order of the sources");
	fill(x, N, -32768);
	fill(y, N, -32768);
	fill(z, N, -32768);
	media_mix(out, src, 3, 0, N);
	ok(all(out, N, -32768), "the most negative sources clip too");
	fill(out, N, 123);
	media_mix(out, src, 3, -1, 0);
	ok(all(out, N, 123), "n 0 writes nothing");
}

static void
test_fifo(void)
{
	struct media_mix_fifo	 f;
	int16_t			 in[2000], out[480], want;
	size_t			 steps[] = { 941, 1, 960, 1440, 480, 17, 963 };
	size_t			 i, k, got, total = 0, next = 0;
	int			 bad = 0;

	memset(&f, 0, sizeof f);
	media_mix_fifo_init(&f, 2000);
	is_int(media_mix_fifo_len(&f), 0, "a new FIFO is empty");
	is_int(media_mix_fifo_take(&f, out, 480), 0, "taking from it gives "
	    "nothing");
	ok(all(out, 480, 0), "and fills the frame with silence");

	/* Steps of odd lengths in, 480-sample frames out: a counter in,
	 * the same counter out, with no gap. */
	for (k = 0; k < 50; k++) {
		size_t	 n = steps[k % nitems(steps)];

		for (i = 0; i < n; i++)
			in[i] = (int16_t)(total + i);
		if (media_mix_fifo_put(&f, in, n, false) != 0)
			bad++;
		total += n;
		while (media_mix_fifo_len(&f) >= 480) {
			got = media_mix_fifo_take(&f, out, 480);
			if (got != 480)
				bad++;
			for (i = 0; i < 480; i++) {
				want = (int16_t)next++;
				if (out[i] != want)
					bad++;
			}
		}
	}
	is_int(bad, 0, "odd steps in, whole frames out: every sample once, "
	    "in order, across the wrap of the ring");
	is_int(media_mix_fifo_len(&f), total - next, "what is left is the "
	    "rest of the last step");

	/* Short: what is there, then silence. */
	media_mix_fifo_clear(&f);
	fill(in, 100, 9);
	media_mix_fifo_put(&f, in, 100, false);
	got = media_mix_fifo_take(&f, out, 480);
	is_int(got, 100, "a short FIFO gives what it has");
	ok(all(out, 100, 9) && all(out + 100, 380, 0), "then silence");

	/* Full: drop the newest, or the oldest. */
	media_mix_fifo_clear(&f);
	for (i = 0; i < 2000; i++)
		in[i] = (int16_t)i;
	media_mix_fifo_put(&f, in, 1500, false);
	is_int(media_mix_fifo_put(&f, in + 1500, 500, false), 0, "filled to "
	    "the brim: nothing dropped");
	fill(in, 300, -1);
	is_int(media_mix_fifo_put(&f, in, 300, false), 300, "one more step "
	    "into a full FIFO: dropped");
	media_mix_fifo_take(&f, out, 480);
	ok(out[0] == 0 && out[479] == 479, "dropping the newest keeps the "
	    "oldest");
	fill(in, 660, -2);
	is_int(media_mix_fifo_put(&f, in, 660, true), 180,
	    "drop_old: 180 of the oldest make room for 660 in 480");
	is_int(media_mix_fifo_len(&f), 2000, "full again");
	media_mix_fifo_take(&f, out, 480);
	ok(out[0] == 480 + 180 && out[479] == 480 + 180 + 479,
	    "the oldest went, the rest in order (%d)", out[0]);
	for (i = 0; i < 2000; i++)
		in[i] = (int16_t)i;
	media_mix_fifo_put(&f, in, 2000, true);
	media_mix_fifo_take(&f, out, 480);
	ok(out[0] == 0 && media_mix_fifo_len(&f) == 2000 - 480,
	    "a step as big as the FIFO replaces all of it");
	media_mix_fifo_clear(&f);
	media_mix_fifo_put(&f, in, 2000, false);
	is_int(media_mix_fifo_put(&f, in, 2000, true), 2000, "a whole FIFO "
	    "dropped for a new one");
	{
		int16_t	 big[2500];

		for (i = 0; i < 2500; i++)
			big[i] = (int16_t)i;
		media_mix_fifo_clear(&f);
		is_int(media_mix_fifo_put(&f, big, 2500, true), 500, "more than "
		    "it holds, drop_old: the first 500 go");
		media_mix_fifo_take(&f, out, 1);
		is_int(out[0], 500, "and the newest 2000 stay");
		media_mix_fifo_clear(&f);
		media_mix_fifo_put(&f, big, 2500, false);
		media_mix_fifo_take(&f, out, 1);
		ok(out[0] == 0 && media_mix_fifo_len(&f) == 1999, "else the "
		    "first 2000 stay");
	}
	media_mix_fifo_free(&f);
	ok(f.buf == NULL && f.cap == 0, "freed");
}

int
main(void)
{
	test_minus();
	test_clip();
	test_fifo();
	return done_testing();
}
