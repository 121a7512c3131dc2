/*
 * media-record.c: the call recorder: two sample rings filled by the media
 * thread, a writer thread that pairs them into a stereo WAV, and the
 * file's name and directory.
 *
 * Each side has its own single-producer single-consumer ring (about 2 s),
 * so the capture and the playback paths never touch the same state and
 * never wait: a full ring drops the new samples and counts them. The
 * writer wakes every 250 ms, or sooner when a producer finds its ring half
 * full (one eventfd write, then a flag keeps the producers quiet until the
 * writer has drained), and writes with plain write(2). After every pass it
 * rewrites the 44-byte header with pwrite, so a tsphone that is killed
 * leaves a valid WAV at most one pass short.
 *
 * Pairing. A ring's sample k is that side's k-th sample; the writer pairs
 * the sides sample by sample, waiting for the slower one. Both are paced
 * by the sound card, so they stay within a period or two of each other.
 * When one side leads by more than 100 ms (it stopped, or fell behind),
 * the other is taken to have stopped: it gets silence up to the point
 * where the newest samples of both line up, since both producers write in
 * real time and what each queued last is "now". The lead is read as
 * left, right, left again and measured against the older reading of the
 * leading side, so a producer writing between the reads never makes the
 * writer pad; only a lead that really existed at one instant does. At
 * close whatever is left is written and the shorter side padded at its
 * end. Samples a full ring drops are gone without a trace, so if one side
 * dropped more than the other they are off by the difference until it
 * exceeds the 100 ms and the rule above lines them up again; a writer that
 * stalls for long fills both rings alike, so the difference stays small.
 *
 * The header is the file driver's (audio_wav_header: RIFF, a 16-byte PCM
 * fmt chunk, data): 44 bytes are less code than loading libsndfile on a
 * thread, and the sizes must be rewritten in place anyway. Samples are written as little-endian bytes
 * whatever the host's order. A write that fails (ENOSPC, EIO, EFBIG)
 * stops the writing for good; the writer keeps emptying the rings, counts
 * what it throws away and media_record_close reports it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio-ring.h"
#include "audio-wav.h"
#include "media-record.h"
#include "util.h"

/* What each ring holds: time enough for a stalled disk to come back. */
#define MEDIA_RECORD_RING_MS	2000
/* How often the writer wakes on its own. */
#define MEDIA_RECORD_PERIOD_MS	250
/* How far one side may lead before the other counts as stopped: more than
 * a device period or a burst of the playback path, less than anyone hears
 * as an echo of the call. */
#define MEDIA_RECORD_SLACK_MS	100
/* Frames interleaved and written at a time. */
#define MEDIA_RECORD_CHUNK	2048
/* The largest data chunk a RIFF size field allows, in whole frames. */
#define MEDIA_RECORD_MAX_BYTES	((UINT32_MAX - 36) & ~(uint32_t)3)
#define MEDIA_RECORD_MAX_RATE	384000
#define MEDIA_RECORD_REMOTE_MAX	64

enum {
	MEDIA_RECORD_L,
	MEDIA_RECORD_R
};

struct media_record_side {
	struct audio_ring	*ring;
	/* Written by this side's producer only. */
	_Atomic uint64_t	 dropped;
};

struct media_record {
	char			*path;
	unsigned int		 rate;
	int			 fd;
	int			 wake_fd;	/* eventfd */
	size_t			 half;		/* wakes the writer */
	size_t			 slack;		/* 100 ms in frames */
	struct media_record_side side[2];
	atomic_bool		 kicked;	/* wake_fd written */
	atomic_bool		 stop;
	pthread_t		 writer;

	/* The writer thread's; read by close after the join. */
	int16_t			*col[2];	/* MEDIA_RECORD_CHUNK each */
	uint8_t			*out;		/* MEDIA_RECORD_CHUNK frames */
	uint64_t		 bytes;		/* data bytes in the file */
	uint64_t		 header_bytes;	/* what the header says */
	uint64_t		 lost;		/* frames not written */
	int			 error;		/* errno of the first failure */
	bool			 full;		/* at MEDIA_RECORD_MAX_BYTES */
};

/* --- the producers (real-time) ----------------------------------------- */

static void
media_record_put(struct media_record *r, int which, const int16_t *buf,
    size_t n)
{
	struct media_record_side	*s;
	size_t				 room, put;
	uint64_t			 one = 1, d;

	if (r == NULL || n == 0)
		return;
	s = &r->side[which];
	room = audio_ring_writable(s->ring);
	put = audio_ring_write(s->ring, buf, n);
	if (put < n) {
		/* Only this producer writes the counter: no RMW needed. */
		d = atomic_load_explicit(&s->dropped, memory_order_relaxed);
		atomic_store_explicit(&s->dropped, d + (n - put),
		    memory_order_relaxed);
	}
	if (audio_ring_capacity(s->ring) - (room - put) < r->half)
		return;
	if (atomic_load_explicit(&r->kicked, memory_order_relaxed) ||
	    atomic_exchange_explicit(&r->kicked, true, memory_order_relaxed))
		return;
	if (write(r->wake_fd, &one, sizeof one) < 0) {
		/* Saturated: the writer is awake anyway. */
	}
}

void
media_record_left(struct media_record *r, const int16_t *buf, size_t n)
{
	media_record_put(r, MEDIA_RECORD_L, buf, n);
}

void
media_record_right(struct media_record *r, const int16_t *buf, size_t n)
{
	media_record_put(r, MEDIA_RECORD_R, buf, n);
}

uint64_t
media_record_dropped(const struct media_record *r)
{
	if (r == NULL)
		return 0;
	return atomic_load_explicit(&r->side[MEDIA_RECORD_L].dropped,
	    memory_order_relaxed) +
	    atomic_load_explicit(&r->side[MEDIA_RECORD_R].dropped,
	    memory_order_relaxed);
}

/* --- the writer thread ------------------------------------------------- */

/* Put the K frames in col[] into the file, or count them lost. */
static void
media_record_write_frames(struct media_record *r, size_t k)
{
	size_t		 i, room, done;
	int		 error;

	if (r->error != 0 || r->full) {
		r->lost += k;
		return;
	}
	room = (MEDIA_RECORD_MAX_BYTES - r->bytes) / 4;
	if (k > room) {
		r->full = true;
		r->lost += k - room;
		k = room;
	}
	for (i = 0; i < k; i++) {
		audio_wav_put16(r->out + 4 * i,
		    (uint16_t)r->col[MEDIA_RECORD_L][i]);
		audio_wav_put16(r->out + 4 * i + 2,
		    (uint16_t)r->col[MEDIA_RECORD_R][i]);
	}
	error = audio_wav_write_all(r->fd, r->out, 4 * k, &done);
	r->bytes += done;
	if (error != 0) {
		r->error = error;
		r->lost += k - done / 4;
	}
}

/*
 * FRAMES frames: column c is PAD[c] frames of silence, then TAKE[c]
 * samples from its ring, then silence to the end.
 */
static void
media_record_emit(struct media_record *r, size_t frames, const size_t *pad,
    const size_t *take)
{
	size_t	 zero[2], left[2], k, n, i;
	int	 c;

	for (c = 0; c < 2; c++) {
		zero[c] = pad[c];
		left[c] = take[c];
	}
	while (frames > 0) {
		k = frames < MEDIA_RECORD_CHUNK ? frames : MEDIA_RECORD_CHUNK;
		for (c = 0; c < 2; c++) {
			i = zero[c] < k ? zero[c] : k;
			memset(r->col[c], 0, i * sizeof *r->col[c]);
			zero[c] -= i;
			n = left[c] < k - i ? left[c] : k - i;
			n = audio_ring_read(r->side[c].ring, r->col[c] + i, n);
			left[c] -= n;
			i += n;
			memset(r->col[c] + i, 0, (k - i) * sizeof *r->col[c]);
		}
		media_record_write_frames(r, k);
		frames -= k;
	}
}

/* Write what can be paired now; at the end (LAST), everything. */
static void
media_record_pass(struct media_record *r, bool last)
{
	struct audio_ring	*lr = r->side[MEDIA_RECORD_L].ring;
	struct audio_ring	*rr = r->side[MEDIA_RECORD_R].ring;
	size_t			 a, b, a2, pad[2] = { 0, 0 }, take[2];

	a = audio_ring_readable(lr);
	b = audio_ring_readable(rr);
	a2 = audio_ring_readable(lr);
	if (a > b + r->slack) {
		pad[MEDIA_RECORD_R] = a - b;
		take[MEDIA_RECORD_L] = a;
		take[MEDIA_RECORD_R] = b;
		media_record_emit(r, a, pad, take);
	} else if (b > a2 + r->slack) {
		pad[MEDIA_RECORD_L] = b - a2;
		take[MEDIA_RECORD_L] = a2;
		take[MEDIA_RECORD_R] = b;
		media_record_emit(r, b, pad, take);
	} else {
		take[MEDIA_RECORD_L] = take[MEDIA_RECORD_R] = a2 < b ? a2 : b;
		media_record_emit(r, take[0], pad, take);
	}
	if (last) {
		/* Within the slack: the shorter side ended early. */
		take[MEDIA_RECORD_L] = a = audio_ring_readable(lr);
		take[MEDIA_RECORD_R] = b = audio_ring_readable(rr);
		pad[0] = pad[1] = 0;
		media_record_emit(r, a > b ? a : b, pad, take);
	}
}

static void
media_record_update_header(struct media_record *r)
{
	uint8_t	 h[AUDIO_WAV_HEADER];
	uint64_t data = r->bytes & ~(uint64_t)3;
	ssize_t	 n;

	if (data == r->header_bytes)
		return;
	audio_wav_header(h, r->rate, 2, (uint32_t)data);
	do
		n = pwrite(r->fd, h, sizeof h, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof h) {
		if (r->error == 0)
			r->error = n == -1 ? errno : EIO;
		return;
	}
	r->header_bytes = data;
}

static void *
media_record_main(void *arg)
{
	struct media_record	*r = arg;
	struct pollfd		 pfd;
	uint64_t		 v;
	bool			 last;

	pfd.fd = r->wake_fd;
	pfd.events = POLLIN;
	for (;;) {
		/* Acquire: the producers' last samples are visible after. */
		last = atomic_load_explicit(&r->stop, memory_order_acquire);
		media_record_pass(r, last);
		media_record_update_header(r);
		atomic_store_explicit(&r->kicked, false, memory_order_relaxed);
		if (last)
			break;
		if (poll(&pfd, 1, MEDIA_RECORD_PERIOD_MS) > 0 &&
		    read(r->wake_fd, &v, sizeof v) < 0) {
			/* Nothing to read: woken for nothing. */
		}
	}
	return NULL;
}

/* --- open and close ---------------------------------------------------- */

static void
media_record_free(struct media_record *r)
{
	int	 c;

	for (c = 0; c < 2; c++) {
		audio_ring_free(r->side[c].ring);
		free(r->col[c]);
	}
	free(r->out);
	free(r->path);
	free(r);
}

struct media_record *
media_record_open(const char *path, unsigned int rate, char **cause)
{
	struct media_record	*r;
	uint8_t			 h[AUDIO_WAV_HEADER];
	size_t			 done;
	sigset_t		 all, old;
	int			 error, c;

	if (rate == 0 || rate > MEDIA_RECORD_MAX_RATE) {
		xasprintf(cause, "cannot record to %s: bad sample rate %u",
		    path, rate);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->rate = rate;
	r->fd = r->wake_fd = -1;
	r->slack = (size_t)rate * MEDIA_RECORD_SLACK_MS / 1000;
	for (c = 0; c < 2; c++) {
		r->side[c].ring = audio_ring_new((size_t)rate *
		    MEDIA_RECORD_RING_MS / 1000);
		/* Touch every page now, not on the media thread's first
		 * laps (a large calloc is mapped lazily). */
		audio_ring_write(r->side[c].ring, NULL, SIZE_MAX);
		audio_ring_read(r->side[c].ring, NULL, SIZE_MAX);
		atomic_init(&r->side[c].dropped, 0);
		r->col[c] = xcalloc(MEDIA_RECORD_CHUNK, sizeof *r->col[c]);
	}
	r->half = audio_ring_capacity(r->side[0].ring) / 2;
	r->out = xcalloc(MEDIA_RECORD_CHUNK, 4);
	atomic_init(&r->kicked, false);
	atomic_init(&r->stop, false);

	r->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (r->fd == -1) {
		xasprintf(cause, "cannot create recording %s: %s", path,
		    strerror(errno));
		media_record_free(r);
		return NULL;
	}
	audio_wav_header(h, rate, 2, 0);
	error = audio_wav_write_all(r->fd, h, sizeof h, &done);
	if (error != 0) {
		xasprintf(cause, "cannot write recording %s: %s", path,
		    strerror(error));
		goto fail;
	}
	r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->wake_fd == -1) {
		xasprintf(cause, "cannot record to %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	/* Signals are the loop thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&r->writer, NULL, media_record_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		xasprintf(cause, "cannot record to %s: cannot start the "
		    "writer thread: %s", path, strerror(error));
		goto fail;
	}
#ifdef __linux__
	/* Named here, not by the thread, so it has its name from the start. */
	pthread_setname_np(r->writer, "tsp-record");
#endif
	return r;

fail:
	/* The file is ours (O_EXCL) and holds nothing yet. */
	close(r->fd);
	unlink(path);
	if (r->wake_fd != -1)
		close(r->wake_fd);
	media_record_free(r);
	return NULL;
}

int
media_record_close(struct media_record *r, char **cause)
{
	uint64_t	 dropped, one = 1;
	char		*msg = NULL, *s;
	int		 error;

	if (r == NULL)
		return 0;
	/* Release: the producers' last samples go with the flag. */
	atomic_store_explicit(&r->stop, true, memory_order_release);
	if (write(r->wake_fd, &one, sizeof one) < 0) {
		/* Saturated: the writer is awake anyway. */
	}
	pthread_join(r->writer, NULL);
	close(r->wake_fd);
	error = r->error;
	if (close(r->fd) != 0 && error == 0)
		error = errno;
	dropped = media_record_dropped(r);

	if (error != 0)
		xasprintf(&msg, "write failed (%s), %.2f s not written",
		    strerror(error), (double)r->lost / r->rate);
	else if (r->full)
		xasprintf(&msg, "the WAV size limit was reached, %.2f s not "
		    "written", (double)r->lost / r->rate);
	if (dropped != 0) {
		s = msg;
		xasprintf(&msg, "%s%s%llu samples dropped (the disk was too "
		    "slow)", s != NULL ? s : "", s != NULL ? "; " : "",
		    (unsigned long long)dropped);
		free(s);
	}
	if (msg != NULL && cause != NULL)
		xasprintf(cause, "recording %s: %s", r->path, msg);
	free(msg);
	error = (error != 0 || r->full || dropped != 0) ? -1 : 0;
	media_record_free(r);
	return error;
}

/* --- the file's name and directory ------------------------------------- */

char *
media_record_path(const char *data_dir, int call_id, const char *remote,
    time_t now)
{
	char		 name[MEDIA_RECORD_REMOTE_MAX + 1], when[32], *path;
	const char	*sep = "/";
	struct tm	 tm;
	size_t		 i, len;
	char		 ch;

	if (remote == NULL || *remote == '\0')
		remote = "unknown";
	for (i = 0; i < MEDIA_RECORD_REMOTE_MAX && remote[i] != '\0'; i++) {
		ch = remote[i];
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("@._+-", ch) != NULL)
			name[i] = ch;
		else
			name[i] = '_';
	}
	name[i] = '\0';
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm) == 0)
		util_strlcpy(when, "00000000-000000", sizeof when);
	len = strlen(data_dir);
	if (len > 0 && data_dir[len - 1] == '/')
		sep = "";
	xasprintf(&path, "%s%srecordings/%s-%d-%s.wav", data_dir, sep, when,
	    call_id, name);
	return path;
}

/* Make one directory if it is missing; a non-directory in the way fails. */
static int
media_record_mkdir(const char *dir, char **cause)
{
	struct stat	 sb;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST) {
		if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
			return 0;
		xasprintf(cause, "cannot create directory %s: %s", dir,
		    strerror(ENOTDIR));
		return -1;
	}
	xasprintf(cause, "cannot create directory %s: %s", dir,
	    strerror(errno));
	return -1;
}

int
media_record_mkdirs(const char *dir, char **cause)
{
	char	*copy, *p;
	int	 rv = -1;

	if (*dir == '\0') {
		xasprintf(cause, "cannot create directory: empty name");
		return -1;
	}
	copy = xstrdup(dir);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (media_record_mkdir(copy, cause) != 0)
			goto out;
		*p = '/';
	}
	rv = media_record_mkdir(copy, cause);
out:
	free(copy);
	return rv;
}
