/*
 * audio-wav.c: reading and writing the file driver's WAV files ourselves.
 *
 * STYLE.md would have libsndfile do this, and it did, but loading it maps
 * libsndfile and the codec libraries it links (FLAC, Vorbis, Ogg, Opus,
 * mpg123, LAME): about 1 MiB of resident memory in every call that uses
 * the file driver, for a format whose integer and float PCM flavours take
 * a header walk and a few conversions. So the common WAVs are ours and
 * libsndfile is still loaded for the rest (audio-file.c decides).
 *
 * Reading. A RIFF/WAVE file is a 12-byte header and a list of chunks, each
 * an id, a 32-bit little-endian size and the body, padded to an even
 * length. We walk them with pread from byte 12 to the file's real end (the
 * RIFF size is often wrong and is ignored, as libsndfile ignores it),
 * skipping what we do not know, until the data chunk; the fmt chunk must
 * come before it. Every size is checked against the file's length before
 * anything is read, and everything is read into buffers of a fixed size,
 * so a garbled header can make an error but never a read out of bounds.
 * Samples are converted as libsndfile converts them, so that a file
 * sounds the same whichever of us reads it.
 *
 * Writing. A 44-byte header (RIFF, a 16-byte PCM fmt chunk, data) written
 * at creation, then samples with write(2), then the sizes rewritten with
 * pwrite after every write: a process killed at any point leaves a file
 * that is valid up to the last write. An output that cannot seek (a
 * pipe) gets the sizes "unknown" (0xffffffff), as streaming writers do.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio-wav.h"
#include "util.h"

#define AUDIO_WAV_FMT_PCM		0x0001
#define AUDIO_WAV_FMT_FLOAT		0x0003
#define AUDIO_WAV_FMT_EXTENSIBLE	0xfffe
/* Of the fmt chunk: the plain one, the extensible one. */
#define AUDIO_WAV_FMT_SIZE		16
#define AUDIO_WAV_FMT_EXT_SIZE		40
/* The bytes of every KSDATAFORMAT_SUBTYPE GUID after its first four (the
 * format tag): {xxxxxxxx-0000-0010-8000-00aa00389b71}, as stored. */
static const uint8_t audio_wav_guid_tail[12] = {
	0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
};
/* Raw bytes converted per pread: at least 32 frames of the widest. */
#define AUDIO_WAV_READ_BYTES		8192

/* The most sample bytes a RIFF size can count, in whole samples. */
#define AUDIO_WAV_MAX_BYTES		((UINT32_MAX - 36) & ~(uint32_t)1)
/* Samples converted per write. */
#define AUDIO_WAV_WRITE_SAMPLES		4096

static uint16_t
audio_wav_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
audio_wav_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
audio_wav_put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
audio_wav_put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/* pread all of len bytes at off; the bytes read, or -1 with errno set. */
static ssize_t
audio_wav_pread(int fd, void *buf, size_t len, uint64_t off)
{
	size_t	done = 0;
	ssize_t	n;

	while (done < len) {
		n = pread(fd, (uint8_t *)buf + done, len - done,
		    (off_t)(off + done));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* --- reading ------------------------------------------------------------ */

/*
 * Parse the fmt chunk (len bytes of it, at least 16). 0, AUDIO_WAV_FOREIGN
 * or -1 with *cause.
 */
static int
audio_wav_parse_fmt(struct audio_wav *w, const uint8_t *p, size_t len,
    char **cause)
{
	unsigned int	tag, channels, align, bits;

	tag = audio_wav_get16(p);
	channels = audio_wav_get16(p + 2);
	w->rate = audio_wav_get32(p + 4);
	align = audio_wav_get16(p + 12);
	bits = audio_wav_get16(p + 14);
	if (tag == AUDIO_WAV_FMT_EXTENSIBLE) {
		if (len < AUDIO_WAV_FMT_EXT_SIZE) {
			xasprintf(cause, "%s: bad WAV: an extensible fmt chunk "
			    "of %zu bytes (at least %d)", w->path, len,
			    AUDIO_WAV_FMT_EXT_SIZE);
			return -1;
		}
		if (memcmp(p + 28, audio_wav_guid_tail,
		    sizeof audio_wav_guid_tail) != 0 ||
		    audio_wav_get32(p + 24) > 0xffff)
			return AUDIO_WAV_FOREIGN;
		tag = audio_wav_get32(p + 24);
	}
	if (tag != AUDIO_WAV_FMT_PCM && tag != AUDIO_WAV_FMT_FLOAT)
		return AUDIO_WAV_FOREIGN;
	if (channels == 0 || channels > AUDIO_WAV_MAX_CHANNELS) {
		xasprintf(cause, "%s: bad WAV: %u channels (1 to %d)", w->path,
		    channels, AUDIO_WAV_MAX_CHANNELS);
		return -1;
	}
	if (w->rate == 0) {
		xasprintf(cause, "%s: bad WAV: a sample rate of 0", w->path);
		return -1;
	}
	/* Odd sizes (12-bit in 16, 64-bit float, a block alignment that
	 * disagrees) are libsndfile's to judge. */
	if (tag == AUDIO_WAV_FMT_FLOAT ? bits != 32 :
	    bits != 8 && bits != 16 && bits != 24 && bits != 32)
		return AUDIO_WAV_FOREIGN;
	if (align != channels * bits / 8)
		return AUDIO_WAV_FOREIGN;
	w->channels = channels;
	w->bytes = bits / 8;
	w->is_float = tag == AUDIO_WAV_FMT_FLOAT;
	return 0;
}

/* A chunk's id, printable. */
static void
audio_wav_chunk_name(const uint8_t *id, char *name)
{
	int	i;

	for (i = 0; i < 4; i++)
		name[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
	name[4] = '\0';
}

/* Walk the chunks up to the data. 0, AUDIO_WAV_FOREIGN or -1. */
static int
audio_wav_walk(struct audio_wav *w, uint64_t size, char **cause)
{
	uint8_t		 h[12], fmt[AUDIO_WAV_FMT_EXT_SIZE];
	char		 name[5];
	uint64_t	 off, body, len;
	uint32_t	 csize;
	ssize_t		 n;
	bool		 have_fmt = false;
	int		 rv;

	if ((n = audio_wav_pread(w->fd, h, sizeof h, 0)) == -1)
		goto read_error;
	if (n < (ssize_t)sizeof h || memcmp(h, "RIFF", 4) != 0 ||
	    memcmp(h + 8, "WAVE", 4) != 0)
		return AUDIO_WAV_FOREIGN;
	for (off = sizeof h; off + 8 <= size; off = body + len + (len & 1)) {
		if ((n = audio_wav_pread(w->fd, h, 8, off)) == -1)
			goto read_error;
		if (n < 8)
			break;		/* the file shrank under us */
		csize = audio_wav_get32(h + 4);
		body = off + 8;
		len = csize;
		if (memcmp(h, "data", 4) != 0 && body + len > size) {
			/* Only the data may be cut short: past any other
			 * chunk we would never find the data. */
			audio_wav_chunk_name(h, name);
			xasprintf(cause, "%s: truncated WAV: the \"%s\" chunk "
			    "at byte %llu claims %llu bytes, the file has %llu "
			    "more", w->path, name, (unsigned long long)off,
			    (unsigned long long)len,
			    (unsigned long long)(size - body));
			return -1;
		}
		if (memcmp(h, "fmt ", 4) == 0 && !have_fmt) {
			if (len < AUDIO_WAV_FMT_SIZE) {
				xasprintf(cause, "%s: bad WAV: a fmt chunk of "
				    "%llu bytes (at least %d)", w->path,
				    (unsigned long long)len,
				    AUDIO_WAV_FMT_SIZE);
				return -1;
			}
			if (len > sizeof fmt)
				len = sizeof fmt;	/* the rest is unused */
			if ((n = audio_wav_pread(w->fd, fmt, len, body)) == -1)
				goto read_error;
			if ((uint64_t)n < len)
				break;
			if ((rv = audio_wav_parse_fmt(w, fmt, len, cause)) != 0)
				return rv;
			have_fmt = true;
			len = csize;
		} else if (memcmp(h, "data", 4) == 0) {
			if (!have_fmt) {
				xasprintf(cause, "%s: bad WAV: the data chunk "
				    "comes before the fmt chunk", w->path);
				return -1;
			}
			/* Cut short (a recorder was killed), or "unknown"
			 * (0xffffffff from a writer that could not seek
			 * back): up to the end, as libsndfile reads it. */
			if (len > size - body)
				len = size - body;
			w->offset = body;
			w->frames = len / (w->channels * w->bytes);
			return 0;
		}
	}
	xasprintf(cause, "%s: truncated WAV: no %s chunk before the end of "
	    "the file", w->path, have_fmt ? "data" : "fmt");
	return -1;

read_error:
	xasprintf(cause, "%s: %s", w->path, strerror(errno));
	return -1;
}

int
audio_wav_open(struct audio_wav *w, const char *path, char **cause)
{
	struct stat	sb;
	int		rv;

	memset(w, 0, sizeof *w);
	/* Not blocking: a FIFO with no writer yet is libsndfile's to
	 * wait for, not ours. */
	if ((w->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	w->path = xstrdup(path);
	if (fstat(w->fd, &sb) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		rv = -1;
	} else if (S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: %s", path, strerror(EISDIR));
		rv = -1;
	} else if (!S_ISREG(sb.st_mode)) {
		/* A pipe or a device: libsndfile reads those as streams. */
		rv = AUDIO_WAV_FOREIGN;
	} else
		rv = audio_wav_walk(w, (uint64_t)sb.st_size, cause);
	if (rv != 0)
		audio_wav_close(w);
	return rv;
}

/* Convert n samples of raw little-endian bytes to floats. */
static void
audio_wav_convert(const struct audio_wav *w, const uint8_t *p, float *out,
    size_t n)
{
	size_t		i;
	uint32_t	u;
	int32_t		v;

	switch (w->bytes) {
	case 1:
		for (i = 0; i < n; i++)
			out[i] = ((int)p[i] - 128) * (1.0f / 0x80);
		break;
	case 2:
		for (i = 0; i < n; i++, p += 2)
			out[i] = (int16_t)audio_wav_get16(p) * (1.0f / 0x8000);
		break;
	case 3:
		for (i = 0; i < n; i++, p += 3) {
			v = (int32_t)(p[0] | p[1] << 8 | (uint32_t)p[2] << 16);
			if (v & 0x800000)
				v -= 0x1000000;
			out[i] = v * (1.0f / 0x800000);
		}
		break;
	case 4:
		for (i = 0; i < n; i++, p += 4) {
			u = audio_wav_get32(p);
			if (w->is_float)
				memcpy(&out[i], &u, sizeof out[i]);
			else
				out[i] = (float)(int32_t)u * (1.0f / 0x80000000u);
		}
		break;
	}
}

ssize_t
audio_wav_read(struct audio_wav *w, float *out, size_t n, char **cause)
{
	uint8_t		raw[AUDIO_WAV_READ_BYTES];
	size_t		frame = (size_t)w->channels * w->bytes, step, done = 0;
	ssize_t		got;

	_Static_assert(sizeof(float) == 4, "float is IEEE single precision");
	if (n > w->frames - w->pos)
		n = (size_t)(w->frames - w->pos);
	while (done < n) {
		step = sizeof raw / frame;
		if (step > n - done)
			step = n - done;
		got = audio_wav_pread(w->fd, raw, step * frame,
		    w->offset + w->pos * frame);
		if (got == -1) {
			xasprintf(cause, "%s: %s", w->path, strerror(errno));
			return -1;
		}
		if ((size_t)got < step * frame) {
			/* The file shrank since open: that is its end now. */
			step = (size_t)got / frame;
			n = done + step;
			w->frames = w->pos + step;
		}
		audio_wav_convert(w, raw, out + done * w->channels,
		    step * w->channels);
		done += step;
		w->pos += step;
	}
	return (ssize_t)done;
}

void
audio_wav_close(struct audio_wav *w)
{
	if (w->fd != -1)
		close(w->fd);
	free(w->path);
	w->fd = -1;
	w->path = NULL;
}

/* --- writing ------------------------------------------------------------ */

void
audio_wav_header(uint8_t *h, unsigned int rate, unsigned int channels,
    uint32_t data)
{
	memcpy(h, "RIFF", 4);
	audio_wav_put32(h + 4, data <= UINT32_MAX - 36 ? 36 + data :
	    UINT32_MAX);
	memcpy(h + 8, "WAVEfmt ", 8);
	audio_wav_put32(h + 16, AUDIO_WAV_FMT_SIZE);
	audio_wav_put16(h + 20, AUDIO_WAV_FMT_PCM);
	audio_wav_put16(h + 22, (uint16_t)channels);
	audio_wav_put32(h + 24, rate);
	audio_wav_put32(h + 28, rate * 2 * channels);	/* bytes per second */
	audio_wav_put16(h + 32, (uint16_t)(2 * channels)); /* bytes per frame */
	audio_wav_put16(h + 34, 16);		/* bits per sample */
	memcpy(h + 36, "data", 4);
	audio_wav_put32(h + 40, data);
}

int
audio_wav_write_all(int fd, const uint8_t *p, size_t len, size_t *done)
{
	ssize_t	n;

	*done = 0;
	while (*done < len) {
		n = write(fd, p + *done, len - *done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno;
		if (n == 0)
			return EIO;
		*done += (size_t)n;
	}
	return 0;
}

int
audio_wav_create(struct audio_wav_out *o, const char *path,
    unsigned int rate, char **cause)
{
	uint8_t	h[AUDIO_WAV_HEADER];
	size_t	done;
	int	error;

	memset(o, 0, sizeof *o);
	o->rate = rate;
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	o->seekable = lseek(o->fd, 0, SEEK_CUR) != -1;
	audio_wav_header(h, rate, 1, o->seekable ? 0 : UINT32_MAX);
	if ((error = audio_wav_write_all(o->fd, h, sizeof h, &done)) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(error));
		close(o->fd);
		o->fd = -1;
		return -1;
	}
	o->path = xstrdup(path);
	return 0;
}

/* Make the header say how many sample bytes the file holds. */
static void
audio_wav_update_header(struct audio_wav_out *o)
{
	uint8_t		h[AUDIO_WAV_HEADER];
	uint64_t	data = o->bytes & ~(uint64_t)1;
	ssize_t		n;

	/* Even after a failed write: what made it into the file is kept. */
	if (!o->seekable || data == o->header_bytes)
		return;
	audio_wav_header(h, o->rate, 1, (uint32_t)data);
	do
		n = pwrite(o->fd, h, sizeof h, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof h) {
		if (o->error == 0)
			o->error = n == -1 ? errno : EIO;
		return;
	}
	o->header_bytes = data;
}

void
audio_wav_write(struct audio_wav_out *o, const int16_t *pcm, size_t n)
{
	uint8_t		buf[2 * AUDIO_WAV_WRITE_SAMPLES];
	size_t		step, i, done, room;
	int		error;

	while (n > 0) {
		if (o->error != 0 || o->full) {
			o->lost += n;
			break;
		}
		step = n < AUDIO_WAV_WRITE_SAMPLES ? n :
		    AUDIO_WAV_WRITE_SAMPLES;
		room = (AUDIO_WAV_MAX_BYTES - o->bytes) / 2;
		if (step >= room) {
			o->full = true;
			step = room;
		}
		for (i = 0; i < step; i++)
			audio_wav_put16(buf + 2 * i, (uint16_t)pcm[i]);
		error = audio_wav_write_all(o->fd, buf, 2 * step, &done);
		o->bytes += done;
		if (error != 0) {
			o->error = error;
			o->lost += step - done / 2;
		}
		pcm += step;
		n -= step;
	}
	audio_wav_update_header(o);
}

int
audio_wav_finish(struct audio_wav_out *o, char **cause)
{
	int	error;

	audio_wav_update_header(o);
	error = o->error;
	if (close(o->fd) != 0 && error == 0)
		error = errno;
	o->fd = -1;
	if (error != 0 && cause != NULL)
		xasprintf(cause, "%s: write failed (%s), %llu samples not "
		    "written", o->path, strerror(error),
		    (unsigned long long)o->lost);
	else if (o->full && cause != NULL)
		xasprintf(cause, "%s: the WAV size limit (4 GiB) was reached, "
		    "%llu samples not written", o->path,
		    (unsigned long long)o->lost);
	free(o->path);
	o->path = NULL;
	return error != 0 || o->full ? -1 : 0;
}
