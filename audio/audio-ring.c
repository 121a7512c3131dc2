/*
 * audio-ring.c: the single-producer single-consumer sample ring.
 *
 * The two positions are free-running counters (they wrap through SIZE_MAX,
 * and unsigned subtraction still gives the fill level) over a power-of-two
 * buffer, so "full" and "empty" need no spare slot. Each side owns one
 * counter: it reads its own with relaxed order, publishes it with release
 * after touching the samples, and reads the other side's with acquire
 * before touching them. The counters sit on separate cache lines so the
 * two threads do not bounce one line between cores on every call.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "audio-ring.h"
#include "util.h"

#define AUDIO_RING_LINE	64

struct audio_ring {
	_Atomic size_t	 head;		/* samples ever written (producer) */
	char		 pad0[AUDIO_RING_LINE - sizeof(size_t)];
	_Atomic size_t	 tail;		/* samples ever read (consumer) */
	char		 pad1[AUDIO_RING_LINE - sizeof(size_t)];
	size_t		 capacity;
	size_t		 mask;
	int16_t		*buf;
};

struct audio_ring *
audio_ring_new(size_t min_samples)
{
	struct audio_ring	*r;
	size_t			 cap = 1;

	if (min_samples > SIZE_MAX / 4 / sizeof(int16_t))
		min_samples = SIZE_MAX / 4 / sizeof(int16_t);
	while (cap < min_samples)
		cap <<= 1;
	r = xcalloc(1, sizeof *r);
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->capacity = cap;
	r->mask = cap - 1;
	r->buf = xcalloc(cap, sizeof *r->buf);
	return r;
}

void
audio_ring_free(struct audio_ring *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

size_t
audio_ring_capacity(const struct audio_ring *r)
{
	return r->capacity;
}

size_t
audio_ring_readable(struct audio_ring *r)
{
	size_t	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t	head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head - tail;
}

size_t
audio_ring_writable(struct audio_ring *r)
{
	size_t	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t	tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	return r->capacity - (head - tail);
}

size_t
audio_ring_read(struct audio_ring *r, int16_t *out, size_t n)
{
	size_t	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t	head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t	avail = head - tail, off, first;

	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	if (out != NULL) {
		off = tail & r->mask;
		first = r->capacity - off;
		if (first > n)
			first = n;
		memcpy(out, r->buf + off, first * sizeof *out);
		if (n > first)
			memcpy(out + first, r->buf, (n - first) * sizeof *out);
	}
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

size_t
audio_ring_write(struct audio_ring *r, const int16_t *in, size_t n)
{
	size_t	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t	room = r->capacity - (head - tail), off, first;

	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	off = head & r->mask;
	first = r->capacity - off;
	if (first > n)
		first = n;
	if (in != NULL) {
		memcpy(r->buf + off, in, first * sizeof *in);
		if (n > first)
			memcpy(r->buf, in + first, (n - first) * sizeof *in);
	} else {
		memset(r->buf + off, 0, first * sizeof *r->buf);
		if (n > first)
			memset(r->buf, 0, (n - first) * sizeof *r->buf);
	}
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}
