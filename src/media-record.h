/*
 * media-record.h: the call recorder. Both directions of a call go into one
 * stereo 16-bit PCM WAV: left is what we send (after echo cancellation and
 * mute), right is what we hear. The media thread hands samples over
 * without ever blocking; a writer thread of the recorder's own puts them
 * in the file.
 *
 * Which thread may call what:
 *	media_record_open, media_record_close: any one thread (the owner);
 *	media_record_left: one producer thread (capture side);
 *	media_record_right: one producer thread (playback side), which may be
 *	    the same as the left's;
 *	media_record_dropped: any thread.
 * The producers must have returned for good before media_record_close.
 */
#ifndef TSP_MEDIA_RECORD_H
#define TSP_MEDIA_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"
#include <time.h>

struct media_record;

/*
 * Create PATH (mode 0600, never overwriting an existing file; parent
 * directories are the caller's job) as a WAV at RATE Hz and start the
 * writer thread "tsp-record". NULL and *cause (caller frees; it names the
 * path and the system's reason) on failure.
 */
struct media_record *media_record_open(const char *path, unsigned int rate,
	    char **cause);

/*
 * Real-time safe (no lock, no allocation; at most one non-blocking
 * eventfd write): append N samples to one side, NULL for N samples of
 * silence. The two sides keep their own positions and are paired sample
 * by sample; when one side is more than ~100 ms ahead of the other, the
 * one behind is padded with silence so that the newest samples of both
 * line up again (a side that stops records as silence). A NULL recorder
 * does nothing.
 */
void	 media_record_left(struct media_record *, const int16_t *, size_t n);
void	 media_record_right(struct media_record *, const int16_t *, size_t n);

/*
 * Stop: the writer drains what is queued, writes the final sizes in the
 * header and the file is closed; the recorder is freed whatever happens.
 * 0 if every sample given reached the file; -1 and *cause (if CAUSE is
 * not NULL; caller frees) if any was dropped or a write failed.
 */
int	 media_record_close(struct media_record *, char **cause);

/* Samples dropped so far because the writer fell behind (a ring was
 * full), both sides together. */
uint64_t media_record_dropped(const struct media_record *);

/* media_record_path is in media.h: the call model names the files. */

/*
 * Create DIR and any missing parents with mode 0700 (existing ones are
 * left as they are). 0, or -1 and *cause (caller frees) naming the
 * directory that could not be made.
 */
int	 media_record_mkdirs(const char *dir, char **cause);

#endif
