/*
 * jbuf-cost.c: benchmark tool: drives one jitter buffer the way the media
 * thread does (packets put at their arrival times, a get every 10 ms) so
 * that callgrind can count the instructions of media_jbuf_put per packet.
 *
 *   jbuf-cost [SECONDS [PTIME_MS [JITTER_MS]]]
 *
 * Defaults: 600 s of 20 ms packets at 48 kHz with a uniform 0-40 ms
 * network delay. Then, for example:
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *	./tests/tools/jbuf-cost
 *   callgrind_annotate --inclusive=yes cg.out | grep media_jbuf_put
 * and divide by the number of puts printed.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "media-jbuf.h"

struct arrival {
	uint64_t	 at;
	uint32_t	 i;
};

static uint64_t	 rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int
arrival_cmp(const void *a, const void *b)
{
	const struct arrival	*x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->i < y->i ? -1 : (x->i > y->i);
}

int
main(int argc, char **argv)
{
	struct media_jbuf	*jb;
	struct media_jbuf_frame	 f;
	struct media_jbuf_stats	 st;
	struct arrival		*a;
	uint8_t			 payload[80] = { 0 };
	unsigned int		 seconds = 600, ptime = 20, jitter = 40;
	uint32_t		 n, i, dur;
	uint64_t		 now, next = 0, gets = 0;

	if (argc > 1)
		seconds = (unsigned int)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		ptime = (unsigned int)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		jitter = (unsigned int)strtoul(argv[3], NULL, 10);
	if (seconds == 0 || ptime == 0 || ptime > 120) {
		fprintf(stderr, "usage: jbuf-cost [SECONDS [PTIME_MS "
		    "[JITTER_MS]]]\n");
		return 2;
	}
	if (media_jbuf_alloc(&jb, 48000) != 0)
		return 1;
	n = seconds * 1000 / ptime;
	dur = 48 * ptime;
	a = calloc(n, sizeof *a);
	if (a == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		a[i].at = (uint64_t)i * ptime * 1000 +
		    (jitter ? rnd() % (jitter * 1000 + 1) : 0);
		a[i].i = i;
	}
	qsort(a, n, sizeof *a, arrival_cmp);

	i = 0;
	for (now = 0; i < n; now += 1000) {
		while (i < n && a[i].at <= now) {
			media_jbuf_put(jb, (uint16_t)a[i].i, a[i].i * dur,
			    0x1234, a[i].i == 0, payload, sizeof payload, dur,
			    now);
			i++;
		}
		if (now >= next) {
			media_jbuf_get(jb, now, &f);
			gets++;
			next = now + 10000;
		}
	}
	media_jbuf_stats(jb, &st);
	printf("puts %llu gets %llu played %llu late %llu target %u ms\n",
	    (unsigned long long)st.put, (unsigned long long)gets,
	    (unsigned long long)st.played, (unsigned long long)st.late,
	    st.target_ms);
	media_jbuf_free(jb);
	free(a);
	return 0;
}
