/*
 * test-wav.c: the file driver's own WAV reader and writer (audio-wav.c),
 * judged against libsndfile reading the same files: every sample format
 * (8-bit unsigned, 16, 24, 32-bit integer, 32-bit float), plain and
 * extensible, several channel counts, unknown and odd-sized chunks, data
 * cut short; headers that are broken (an error naming the file and the
 * fault) or not ours (declined, for libsndfile); thousands of random
 * corruptions of valid files, which must never read out of bounds (run
 * it under ASan) and, whenever both readers take a file, must read what
 * libsndfile reads. Then the writer: the header is right after every
 * write, on a pipe it says "unknown", and a failed write or a full file
 * is reported.
 *
 * The files are made byte by byte here, not by libsndfile, so that they
 * can hold what libsndfile would never write.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio-wav.h"
#include "tap.h"
#include "util.h"

static char	tmpdir[] = "/tmp/test-wav.XXXXXX";

/* --- making files ------------------------------------------------------ */

struct bytes {
	uint8_t	*p;
	size_t	 len, size;
};

static void
put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		while (b->len + n > b->size)
			b->size = b->size != 0 ? b->size * 2 : 256;
		b->p = xrealloc(b->p, b->size);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put16(struct bytes *b, unsigned int v)
{
	uint8_t	p[2] = { v & 0xff, (v >> 8) & 0xff };

	put(b, p, 2);
}

static void
put32(struct bytes *b, uint32_t v)
{
	uint8_t	p[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };

	put(b, p, 4);
}

static void
set32(struct bytes *b, size_t at, uint32_t v)
{
	b->p[at] = v & 0xff;
	b->p[at + 1] = (v >> 8) & 0xff;
	b->p[at + 2] = (v >> 16) & 0xff;
	b->p[at + 3] = v >> 24;
}

/* A chunk; its size field's offset goes to *at when at is not NULL. */
static void
chunk(struct bytes *b, const char *id, const void *body, size_t len,
    bool pad, size_t *at)
{
	static const uint8_t	zero;

	put(b, id, 4);
	if (at != NULL)
		*at = b->len;
	put32(b, (uint32_t)len);
	put(b, body, len);
	if (pad && len % 2 != 0)
		put(b, &zero, 1);
}

struct spec {
	unsigned int	tag;		/* 1 PCM, 3 float, 0xfffe extensible */
	unsigned int	sub;		/* extensible: 1 or 3 */
	unsigned int	channels;
	unsigned int	rate;
	unsigned int	bits;
	size_t		frames;
	bool		extra;		/* chunks before, between and after */
};

/* Where make_wav put what, for the corruptions. */
struct layout {
	size_t	fmt_at;		/* the fmt body */
	size_t	sizes[8];	/* offsets of size fields */
	size_t	nsizes;
	size_t	data_at;	/* the first sample */
};

/* Random sample bytes, the first frames at the extremes. */
static void
samples(struct bytes *b, const struct spec *s, unsigned int *seed)
{
	size_t		i, n = s->frames * s->channels;
	unsigned int	k, bytes = s->bits / 8;
	bool		fl = s->tag == 3 || (s->tag == 0xfffe && s->sub == 3);
	uint8_t		p[4];
	uint32_t	u;
	float		f;

	for (i = 0; i < n; i++) {
		if (fl) {
			f = i == 0 ? 1.0f : i == 1 ? -1.0f : i == 2 ? 0.0f :
			    (float)(rand_r(seed) % 30001 - 15000) / 10000.0f;
			memcpy(&u, &f, 4);
		} else if (i < 3) {
			/* most negative, most positive, zero */
			u = i == 0 ? 1u << (8 * bytes - 1) : i == 1 ?
			    (1u << (8 * bytes - 1)) - 1 : 0;
			if (bytes == 1)
				u ^= 0x80;	/* unsigned */
		} else
			u = (uint32_t)rand_r(seed) << 16 ^ (uint32_t)rand_r(seed);
		for (k = 0; k < bytes; k++)
			p[k] = (u >> (8 * k)) & 0xff;
		put(b, p, bytes);
	}
}

static void
make_wav(struct bytes *b, const struct spec *s, unsigned int seed,
    struct layout *l)
{
	static const uint8_t	guid[12] = { 0x00, 0x00, 0x10, 0x00, 0x80,
	    0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };
	struct bytes		 fmt = { 0 }, data = { 0 };
	struct layout		 dummy;
	unsigned int		 align = s->channels * s->bits / 8;

	if (l == NULL)
		l = &dummy;
	memset(l, 0, sizeof *l);
	put16(&fmt, s->tag);
	put16(&fmt, s->channels);
	put32(&fmt, s->rate);
	put32(&fmt, s->rate * align);
	put16(&fmt, align);
	put16(&fmt, s->bits);
	if (s->tag == 0xfffe) {
		put16(&fmt, 22);
		put16(&fmt, s->bits);			/* valid bits */
		put32(&fmt, 0);				/* channel mask */
		put32(&fmt, s->sub);
		put(&fmt, guid, sizeof guid);
	}
	samples(&data, s, &seed);

	b->len = 0;
	put(b, "RIFF", 4);
	l->sizes[l->nsizes++] = b->len;
	put32(b, 0);
	put(b, "WAVE", 4);
	if (s->extra)
		chunk(b, "JUNK", "odd", 3, true, &l->sizes[l->nsizes++]);
	chunk(b, "fmt ", fmt.p, fmt.len, true, &l->sizes[l->nsizes++]);
	l->fmt_at = l->sizes[l->nsizes - 1] + 4;
	if (s->extra) {
		put(b, "fact", 4);
		l->sizes[l->nsizes++] = b->len;
		put32(b, 4);
		put32(b, (uint32_t)s->frames);
		chunk(b, "LIST", "INFOISFT\x05\0\0\0tsp!\0\0", 17, true,
		    &l->sizes[l->nsizes++]);
	}
	chunk(b, "data", data.p, data.len, true, &l->sizes[l->nsizes++]);
	l->data_at = l->sizes[l->nsizes - 1] + 4;
	if (s->extra)
		chunk(b, "LIST", "INFOabc", 7, true, &l->sizes[l->nsizes++]);
	set32(b, 4, (uint32_t)(b->len - 8));
	free(fmt.p);
	free(data.p);
}

static char *
path_of(const char *name)
{
	char	*path;

	xasprintf(&path, "%s/%s", tmpdir, name);
	return path;
}

static int
write_file(const char *path, const void *p, size_t len)
{
	int	fd, rv = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	if (write(fd, p, len) != (ssize_t)len)
		rv = -1;
	if (close(fd) != 0)
		rv = -1;
	return rv;
}

/* --- reading, compared with libsndfile ---------------------------------- */

/* All of a file through libsndfile; NULL if it refuses the file. */
static float *
sf_all(const char *path, SF_INFO *info)
{
	SNDFILE		*sf;
	float		*buf;
	sf_count_t	 got;

	memset(info, 0, sizeof *info);
	if ((sf = sf_open(path, SFM_READ, info)) == NULL)
		return NULL;
	buf = xcalloc((size_t)info->frames * info->channels + 1, sizeof *buf);
	got = sf_readf_float(sf, buf, info->frames);
	sf_close(sf);
	if (got != info->frames) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * All of an open file through ours, in reads of varied sizes, into a
 * buffer of exactly the size the header promises (so that ASan sees a
 * sample too many). NULL and *cause on an error.
 */
static float *
wav_all(struct audio_wav *w, unsigned int *seed, char **cause)
{
	static const size_t	 steps[] = { 1, 3, 1000, 4096, 7, 100000 };
	float			*buf;
	size_t			 done = 0, i = 0, step;
	ssize_t			 got;

	buf = xcalloc(w->frames * w->channels + 1, sizeof *buf);
	for (;;) {
		step = seed != NULL ? 1 + (size_t)rand_r(seed) % 700 :
		    steps[i++ % nitems(steps)];
		if (step > w->frames - done && done < w->frames)
			step = w->frames - done;
		if (done == w->frames)
			step = 5;	/* at the end: must read 0 */
		got = audio_wav_read(w, buf + done * w->channels, step, cause);
		if (got == -1) {
			free(buf);
			return NULL;
		}
		if (got == 0)
			break;
		done += (size_t)got;
	}
	if (done != w->frames) {
		xasprintf(cause, "read %zu frames of %llu", done,
		    (unsigned long long)w->frames);
		free(buf);
		return NULL;
	}
	return buf;
}

/* How many of n floats differ (bit for bit, NaN included). */
static size_t
fdiffer(const float *x, const float *y, size_t n)
{
	size_t	i, d = 0;

	for (i = 0; i < n; i++) {
		if (memcmp(&x[i], &y[i], sizeof x[i]) != 0)
			d++;
	}
	return d;
}

/* Read PATH with both; they must agree on everything, sample for sample. */
static void
check_same(const char *path, const char *what, uint64_t want_frames)
{
	struct audio_wav	 w;
	SF_INFO			 info;
	float			*ours = NULL, *theirs = NULL;
	char			*cause = NULL;
	int			 rv;

	rv = audio_wav_open(&w, path, &cause);
	is_int(rv, 0, "%s: ours reads it%s%s", what, cause != NULL ? ": " : "",
	    cause != NULL ? cause : "");
	if (rv != 0)
		goto out;
	theirs = sf_all(path, &info);
	ok(theirs != NULL, "%s: libsndfile reads it", what);
	if (theirs == NULL) {
		audio_wav_close(&w);
		goto out;
	}
	ok(w.rate == (unsigned int)info.samplerate &&
	    w.channels == (unsigned int)info.channels &&
	    w.frames == (uint64_t)info.frames && w.frames == want_frames,
	    "%s: same rate, channels and length (%u Hz, %u, %llu frames)",
	    what, w.rate, w.channels, (unsigned long long)w.frames);
	ours = wav_all(&w, NULL, &cause);
	ok(ours != NULL, "%s: read to the end%s%s", what,
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	if (ours != NULL && w.frames == (uint64_t)info.frames) {
		is_int(fdiffer(ours, theirs, w.frames * w.channels), 0,
		    "%s: the same samples as libsndfile, bit for bit", what);
	}
	audio_wav_close(&w);
out:
	free(cause);
	free(ours);
	free(theirs);
}

static void
test_formats(void)
{
	static const struct {
		const char	*name;
		struct spec	 s;
	} cases[] = {
		{ "u8 mono",		{ 1, 0, 1, 8000, 8, 20001, false } },
		{ "s16 mono",		{ 1, 0, 1, 48000, 16, 9000, false } },
		{ "s16 stereo",		{ 1, 0, 2, 44100, 16, 5000, true } },
		{ "s24 mono",		{ 1, 0, 1, 96000, 24, 6000, false } },
		{ "s24 6ch",		{ 1, 0, 6, 48000, 24, 1001, true } },
		{ "s32 stereo",		{ 1, 0, 2, 22050, 32, 3000, false } },
		{ "float mono",		{ 3, 0, 1, 16000, 32, 4000, true } },
		{ "float 3ch",		{ 3, 0, 3, 32000, 32, 2500, false } },
		{ "ext u8 stereo",	{ 0xfffe, 1, 2, 11025, 8, 3001, false } },
		{ "ext s16 4ch",	{ 0xfffe, 1, 4, 48000, 16, 3000, true } },
		{ "ext s24 stereo",	{ 0xfffe, 1, 2, 192000, 24, 3000, false } },
		{ "ext s32 5ch",	{ 0xfffe, 1, 5, 8000, 32, 999, false } },
		{ "ext float 8ch",	{ 0xfffe, 3, 8, 48000, 32, 1500, true } },
		{ "s16 64ch",		{ 1, 0, 64, 8000, 16, 300, false } },
	};
	struct bytes	 b = { 0 };
	char		*path, *what;
	size_t		 i;

	path = path_of("format.wav");
	for (i = 0; i < nitems(cases); i++) {
		make_wav(&b, &cases[i].s, (unsigned int)i + 1, NULL);
		if (write_file(path, b.p, b.len) != 0) {
			ok(0, "%s: write the file", cases[i].name);
			continue;
		}
		xasprintf(&what, "%s%s", cases[i].name, cases[i].s.extra ?
		    " with JUNK, fact and LIST chunks" : "");
		check_same(path, what, cases[i].s.frames);
		free(what);
	}
	unlink(path);
	free(path);
	free(b.p);
}

/* Odd chunks, chunks after the data, data cut short or of no length. */
static void
test_chunks(void)
{
	struct spec	 s = { 1, 0, 2, 8000, 16, 1000, true };
	struct spec	 u8 = { 1, 0, 1, 8000, 8, 101, true };
	struct layout	 l;
	struct bytes	 b = { 0 };
	char		*path;

	path = path_of("chunks.wav");

	/* 101 bytes of data: its pad byte, then a LIST chunk. */
	make_wav(&b, &u8, 7, &l);
	write_file(path, b.p, b.len);
	check_same(path, "odd-sized data chunk and a chunk after it", 101);

	/* Cut inside the data: what is there, in whole frames. */
	make_wav(&b, &s, 8, &l);
	write_file(path, b.p, l.data_at + 400 * 4 + 3);
	check_same(path, "data cut short (400 frames and 3 bytes of 1000)",
	    400);

	/* A streaming writer's "unknown" sizes. */
	set32(&b, 4, UINT32_MAX);
	set32(&b, l.data_at - 4, UINT32_MAX);
	write_file(path, b.p, l.data_at + 500 * 4);
	check_same(path, "RIFF and data sizes 0xffffffff", 500);

	/* A RIFF size that is wrong (too small) is ignored. */
	make_wav(&b, &s, 9, &l);
	set32(&b, 4, 12);
	write_file(path, b.p, b.len);
	check_same(path, "a RIFF size far too small", 1000);

	unlink(path);
	free(path);
	free(b.p);
}

/* Open a file of these bytes: the result, and the cause if any. */
static int
open_bytes(const char *path, const struct bytes *b, size_t len,
    char **cause)
{
	struct audio_wav	w;
	int			rv;

	*cause = NULL;
	write_file(path, b->p, len);
	rv = audio_wav_open(&w, path, cause);
	if (rv == 0)
		audio_wav_close(&w);
	return rv;
}

static void
expect_error(const char *path, const struct bytes *b, size_t len,
    const char *want, const char *what)
{
	char	*cause;
	int	 rv;

	rv = open_bytes(path, b, len, &cause);
	ok(rv == -1 && cause != NULL && strncmp(cause, path,
	    strlen(path)) == 0 && strstr(cause, want) != NULL,
	    "%s: an error naming the file and \"%s\" (%s)", what, want,
	    cause != NULL ? cause : "no cause");
	free(cause);
}

static void
expect_foreign(const char *path, const struct bytes *b, size_t len,
    const char *what)
{
	char	*cause;
	int	 rv;

	rv = open_bytes(path, b, len, &cause);
	ok(rv == AUDIO_WAV_FOREIGN && cause == NULL,
	    "%s: declined, for libsndfile (%d%s%s)", what, rv,
	    cause != NULL ? ", " : "", cause != NULL ? cause : "");
	free(cause);
}

static void
test_broken(void)
{
	struct spec	 s = { 1, 0, 1, 8000, 16, 100, false };
	struct spec	 ext = { 0xfffe, 1, 2, 8000, 16, 100, false };
	struct layout	 l;
	struct bytes	 b = { 0 }, c = { 0 };
	struct audio_wav w;
	char		*path, *cause = NULL;
	size_t		 fmt_len;

	path = path_of("broken.wav");

	make_wav(&b, &s, 1, &l);
	fmt_len = l.data_at - 8 - l.fmt_at;
	expect_error(path, &b, l.data_at - 8, "no data chunk",
	    "the file ends before the data chunk");
	expect_error(path, &b, l.fmt_at + 10, "truncated WAV: the \"fmt \" "
	    "chunk at byte 12 claims 16 bytes, the file has 10 more",
	    "the file ends inside the fmt chunk");
	expect_error(path, &b, l.fmt_at - 2, "no fmt chunk",
	    "the file ends inside the fmt chunk's header");
	expect_error(path, &b, 12, "no fmt chunk", "RIFF/WAVE and nothing "
	    "else");

	/* The data chunk first. */
	c.len = 0;
	put(&c, b.p, 12);
	put(&c, b.p + l.data_at - 8, b.len - (l.data_at - 8));
	put(&c, b.p + l.fmt_at - 8, fmt_len + 8);
	expect_error(path, &c, c.len, "data chunk comes before the fmt",
	    "data before fmt");

	/* A chunk size running past the end hides what follows. */
	set32(&b, l.fmt_at - 4, 0x7ffffff0);
	expect_error(path, &b, b.len, "the \"fmt \" chunk at byte 12 claims "
	    "2147483632 bytes", "a huge fmt chunk");
	make_wav(&b, &s, 1, &l);
	set32(&b, l.fmt_at - 4, 14);
	expect_error(path, &b, b.len, "a fmt chunk of 14 bytes (at least 16)",
	    "a short fmt chunk");
	make_wav(&b, &s, 1, &l);
	b.p[l.fmt_at + 2] = 0;
	expect_error(path, &b, b.len, "0 channels", "no channels");
	b.p[l.fmt_at + 2] = 65;
	expect_error(path, &b, b.len, "65 channels (1 to 64)",
	    "too many channels");
	make_wav(&b, &s, 1, &l);
	set32(&b, l.fmt_at + 4, 0);
	expect_error(path, &b, b.len, "sample rate of 0", "a rate of 0");
	make_wav(&b, &ext, 1, &l);
	set32(&b, l.fmt_at - 4, 18);
	expect_error(path, &b, b.len, "extensible fmt chunk of 18 bytes",
	    "a short extensible fmt chunk");

	/* Not ours: left to libsndfile. */
	c.len = 0;
	put(&c, "this is not a WAV file at all\n", 30);
	expect_foreign(path, &c, c.len, "a text file");
	expect_foreign(path, &c, 0, "an empty file");
	make_wav(&b, &s, 1, &l);
	expect_foreign(path, &b, 11, "11 bytes of a RIFF header");
	memcpy(b.p, "RIFX", 4);
	expect_foreign(path, &b, b.len, "RIFX (big-endian)");
	memcpy(b.p, "RF64", 4);
	expect_foreign(path, &b, b.len, "RF64");
	make_wav(&b, &s, 1, &l);
	b.p[l.fmt_at] = 6;
	b.p[l.fmt_at + 14] = 8;
	b.p[l.fmt_at + 12] = 1;
	expect_foreign(path, &b, b.len, "A-law");
	make_wav(&b, &s, 1, &l);
	b.p[l.fmt_at] = 3;
	b.p[l.fmt_at + 14] = 64;
	b.p[l.fmt_at + 12] = 8;
	expect_foreign(path, &b, b.len, "64-bit float");
	make_wav(&b, &s, 1, &l);
	b.p[l.fmt_at + 14] = 12;
	expect_foreign(path, &b, b.len, "12-bit PCM");
	make_wav(&b, &s, 1, &l);
	b.p[l.fmt_at + 12] = 4;
	expect_foreign(path, &b, b.len, "a block alignment that disagrees");
	make_wav(&b, &ext, 1, &l);
	b.p[l.fmt_at + 24] = 2;		/* MS ADPCM */
	expect_foreign(path, &b, b.len, "extensible ADPCM");
	make_wav(&b, &ext, 1, &l);
	b.p[l.fmt_at + 39] ^= 1;
	expect_foreign(path, &b, b.len, "extensible with a GUID not ours");

	/* The system's reasons. */
	free(path);
	path = path_of("missing.wav");
	ok(audio_wav_open(&w, path, &cause) == -1 && cause != NULL &&
	    strstr(cause, path) != NULL && strstr(cause, "No such file"),
	    "a missing file: %s", cause != NULL ? cause : "no cause");
	free(cause);
	cause = NULL;
	ok(audio_wav_open(&w, tmpdir, &cause) == -1 && cause != NULL &&
	    strstr(cause, tmpdir) != NULL && strstr(cause, "directory"),
	    "a directory: %s", cause != NULL ? cause : "no cause");
	free(cause);
	cause = NULL;
	ok(audio_wav_open(&w, "/dev/null", &cause) == AUDIO_WAV_FOREIGN &&
	    cause == NULL, "a device is left to libsndfile");

	free(path);
	path = path_of("broken.wav");
	unlink(path);
	free(path);
	free(b.p);
	free(c.p);
}

/* --- random corruptions ------------------------------------------------- */

#define FUZZ_RUNS	6000

/* Corrupt a valid file at random: bytes, size fields, fmt fields, length. */
static size_t
corrupt(struct bytes *b, const struct layout *l, unsigned int *seed)
{
	static const uint32_t	 edges[] = { 0, 1, 2, 3, 15, 16, 17, 39, 40,
	    41, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
	static const size_t	 fmt_fields[] = { 0, 2, 4, 12, 14, 16, 18,
	    24 };
	size_t			 len = b->len, at, i, n;
	uint32_t		 v;

	n = 1 + rand_r(seed) % 3;
	for (i = 0; i < n; i++) {
		switch (rand_r(seed) % 5) {
		case 0:		/* a random byte of the header */
			at = rand_r(seed) % (l->data_at + 8);
			if (at < b->len)
				b->p[at] = (uint8_t)rand_r(seed);
			break;
		case 1:		/* a chunk or RIFF size */
			at = l->sizes[rand_r(seed) % l->nsizes];
			v = rand_r(seed) % 2 ? edges[rand_r(seed) %
			    nitems(edges)] : (uint32_t)(b->p[at] |
			    b->p[at + 1] << 8) + rand_r(seed) % 9 - 4;
			set32(b, at, v);
			break;
		case 2:		/* a fmt field */
			at = l->fmt_at + fmt_fields[rand_r(seed) %
			    nitems(fmt_fields)];
			v = rand_r(seed) % 2 ? edges[rand_r(seed) %
			    nitems(edges)] : (uint32_t)rand_r(seed) % 70;
			b->p[at] = v & 0xff;
			b->p[at + 1] = (v >> 8) & 0xff;
			break;
		case 3:		/* cut anywhere */
			len = rand_r(seed) % (b->len + 1);
			break;
		case 4:		/* cut in the header */
			len = rand_r(seed) % (l->data_at + 1);
			break;
		}
	}
	return len < b->len ? len : b->len;
}

static void
test_fuzz(void)
{
	static const struct spec specs[] = {
		{ 1, 0, 1, 8000, 8, 301, true },
		{ 1, 0, 2, 44100, 16, 200, true },
		{ 1, 0, 3, 48000, 24, 100, false },
		{ 3, 0, 1, 16000, 32, 150, true },
		{ 0xfffe, 1, 2, 48000, 24, 120, true },
		{ 0xfffe, 3, 4, 96000, 32, 60, false },
	};
	struct audio_wav	 w;
	struct layout		 l;
	struct bytes		 b = { 0 };
	struct stat		 sb;
	SF_INFO			 info;
	unsigned int		 seed = 20240611, rseed;
	size_t			 run, len, bad_cause = 0, bad_bounds = 0;
	size_t			 bad_read = 0, mismatch = 0, agree = 0, n[3] = { 0 };
	size_t			 i, samples;
	float			*ours, *theirs;
	char			*path, *cause;
	int			 rv;

	path = path_of("fuzz.wav");
	printf("# %d random corruptions, seed %u\n", FUZZ_RUNS, seed);
	for (run = 0; run < FUZZ_RUNS; run++) {
		make_wav(&b, &specs[run % nitems(specs)], (unsigned int)run,
		    &l);
		len = corrupt(&b, &l, &seed);
		write_file(path, b.p, len);
		cause = NULL;
		rv = audio_wav_open(&w, path, &cause);
		if (rv == -1) {
			n[0]++;
			if (cause == NULL || strncmp(cause, path,
			    strlen(path)) != 0 || strlen(cause) <
			    strlen(path) + 10) {
				if (bad_cause++ < 3)
					printf("# run %zu: cause %s\n", run,
					    cause != NULL ? cause : "NULL");
			}
			free(cause);
			continue;
		}
		if (rv == AUDIO_WAV_FOREIGN) {
			n[1]++;
			if (cause != NULL && bad_cause++ < 3)
				printf("# run %zu: foreign with a cause\n", run);
			free(cause);
			continue;
		}
		n[2]++;
		stat(path, &sb);
		if (w.channels < 1 || w.channels > AUDIO_WAV_MAX_CHANNELS ||
		    w.rate == 0 || w.bytes < 1 || w.bytes > 4 ||
		    w.offset + w.frames * w.channels * w.bytes >
		    (uint64_t)sb.st_size) {
			if (bad_bounds++ < 3)
				printf("# run %zu: %u ch, %u Hz, %u bytes, "
				    "%llu frames at %llu of %lld\n", run,
				    w.channels, w.rate, w.bytes,
				    (unsigned long long)w.frames,
				    (unsigned long long)w.offset,
				    (long long)sb.st_size);
			audio_wav_close(&w);
			continue;
		}
		rseed = (unsigned int)run;
		ours = wav_all(&w, &rseed, &cause);
		samples = w.frames * w.channels;
		if (ours == NULL) {
			if (bad_read++ < 3)
				printf("# run %zu: %s\n", run, cause);
			free(cause);
			audio_wav_close(&w);
			continue;
		}
		for (i = w.is_float ? samples : 0; i < samples; i++) {
			/* 1.0 is there: 0x7fffffff rounds up to 2^31 in a
			 * float, in libsndfile too. */
			if (!(ours[i] >= -1.0f && ours[i] <= 1.0f))
				break;
		}
		if (i < samples && bad_bounds++ < 3)
			printf("# run %zu: sample %zu is %g\n", run, i,
			    ours[i]);
		/* When libsndfile reads it too, it must read the same. */
		if ((theirs = sf_all(path, &info)) != NULL) {
			agree++;
			if (w.rate != (unsigned int)info.samplerate ||
			    w.channels != (unsigned int)info.channels ||
			    w.frames != (uint64_t)info.frames ||
			    fdiffer(ours, theirs, samples) != 0) {
				if (mismatch++ < 3)
					printf("# run %zu: ours %u Hz %u ch "
					    "%llu frames, libsndfile %d Hz "
					    "%d ch %lld frames\n", run, w.rate,
					    w.channels,
					    (unsigned long long)w.frames,
					    info.samplerate, info.channels,
					    (long long)info.frames);
			}
		}
		free(theirs);
		free(ours);
		audio_wav_close(&w);
	}
	printf("# %zu errors, %zu declined, %zu read (%zu by libsndfile "
	    "too)\n", n[0], n[1], n[2], agree);
	ok(n[0] > FUZZ_RUNS / 10 && n[1] > FUZZ_RUNS / 50 &&
	    n[2] > FUZZ_RUNS / 10 && agree > FUZZ_RUNS / 10,
	    "the corruptions reached every outcome");
	is_int(bad_cause, 0, "every error names the file and says more");
	is_int(bad_bounds, 0, "every file read has a sane format, data "
	    "within the file and samples within full scale");
	is_int(bad_read, 0, "every file opened reads to its end");
	is_int(mismatch, 0, "where libsndfile reads a file too, it reads the "
	    "same format and samples");
	unlink(path);
	free(path);
	free(b.p);
}

/* --- writing ------------------------------------------------------------ */

static void
test_write(void)
{
	struct audio_wav_out	 o;
	struct audio_wav	 w;
	SF_INFO			 info;
	int16_t			 seq[10000], got[10000];
	uint8_t			 h[44];
	struct rlimit		 old, lim;
	char			*path, *cause = NULL;
	float			*f;
	size_t			 i, total, bad;
	int			 fds[2], fd;
	SNDFILE			*sf;

	for (i = 0; i < nitems(seq); i++)
		seq[i] = (int16_t)(i * 7 - 32768);
	seq[1] = 32767;
	path = path_of("out.wav");
	is_int(audio_wav_create(&o, path, 16000, &cause), 0, "create %s",
	    path);
	f = sf_all(path, &info);
	ok(f != NULL && info.frames == 0 && info.samplerate == 16000 &&
	    info.channels == 1 && info.format == (SF_FORMAT_WAV |
	    SF_FORMAT_PCM_16), "a new file is an empty mono 16-bit WAV at "
	    "16 kHz");
	free(f);
	/* After every write, what libsndfile reads is all written so far. */
	for (total = 0, bad = 0, i = 1; total + i <= nitems(seq);
	    total += i, i = i * 3 + 1) {
		audio_wav_write(&o, seq + total, i);
		memset(&info, 0, sizeof info);
		if ((sf = sf_open(path, SFM_READ, &info)) == NULL ||
		    info.frames != (sf_count_t)(total + i) ||
		    sf_read_short(sf, got, info.frames) != info.frames ||
		    memcmp(got, seq, (total + i) * sizeof *got) != 0)
			bad++;
		if (sf != NULL)
			sf_close(sf);
	}
	is_int(bad, 0, "after each of 8 writes the file holds exactly what "
	    "was written (%zu samples)", total);
	audio_wav_write(&o, seq, 0);
	is_int(audio_wav_finish(&o, &cause), 0, "finish");
	ok(audio_wav_open(&w, path, &cause) == 0 && w.frames == total &&
	    w.rate == 16000, "our reader reads it back");
	f = wav_all(&w, NULL, &cause);
	for (bad = 0, i = 0; f != NULL && i < total; i++) {
		if (lrintf(f[i] * 32768) != seq[i])
			bad++;
	}
	ok(f != NULL && bad == 0, "sample for sample");
	free(f);
	audio_wav_close(&w);
	unlink(path);

	/* A pipe cannot seek: the sizes say "unknown". */
	if (pipe(fds) == 0) {
		free(path);
		xasprintf(&path, "/dev/fd/%d", fds[1]);
		is_int(audio_wav_create(&o, path, 8000, &cause), 0,
		    "create on a pipe");
		ok(!o.seekable, "which cannot seek");
		audio_wav_write(&o, seq, 100);
		is_int(audio_wav_finish(&o, &cause), 0, "finish on a pipe");
		close(fds[1]);
		ok(read(fds[0], h, sizeof h) == sizeof h &&
		    memcmp(h + 4, "\xff\xff\xff\xff", 4) == 0 &&
		    memcmp(h + 40, "\xff\xff\xff\xff", 4) == 0,
		    "the header's sizes are 0xffffffff");
		ok(read(fds[0], got, sizeof got) == 200 &&
		    memcmp(got, seq, 200) == 0, "then the samples");
		close(fds[0]);
		free(path);
		path = path_of("out.wav");
	}

	/* A write that fails (the file size limit) keeps what it wrote. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 44 + 2000;
	is_int(audio_wav_create(&o, path, 8000, &cause), 0, "create");
	setrlimit(RLIMIT_FSIZE, &lim);
	audio_wav_write(&o, seq, 600);
	audio_wav_write(&o, seq + 600, 600);
	audio_wav_write(&o, seq, 100);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	is_int(o.lost, 1300 - 1000, "the samples past the limit are lost");
	cause = NULL;
	is_int(audio_wav_finish(&o, &cause), -1, "finish fails");
	ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, "File too large") != NULL &&
	    strstr(cause, "300 samples") != NULL, "saying so: %s",
	    cause != NULL ? cause : "no cause");
	free(cause);
	cause = NULL;
	f = sf_all(path, &info);
	ok(f != NULL && info.frames == 1000, "the file is valid and holds the "
	    "1000 samples written (%lld)", (long long)info.frames);
	free(f);

	/* At the 4 GiB a RIFF size can count: pretend we are nearly there
	 * rather than write it. */
	is_int(audio_wav_create(&o, path, 8000, &cause), 0, "create");
	o.bytes = ((UINT32_MAX - 36) & ~(uint64_t)1) - 10;
	audio_wav_write(&o, seq, 100);
	ok(o.full && o.lost == 95, "5 samples fit under the limit, 95 are "
	    "lost (%llu)", (unsigned long long)o.lost);
	is_int(audio_wav_finish(&o, &cause), -1, "finish fails");
	ok(cause != NULL && strstr(cause, "size limit") != NULL,
	    "saying so: %s", cause != NULL ? cause : "no cause");
	free(cause);
	cause = NULL;

	/* Nowhere to write. */
	free(path);
	path = path_of("no/such/dir/out.wav");
	ok(audio_wav_create(&o, path, 8000, &cause) == -1 && cause != NULL &&
	    strstr(cause, path) != NULL && strstr(cause, "No such file"),
	    "an impossible path: %s", cause != NULL ? cause : "no cause");
	free(cause);
	cause = NULL;
	if ((fd = open("/dev/full", O_WRONLY)) != -1) {
		close(fd);
		ok(audio_wav_create(&o, "/dev/full", 8000, &cause) == -1 &&
		    cause != NULL && strstr(cause, "No space") != NULL,
		    "a full device: %s", cause != NULL ? cause : "no cause");
		free(cause);
	}
	free(path);
	path = path_of("out.wav");
	unlink(path);
	free(path);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_formats();
	test_chunks();
	test_broken();
	test_fuzz();
	test_write();
	rmdir(tmpdir);
	return done_testing();
}
