/*
 * audio-ring.h: a lock-free ring of int16 samples for exactly one producer
 * thread and one consumer thread.
 *
 * This is the only channel between an audio device thread (which must never
 * block, allocate or lock) and the media thread. All memory is allocated by
 * audio_ring_new; reading, writing and the level queries never allocate,
 * lock or make system calls, so either side may be a real-time thread.
 *
 * Which side may call what:
 *	producer: audio_ring_writable, audio_ring_write
 *	consumer: audio_ring_readable, audio_ring_read
 *	either:   audio_ring_capacity
 * Calling a producer function from two threads at once (or a consumer
 * function from two threads at once) is a bug.
 */
#ifndef TSP_AUDIO_RING_H
#define TSP_AUDIO_RING_H

#include <stddef.h>
#include <stdint.h>

struct audio_ring;

/* A ring holding at least min_samples (rounded up to a power of two). */
struct audio_ring	*audio_ring_new(size_t min_samples);
void			 audio_ring_free(struct audio_ring *);
size_t			 audio_ring_capacity(const struct audio_ring *);

/* Samples the consumer may read now. */
size_t	audio_ring_readable(struct audio_ring *);
/* Copy out up to n samples (fewer if fewer are readable); returns how many.
 * A NULL buffer discards them instead. */
size_t	audio_ring_read(struct audio_ring *, int16_t *, size_t n);

/* Room the producer may fill now. */
size_t	audio_ring_writable(struct audio_ring *);
/* Copy in up to n samples (fewer if the ring fills); returns how many.
 * A NULL buffer writes silence. */
size_t	audio_ring_write(struct audio_ring *, const int16_t *, size_t n);

#endif
