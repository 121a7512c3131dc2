/*
 * audio-wav.h: the WAV files of the file driver, read and written without
 * libsndfile.
 *
 * The reader takes RIFF/WAVE files of integer PCM (8-bit unsigned, 16,
 * 24 and 32-bit signed) or 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE,
 * any channel count up to AUDIO_WAV_MAX_CHANNELS and any rate. Anything
 * else that may still be audio (another container, A-law, ADPCM, 64-bit
 * float, a 12-bit sample...) it declines, so that the caller can hand it
 * to libsndfile; a RIFF/WAVE file whose chunks are broken is an error
 * that names the file and what is wrong.
 *
 * The writer makes a mono 16-bit PCM WAV and keeps the header's sizes
 * right after every write, so the file is valid at every moment.
 *
 * Neither is thread-safe; each object belongs to one thread at a time.
 */
#ifndef TSP_AUDIO_WAV_H
#define TSP_AUDIO_WAV_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_WAV_MAX_CHANNELS	64

/* audio_wav_open: the file is not one this reader takes. */
#define AUDIO_WAV_FOREIGN	1

/* A WAV being read. The fields are the reader's; read them, no more. */
struct audio_wav {
	int		 fd;
	char		*path;
	unsigned int	 rate;		/* Hz, not 0 */
	unsigned int	 channels;	/* 1 to AUDIO_WAV_MAX_CHANNELS */
	unsigned int	 bytes;		/* per sample: 1, 2, 3 or 4 */
	bool		 is_float;	/* 32-bit IEEE float, else integer */
	uint64_t	 offset;	/* of the first frame in the file */
	uint64_t	 frames;	/* whole frames the file holds */
	uint64_t	 pos;		/* the next frame to read */
};

/*
 * Open PATH and read its header. 0: ready, the fields above set (frames
 * may be 0). AUDIO_WAV_FOREIGN: not RIFF/WAVE, or a WAV of an encoding
 * this reader does not take; nothing is left open and *cause is not set.
 * -1: *cause (caller frees) is "PATH: what is wrong".
 * A data chunk that claims more than the file holds is read up to the
 * file's end (a recording cut short); a partial last frame is dropped.
 */
int	audio_wav_open(struct audio_wav *, const char *path, char **cause);
/*
 * Read up to n frames as interleaved floats scaled as libsndfile's
 * sf_readf_float scales them: an integer sample of b bits is x / 2^(b-1)
 * (8-bit ones are first made signed), a float sample is as stored.
 * Returns the frames read, 0 at the end, or -1 with *cause set.
 */
ssize_t	audio_wav_read(struct audio_wav *, float *, size_t n, char **cause);
void	audio_wav_close(struct audio_wav *);

/*
 * The 44-byte header of a 16-bit PCM WAV (RIFF, a 16-byte fmt chunk,
 * data) of CHANNELS at RATE holding DATA bytes of samples; the RIFF size
 * saturates at 4 GiB. Shared by the file driver and the call recorder.
 */
#define AUDIO_WAV_HEADER	44
void	audio_wav_header(uint8_t *h, unsigned int rate, unsigned int channels,
	    uint32_t data);
/* V little-endian at P (a sample, a header field). */
void	audio_wav_put16(uint8_t *p, uint16_t v);
/* Write LEN bytes to FD, past EINTR and short writes; the bytes that made
 * it go to *DONE. 0, or an errno (EIO for a write of 0). */
int	audio_wav_write_all(int fd, const uint8_t *p, size_t len, size_t *done);

/* A WAV being written. */
struct audio_wav_out {
	int		 fd;
	char		*path;
	unsigned int	 rate;
	bool		 seekable;	/* else the header is never rewritten */
	uint64_t	 bytes;		/* of samples in the file */
	uint64_t	 header_bytes;	/* what the header says */
	uint64_t	 lost;		/* samples not written */
	int		 error;		/* errno of the first failure */
	bool		 full;		/* at the 4 GiB a RIFF size can say */
};

/*
 * Create PATH (truncating a file already there) as a mono 16-bit PCM WAV
 * at RATE Hz holding no samples yet. 0, or -1 with *cause set ("PATH:
 * the system's reason").
 */
int	audio_wav_create(struct audio_wav_out *, const char *path,
	    unsigned int rate, char **cause);
/*
 * Append n samples (little-endian, whatever the host) and then rewrite
 * the header's sizes, so that a process killed at any point leaves a
 * valid file. After a failed write nothing more is written and the
 * samples are counted in lost; audio_wav_finish reports it.
 */
void	audio_wav_write(struct audio_wav_out *, const int16_t *, size_t n);
/*
 * Close the file. 0 if every sample given reached it; else -1 and, when
 * CAUSE is not NULL, *cause ("PATH: what went wrong").
 */
int	audio_wav_finish(struct audio_wav_out *, char **cause);

#endif
