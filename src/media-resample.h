/*
 * media-resample.h: mono 16-bit sample-rate conversion between the audio
 * device and the codec, over the speexdsp resampler. One converter per
 * direction per call; single-threaded (the media thread owns it).
 */
#ifndef TSP_MEDIA_RESAMPLE_H
#define TSP_MEDIA_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * speexdsp quality 0..10. 3 is speex's own "VoIP" setting: 48 taps with
 * ~80 dB stop band and a pass band to 85% of Nyquist, which is above
 * what G.711 carries (3.4 kHz of 4) and what Opus voice uses. 4 costs a
 * third more (64 taps) for a pass band to 89%; when going down from
 * 48 kHz the filter grows with the ratio, so the difference is paid six
 * times over on every G.711 call's microphone path.
 */
#define MEDIA_RESAMPLE_QUALITY	3

struct media_resample;

/* NULL and *cause (caller frees) on bad rates or quality. */
struct media_resample	*media_resample_new(unsigned int in_rate,
			    unsigned int out_rate, int quality, char **cause);
void	 media_resample_free(struct media_resample *);

/*
 * Convert up to IN_LEN samples into OUT (room for OUT_CAP); returns the
 * samples written. *CONSUMED (may be NULL) gets the input samples used:
 * all of them when OUT_CAP >= media_resample_out_max(IN_LEN). The
 * converter keeps its fractional position, so over a long stream the
 * output count tracks IN * out_rate / in_rate with no drift (for
 * integral ratios such as 8000 <-> 48000 every call is exact). Equal
 * rates copy straight through.
 */
size_t	 media_resample_process(struct media_resample *, const int16_t *in,
	    size_t in_len, int16_t *out, size_t out_cap, size_t *consumed);
/* Output room always sufficient for IN_LEN input samples. */
size_t	 media_resample_out_max(const struct media_resample *, size_t in_len);
/* Forget the filter history (new stream, after a gap). */
void	 media_resample_reset(struct media_resample *);
/* Delay the filter adds, in output samples (0 when passing through). */
unsigned int media_resample_latency(const struct media_resample *);
int	 media_resample_passthrough(const struct media_resample *);
unsigned int media_resample_in_rate(const struct media_resample *);
unsigned int media_resample_out_rate(const struct media_resample *);

#endif
