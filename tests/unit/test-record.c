/*
 * test-record.c: the call recorder. Known ramps and tones go in on both
 * sides in uneven chunks from one thread; the WAV is read back (header
 * parsed here, and opened with libsndfile as a second opinion) and checked
 * sample by sample: contents, alignment, sizes, mode, padding of a side
 * that stops, drops, a failing write (RLIMIT_FSIZE), open errors, and a
 * process killed mid-way. Also the file name and directory helpers.
 *
 * Where a check depends on the writer having run, the test polls the
 * file (its size or its header) with a deadline instead of sleeping.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "media-record.h"
#include "tap.h"
#include "util.h"

#define RATE		8000
#define DEADLINE_S	10

static char	tmpdir[] = "/tmp/test-record.XXXXXX";

/* --- helpers ----------------------------------------------------------- */

static int16_t
ramp_l(size_t i)
{
	return (int16_t)(uint16_t)(i * 3 + 1);
}

static int16_t
tone_r(size_t i)
{
	return (int16_t)lrint(12000 * sin(2 * M_PI * 440 * (double)i / RATE));
}

static char *
tmp_path(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return p;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
nap(void)
{
	struct timespec	ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static uint32_t
le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

/* The data size the file's header claims, or -1. */
static long
header_data(const char *path)
{
	uint8_t	 h[44];
	int	 fd = open(path, O_RDONLY);
	ssize_t	 n;

	if (fd == -1)
		return -1;
	n = pread(fd, h, sizeof h, 0);
	close(fd);
	return n == (ssize_t)sizeof h ? (long)le32(h + 40) : -1;
}

static long
file_size(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Poll until the file holds at least BYTES of data; false at the deadline. */
static bool
wait_data(const char *path, long bytes)
{
	double	 end = now_s() + DEADLINE_S;

	while (file_size(path) < 44 + bytes) {
		if (now_s() > end)
			return false;
		nap();
	}
	return true;
}

struct wav {
	bool		 ok;		/* the header is what we write */
	const char	*why;
	uint32_t	 riff, data;
	unsigned int	 rate;
	size_t		 frames;	/* by the header */
	size_t		 file_frames;	/* by the file size */
	int16_t		*l, *r;		/* file_frames each */
};

static void
wav_read(const char *path, struct wav *w)
{
	uint8_t	*buf;
	long	 size = file_size(path);
	size_t	 i;
	FILE	*f;

	memset(w, 0, sizeof *w);
	w->why = "cannot read";
	if (size < 44 || (f = fopen(path, "rb")) == NULL)
		return;
	buf = xmalloc(size);
	if (fread(buf, 1, size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	w->riff = le32(buf + 4);
	w->data = le32(buf + 40);
	w->rate = le32(buf + 24);
	w->frames = w->data / 4;
	w->file_frames = (size - 44) / 4;
	w->l = xcalloc(w->file_frames, sizeof *w->l);
	w->r = xcalloc(w->file_frames, sizeof *w->r);
	for (i = 0; i < w->file_frames; i++) {
		w->l[i] = (int16_t)le16(buf + 44 + 4 * i);
		w->r[i] = (int16_t)le16(buf + 44 + 4 * i + 2);
	}
	if (memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVEfmt ", 8) != 0)
		w->why = "no RIFF/WAVE/fmt";
	else if (le32(buf + 16) != 16 || le16(buf + 20) != 1)
		w->why = "not a 16-byte PCM fmt chunk";
	else if (le16(buf + 22) != 2 || le16(buf + 32) != 4 ||
	    le16(buf + 34) != 16)
		w->why = "not stereo 16-bit";
	else if (le32(buf + 28) != w->rate * 4)
		w->why = "wrong byte rate";
	else if (memcmp(buf + 36, "data", 4) != 0)
		w->why = "no data chunk";
	else if (w->riff != 36 + w->data)
		w->why = "RIFF size does not match the data size";
	else if (w->data % 4 != 0 || w->frames > w->file_frames)
		w->why = "data size beyond the file or not whole frames";
	else {
		w->ok = true;
		w->why = "ok";
	}
	free(buf);
}

static void
wav_free(struct wav *w)
{
	free(w->l);
	free(w->r);
}

/* libsndfile's view: stereo at RATE with FRAMES frames. */
static bool
sndfile_agrees(const char *path, size_t frames)
{
	SF_INFO	 info;
	SNDFILE	*sf;
	bool	 ok;

	memset(&info, 0, sizeof info);
	if ((sf = sf_open(path, SFM_READ, &info)) == NULL)
		return false;
	ok = info.channels == 2 && info.samplerate == RATE &&
	    info.frames == (sf_count_t)frames &&
	    (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16;
	sf_close(sf);
	return ok;
}

/* First frame in [from, to) where the columns differ from the expected
 * ones, or TO. */
static size_t
first_bad(const struct wav *w, const int16_t *el, const int16_t *er,
    size_t from, size_t to)
{
	size_t	 i;

	for (i = from; i < to; i++) {
		if (w->l[i] != el[i] || w->r[i] != er[i]) {
			printf("# frame %zu: got %d/%d, want %d/%d\n", i,
			    w->l[i], w->r[i], el[i], er[i]);
			return i;
		}
	}
	return to;
}

static bool
has_thread(const char *name)
{
	DIR		*d = opendir("/proc/self/task");
	struct dirent	*e;
	char		 p[300], comm[64];
	FILE		*f;
	bool		 found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "/proc/self/task/%s/comm", e->d_name);
		if ((f = fopen(p, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof comm, f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			found = strcmp(comm, name) == 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* --- the recording ----------------------------------------------------- */

/*
 * Both sides in chunks of uneven sizes, never more than one chunk apart
 * (well within the 100 ms slack), the left one with a stretch of NULL
 * (silence) chunks.
 */
static void
test_basic(void)
{
	static const size_t	 lsz[] = { 1, 7, 160, 13, 480, 3, 240, 77 };
	static const size_t	 rsz[] = { 320, 5, 11, 160, 2, 400, 31 };
	const size_t		 n = 12000;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	int16_t			*src = xcalloc(n, sizeof *src);
	char			*path = tmp_path("basic.wav"), *cause = NULL;
	struct media_record	*r;
	struct stat		 sb;
	struct wav		 w;
	size_t			 pl = 0, pr = 0, li = 0, ri = 0, k, i;
	bool			 null_used = false;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = tone_r(i);
	}
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open %s", cause != NULL ? cause : "");
	if (r == NULL) {
		free(cause);
		goto out;
	}
	ok(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600,
	    "the file is created with mode 0600 (%o)", sb.st_mode & 07777);
	ok(access("/proc/self/task", R_OK) != 0 || has_thread("tsp-record"),
	    "the writer thread is named tsp-record");
	while (pl < n || pr < n) {
		if (pl < n && (pl <= pr || pr == n)) {
			k = lsz[li++ % nitems(lsz)];
			if (k > n - pl)
				k = n - pl;
			if (pl >= 3000 && pl < 3500) {
				/* Silence: the expected column is zeroed. */
				memset(el + pl, 0, k * sizeof *el);
				media_record_left(r, NULL, k);
				null_used = true;
			} else {
				memcpy(src, el + pl, k * sizeof *src);
				media_record_left(r, src, k);
			}
			pl += k;
		} else {
			k = rsz[ri++ % nitems(rsz)];
			if (k > n - pr)
				k = n - pr;
			memcpy(src, er + pr, k * sizeof *src);
			media_record_right(r, src, k);
			pr += k;
		}
		/* The recorder copied them: scribbling must not show. */
		memset(src, 0x55, n * sizeof *src);
	}
	ok(null_used, "a NULL left chunk was given");
	media_record_left(NULL, src, 10);	/* no recorder: nothing */
	is_int(media_record_dropped(r), 0, "nothing dropped");
	is_int(media_record_close(r, &cause), 0, "close %s",
	    cause != NULL ? cause : "");
	ok(cause == NULL, "no cause on success");
	free(cause);

	wav_read(path, &w);
	ok(w.ok, "the header is a stereo 16-bit PCM WAV: %s", w.why);
	is_int(w.rate, RATE, "sample rate in the header");
	is_int(w.frames, n, "the data size counts every frame");
	is_int(w.riff, 36 + 4 * n, "the RIFF size");
	is_int(file_size(path), 44 + 4 * n, "no bytes beyond the data");
	is_int(first_bad(&w, el, er, 0, w.frames < n ? w.frames : n),
	    w.frames < n ? w.frames : n,
	    "both channels hold what was given, sample-aligned");
	ok(sndfile_agrees(path, n), "libsndfile reads it alike");
	wav_free(&w);
out:
	free(el);
	free(er);
	free(src);
	unlink(path);
	free(path);
}

/* The right side ends 300 frames (under the slack) before the left one:
 * its end is padded, nothing moves. */
static void
test_end_pad(void)
{
	const size_t		 n = 4000, m = 3700;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	char			*path = tmp_path("endpad.wav"), *cause = NULL;
	struct media_record	*r;
	struct wav		 w;
	size_t			 i;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = i < m ? tone_r(i) : 0;
	}
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open for the end padding");
	if (r == NULL) {
		free(cause);
		goto out;
	}
	for (i = 0; i < n; i += 100) {
		media_record_left(r, el + i, 100);
		if (i < m)
			media_record_right(r, er + i, 100);
	}
	is_int(media_record_close(r, NULL), 0, "close");
	wav_read(path, &w);
	ok(w.ok, "valid WAV: %s", w.why);
	is_int(w.frames, n, "the longer side sets the length");
	is_int(first_bad(&w, el, er, 0, w.frames < n ? w.frames : n),
	    w.frames < n ? w.frames : n,
	    "the shorter side is padded at its end, not shifted");
	wav_free(&w);
out:
	free(el);
	free(er);
	unlink(path);
	free(path);
}

/*
 * The right side stops after 0.4 s while the left goes on to 1 s: the
 * right column is silence from there on. Then (a second file) the right
 * side comes back after a pause: it is padded so that its new samples
 * line up with the left's newest.
 */
static void
test_stopped_side(void)
{
	const size_t		 n = 8000, stop = 3200;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	char			*path = tmp_path("stop.wav"), *cause = NULL;
	struct media_record	*r;
	struct wav		 w;
	size_t			 i, back = 5600;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = i < stop ? tone_r(i) : 0;
	}
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open for a side that stops");
	if (r == NULL) {
		free(cause);
		goto out;
	}
	for (i = 0; i < stop; i += 160) {
		media_record_left(r, el + i, 160);
		media_record_right(r, er + i, 160);
	}
	/* Let the writer take both sides before the right one falls silent
	 * (in a call that takes the real time the test skips). */
	ok(wait_data(path, 4 * stop), "the writer wrote the paired part");
	for (i = stop; i < n; i += 160)
		media_record_left(r, el + i, 160);
	ok(wait_data(path, 4 * n), "the writer goes on without the right side");
	is_int(media_record_close(r, NULL), 0, "close");
	wav_read(path, &w);
	ok(w.ok, "valid WAV: %s", w.why);
	is_int(w.frames, n, "the left side's length");
	is_int(first_bad(&w, el, er, 0, w.frames < n ? w.frames : n),
	    w.frames < n ? w.frames : n,
	    "the right column is silence after it stopped");
	wav_free(&w);
	unlink(path);

	/* Right: 0.2 s, nothing for 0.5 s, then again from 0.7 s. */
	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = i < 1600 || i >= back ? tone_r(i) : 0;
	}
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open for a side that pauses");
	if (r == NULL) {
		free(cause);
		goto out;
	}
	for (i = 0; i < 1600; i += 160) {
		media_record_left(r, el + i, 160);
		media_record_right(r, er + i, 160);
	}
	ok(wait_data(path, 4 * 1600), "the paired start is written");
	for (; i < back; i += 160)
		media_record_left(r, el + i, 160);
	ok(wait_data(path, 4 * back), "the left side goes on alone");
	for (; i < n; i += 160) {
		media_record_left(r, el + i, 160);
		media_record_right(r, er + i, 160);
	}
	is_int(media_record_close(r, NULL), 0, "close");
	wav_read(path, &w);
	ok(w.ok, "valid WAV: %s", w.why);
	is_int(w.frames, n, "length");
	is_int(first_bad(&w, el, er, 0, w.frames < n ? w.frames : n),
	    w.frames < n ? w.frames : n,
	    "the side that came back is aligned with the other again");
	wav_free(&w);
out:
	free(el);
	free(er);
	unlink(path);
	free(path);
}

/*
 * One side pauses for 0.5 s and comes back before the writer has
 * caught up: its new samples are padded in front so they line up with the
 * other side's newest. Where the writer happens to run, the test does not
 * control: if it reads the rings in the middle of a chunk pair the
 * alignment may be off by that one chunk, and never more.
 */
static void
test_resumed_side(bool swap)
{
	void			(*go)(struct media_record *, const int16_t *,
				    size_t) = swap ? media_record_right :
				    media_record_left;
	void			(*pause)(struct media_record *,
				    const int16_t *, size_t) = swap ?
				    media_record_left : media_record_right;
	const int16_t		*gc, *pc;
	const size_t		 start = 1600, alone = 4000, again = 1600;
	const size_t		 n = start + alone + again, chunk = 160;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	int16_t			*s = xcalloc(again, sizeof *s);
	char			*path = tmp_path("resume.wav"), *cause = NULL;
	struct media_record	*r;
	struct wav		 w;
	size_t			 i, o, bad;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = tone_r(i);
	}
	for (i = 0; i < again; i++)
		s[i] = (int16_t)(20000 + 5 * i);	/* never 0 */
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open for the %s side coming back",
	    swap ? "left" : "right");
	if (r == NULL) {
		free(cause);
		goto out;
	}
	for (i = 0; i < start; i += chunk) {
		go(r, el + i, chunk);
		pause(r, er + i, chunk);
	}
	ok(wait_data(path, 4 * start), "the paired start is written");
	for (; i < start + alone; i += chunk)
		go(r, el + i, chunk);
	for (; i < n; i += chunk) {
		go(r, el + i, chunk);
		pause(r, s + (i - start - alone), chunk);
	}
	is_int(media_record_close(r, NULL), 0, "close");
	wav_read(path, &w);
	ok(w.ok, "valid WAV: %s", w.why);
	/* The side that went on, and the one that paused. */
	gc = swap ? w.r : w.l;
	pc = swap ? w.l : w.r;
	for (o = start; o < w.file_frames && pc[o] == 0; o++)
		;
	printf("# the paused side came back at frame %zu of %zu expected\n",
	    o, start + alone);
	ok(o + chunk >= start + alone && o <= start + alone + chunk,
	    "its new samples line up with the other's newest (%zu)", o);
	ok(w.frames >= n && w.frames <= n + chunk, "length %zu", w.frames);
	for (bad = 0, i = 0; i < w.frames; i++) {
		if (gc[i] != (i < n ? el[i] : 0) || (i < start &&
		    pc[i] != er[i]) || (i >= o && i < o + again &&
		    pc[i] != s[i - o]) || (i >= o + again && pc[i] != 0))
			bad++;
	}
	is_int(bad, 0, "one side whole, the other: start, silence, then all "
	    "of its new samples in a row");
	wav_free(&w);
out:
	free(el);
	free(er);
	free(s);
	unlink(path);
	free(path);
}

/*
 * Each side from a thread of its own, 10 s of audio: the rings wrap
 * several times and the writer is woken by half-full rings as well as by
 * its timer. The producers stand in for a sound card's pacing: neither
 * runs more than 50 ms ahead of the other, nor more than 1.5 s ahead of
 * the file (a sound card is slower than a disk; here it must not outrun
 * the ring). The file must be exact.
 */
struct producer {
	struct media_record	*r;
	const char		*path;
	const int16_t		*data;
	size_t			 n;
	_Atomic size_t		 pos;
	struct producer		*other;
	bool			 left;
	bool			 stuck;
};

static void *
producer_main(void *arg)
{
	struct producer	*p = arg;
	const size_t	 chunk = 160, ahead = 400, ring = 3 * RATE / 2;
	size_t		 pos = 0, k;
	double		 end = now_s() + 4 * DEADLINE_S;

	while (pos < p->n) {
		while (pos > atomic_load(&p->other->pos) + ahead ||
		    pos > (size_t)(file_size(p->path) - 44) / 4 + ring) {
			if (now_s() > end) {
				p->stuck = true;
				return NULL;
			}
			sched_yield();
		}
		k = p->n - pos < chunk ? p->n - pos : chunk;
		if (p->left)
			media_record_left(p->r, p->data + pos, k);
		else
			media_record_right(p->r, p->data + pos, k);
		pos += k;
		atomic_store(&p->pos, pos);
	}
	/* Done: let the other side run ahead. */
	atomic_store(&p->pos, SIZE_MAX / 2);
	return NULL;
}

static void
test_threads(void)
{
	const size_t		 n = 10 * RATE;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	char			*path = tmp_path("threads.wav"), *cause = NULL;
	struct producer		 pl, pr;
	pthread_t		 tl, tr;
	struct wav		 w;
	size_t			 i;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = tone_r(i);
	}
	memset(&pl, 0, sizeof pl);
	memset(&pr, 0, sizeof pr);
	pl.r = pr.r = media_record_open(path, RATE, &cause);
	ok(pl.r != NULL, "open for two producer threads");
	if (pl.r == NULL) {
		free(cause);
		goto out;
	}
	pl.path = pr.path = path;
	pl.n = pr.n = n;
	pl.data = el;
	pr.data = er;
	pl.left = true;
	pl.other = &pr;
	pr.other = &pl;
	atomic_init(&pl.pos, 0);
	atomic_init(&pr.pos, 0);
	pthread_create(&tl, NULL, producer_main, &pl);
	pthread_create(&tr, NULL, producer_main, &pr);
	pthread_join(tl, NULL);
	pthread_join(tr, NULL);
	ok(!pl.stuck && !pr.stuck, "the producers finished");
	is_int(media_record_dropped(pl.r), 0, "nothing dropped");
	is_int(media_record_close(pl.r, NULL), 0, "close");
	wav_read(path, &w);
	ok(w.ok, "valid WAV: %s", w.why);
	is_int(w.frames, n, "10 s");
	is_int(first_bad(&w, el, er, 0, w.frames < n ? w.frames : n),
	    w.frames < n ? w.frames : n, "exact and aligned");
	wav_free(&w);
out:
	free(el);
	free(er);
	unlink(path);
	free(path);
}

/* More than a ring's worth in one go, before the writer could run: the
 * excess is dropped and counted, and close says so. */
static void
test_dropped(void)
{
	const size_t		 n = 3 * RATE;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	char			*path = tmp_path("drop.wav"), *cause = NULL;
	struct media_record	*r;
	struct wav		 w;
	uint64_t		 dropped;
	size_t			 i;
	cpu_set_t		 one, was;
	struct sched_param	 fifo = { .sched_priority = 1 }, other = { 0 };
	bool			 pinned, held;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = tone_r(i);
	}
	/*
	 * "Before the writer could run" must hold, or the writer, woken when
	 * the left ring is half full, pads the right side before it comes.
	 * The writer is made on this thread's one CPU, and this thread then
	 * runs real-time there while it fills both rings, so the writer
	 * cannot run in between (real-time needs root: without it the race
	 * stays, as a diagnostic says).
	 */
	sched_getaffinity(0, sizeof was, &was);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	pinned = sched_setaffinity(0, sizeof one, &one) == 0;
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open for the drop test");
	if (r == NULL) {
		free(cause);
		sched_setaffinity(0, sizeof was, &was);
		goto out;
	}
	held = pinned && pthread_setschedparam(pthread_self(), SCHED_FIFO,
	    &fifo) == 0;
	if (!held)
		printf("# the writer is not held off (no real-time "
		    "priority): the next checks can race with it\n");
	media_record_left(r, el, n);
	media_record_right(r, er, n);
	dropped = media_record_dropped(r);
	if (held)
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &other);
	sched_setaffinity(0, sizeof was, &was);
	ok(dropped > 0 && dropped <= 2 * (n - 2 * RATE),
	    "the excess over ~2 s is dropped (%llu)",
	    (unsigned long long)dropped);
	is_int(media_record_close(r, &cause), -1, "close reports the loss");
	ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, "dropped") != NULL, "cause: %s",
	    cause != NULL ? cause : "(null)");
	free(cause);
	wav_read(path, &w);
	ok(w.ok, "valid WAV: %s", w.why);
	is_int(2 * (n - w.frames), dropped,
	    "the file holds what was not dropped");
	is_int(first_bad(&w, el, er, 0, w.frames), w.frames,
	    "and it is the start of both sides, aligned");
	wav_free(&w);
out:
	free(el);
	free(er);
	unlink(path);
	free(path);
}

/* A write that fails: the file size limit makes write(2) fail with EFBIG
 * the way a full disk fails with ENOSPC. */
static void
test_write_failure(void)
{
	const size_t		 n = RATE, fit = 1000;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	char			*path = tmp_path("efbig.wav"), *cause = NULL;
	struct media_record	*r;
	struct rlimit		 old, lim;
	struct wav		 w;
	size_t			 i;
	int			 rv;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = tone_r(i);
	}
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 44 + 4 * fit;
	if (setrlimit(RLIMIT_FSIZE, &lim) != 0) {
		ok(0, "setrlimit: %s", strerror(errno));
		goto out;
	}
	r = media_record_open(path, RATE, &cause);
	ok(r != NULL, "open under a file size limit");
	if (r != NULL) {
		for (i = 0; i < n; i += 160) {
			media_record_left(r, el + i, 160);
			media_record_right(r, er + i, 160);
		}
		rv = media_record_close(r, &cause);
	} else
		rv = 0;
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	is_int(rv, -1, "close reports the failed write");
	ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, strerror(EFBIG)) != NULL &&
	    strstr(cause, "0.88 s not written") != NULL,
	    "cause: %s", cause != NULL ? cause : "(null)");
	free(cause);
	wav_read(path, &w);
	ok(w.ok, "what was written is a valid WAV: %s", w.why);
	is_int(w.frames, fit, "the header counts what fitted");
	is_int(first_bad(&w, el, er, 0, w.frames), w.frames,
	    "and it is right");
	wav_free(&w);
out:
	free(el);
	free(er);
	unlink(path);
	free(path);
}

static void
test_open_errors(void)
{
	char			*path = tmp_path("exists.wav"), *cause = NULL;
	char			*deep = tmp_path("no/such/dir/x.wav");
	char			 buf[16];
	struct media_record	*r;
	FILE			*f;
	size_t			 n;

	f = fopen(path, "w");
	fputs("keep me", f);
	fclose(f);
	r = media_record_open(path, RATE, &cause);
	ok(r == NULL, "an existing file is not overwritten");
	ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, strerror(EEXIST)) != NULL, "cause: %s",
	    cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	is_str(buf, "keep me", "and its contents are intact");
	media_record_close(r, NULL);	/* NULL: nothing */

	r = media_record_open(deep, RATE, &cause);
	ok(r == NULL, "a missing directory is not created");
	ok(cause != NULL && strstr(cause, deep) != NULL &&
	    strstr(cause, strerror(ENOENT)) != NULL, "cause: %s",
	    cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;

	unlink(path);
	r = media_record_open(path, 0, &cause);
	ok(r == NULL && cause != NULL && strstr(cause, "rate") != NULL,
	    "rate 0 is refused: %s", cause != NULL ? cause : "(null)");
	ok(access(path, F_OK) != 0, "and leaves no file");
	free(cause);
	free(path);
	free(deep);
}

/*
 * A child records, waits until the header shows the first 0.5 s, gives
 * 0.3 s more and is killed (no close). The file must be a valid WAV whose
 * header covers what is in it but for at most the last pass.
 */
static void
test_killed(void)
{
	const size_t		 n = 6400, first = 4000;
	int16_t			*el = xcalloc(n, sizeof *el);
	int16_t			*er = xcalloc(n, sizeof *er);
	char			*path = tmp_path("killed.wav"), *cause = NULL;
	struct media_record	*r;
	struct wav		 w;
	double			 end;
	size_t			 i;
	pid_t			 pid;
	int			 status;

	for (i = 0; i < n; i++) {
		el[i] = ramp_l(i);
		er[i] = tone_r(i);
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if ((r = media_record_open(path, RATE, &cause)) == NULL)
			_exit(2);
		for (i = 0; i < first; i += 160) {
			media_record_left(r, el + i, 160);
			media_record_right(r, er + i, 160);
		}
		end = now_s() + DEADLINE_S;
		while (header_data(path) < (long)(4 * first)) {
			if (now_s() > end)
				_exit(3);
			nap();
		}
		for (; i < n; i += 160) {
			media_record_left(r, el + i, 160);
			media_record_right(r, er + i, 160);
		}
		/* Let the writer have a go at the rest, maybe. */
		nap();
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	ok(pid > 0, "fork");
	if (pid <= 0)
		goto out;
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the child was killed while recording (status %#x)", status);
	wav_read(path, &w);
	ok(w.ok, "the file is a valid WAV: %s", w.why);
	ok(w.frames >= first && w.frames <= n,
	    "the header counts at least what it showed before (%zu)",
	    w.frames);
	ok(w.file_frames >= w.frames && w.file_frames - w.frames <= n - first,
	    "and lags the data by at most the last pass (%zu in the file)",
	    w.file_frames);
	is_int(first_bad(&w, el, er, 0, w.file_frames), w.file_frames,
	    "the samples are right");
	ok(sndfile_agrees(path, w.frames), "libsndfile reads it");
	wav_free(&w);
out:
	free(el);
	free(er);
	unlink(path);
	free(path);
}

/* --- name and directory ------------------------------------------------ */

static void
test_path(void)
{
	time_t	 t = 1700000000;	/* 2023-11-14 22:13:20 UTC */
	char	*p, *want, longname[101];

	setenv("TZ", "UTC", 1);
	tzset();
	p = media_record_path("/d", 7, "alice@example.com", t);
	is_str(p, "/d/recordings/20231114-221320-7-alice@example.com.wav",
	    "DATA_DIR/recordings/YYYYmmdd-HHMMSS-ID-REMOTE.wav");
	free(p);
	p = media_record_path("/d/", 12, "Bob <sip:+1 555/../x>", t);
	is_str(p, "/d/recordings/20231114-221320-12-Bob__sip_+1_555_.._x_.wav",
	    "other characters become _ (no slash survives); trailing / ok");
	free(p);
	p = media_record_path("/d", 3, "caf\xc3\xa9-1_a.b", t);
	is_str(p, "/d/recordings/20231114-221320-3-caf__-1_a.b.wav",
	    "each byte of UTF-8 becomes _");
	free(p);
	p = media_record_path("/d", 1, NULL, t);
	is_str(p, "/d/recordings/20231114-221320-1-unknown.wav", "NULL remote");
	free(p);
	p = media_record_path("/d", 1, "", t);
	is_str(p, "/d/recordings/20231114-221320-1-unknown.wav",
	    "empty remote");
	free(p);
	memset(longname, 'x', 100);
	longname[100] = '\0';
	p = media_record_path("/d", 2, longname, t);
	longname[64] = '\0';
	xasprintf(&want, "/d/recordings/20231114-221320-2-%s.wav", longname);
	is_str(p, want, "the remote is cut to 64 characters");
	free(p);
	free(want);
	setenv("TZ", "XYZ-3", 1);	/* POSIX TZ: three hours east */
	tzset();
	p = media_record_path("/d", 7, "a", t);
	is_str(p, "/d/recordings/20231115-011320-7-a.wav", "in local time");
	free(p);
}

static void
test_mkdirs(void)
{
	char		*top = tmp_path("data"), *deep, *file, *cause = NULL;
	char		*under;
	struct stat	 sb;
	mode_t		 old = umask(022);
	FILE		*f;

	xasprintf(&deep, "%s/a//b/recordings/", top);
	is_int(media_record_mkdirs(deep, &cause), 0, "missing directories "
	    "are made: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	ok(stat(deep, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (sb.st_mode & 07777) == 0700, "the last one with mode 0700");
	ok(stat(top, &sb) == 0 && (sb.st_mode & 07777) == 0700,
	    "the parents too");
	is_int(media_record_mkdirs(deep, &cause), 0, "existing: fine");
	free(cause);
	cause = NULL;
	chmod(top, 0755);
	is_int(media_record_mkdirs(top, NULL), 0, "again");
	ok(stat(top, &sb) == 0 && (sb.st_mode & 07777) == 0755,
	    "an existing directory keeps its mode");

	xasprintf(&file, "%s/plain", top);
	f = fopen(file, "w");
	fclose(f);
	xasprintf(&under, "%s/sub", file);
	is_int(media_record_mkdirs(under, &cause), -1,
	    "a file in the way fails");
	ok(cause != NULL && strstr(cause, file) != NULL &&
	    strstr(cause, strerror(ENOTDIR)) != NULL, "cause: %s",
	    cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;
	is_int(media_record_mkdirs(file, &cause), -1, "so does a file itself");
	ok(cause != NULL && strstr(cause, file) != NULL, "cause: %s",
	    cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;
	is_int(media_record_mkdirs("", &cause), -1, "an empty name fails");
	free(cause);

	umask(old);
	unlink(file);
	rmdir(deep);
	xasprintf(&cause, "%s/a/b", top);
	rmdir(cause);
	free(cause);
	xasprintf(&cause, "%s/a", top);
	rmdir(cause);
	free(cause);
	rmdir(top);
	free(top);
	free(deep);
	free(file);
	free(under);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_basic();
	test_end_pad();
	test_stopped_side();
	test_resumed_side(false);
	test_resumed_side(true);
	test_threads();
	test_dropped();
	test_write_failure();
	test_open_errors();
	test_killed();
	test_path();
	test_mkdirs();
	rmdir(tmpdir);
	return done_testing();
}
