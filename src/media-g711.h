/*
 * media-g711.h: G.711 mu-law and A-law companding (bit-exact with the
 * ITU-T G.191 reference coder) and a packet loss concealer for G.711
 * streams in the spirit of G.711 Appendix I.
 */
#ifndef TSP_MEDIA_G711_H
#define TSP_MEDIA_G711_H

#include <stddef.h>
#include <stdint.h>

/* One sample; input and output are 16-bit linear PCM. */
uint8_t	 media_g711_ulaw_encode(int16_t);
int16_t	 media_g711_ulaw_decode(uint8_t);
uint8_t	 media_g711_alaw_encode(int16_t);
int16_t	 media_g711_alaw_decode(uint8_t);

/* N samples; in and out must not overlap. */
void	 media_g711_ulaw_encode_buf(const int16_t *, size_t, uint8_t *);
void	 media_g711_ulaw_decode_buf(const uint8_t *, size_t, int16_t *);
void	 media_g711_alaw_encode_buf(const int16_t *, size_t, uint8_t *);
void	 media_g711_alaw_decode_buf(const uint8_t *, size_t, int16_t *);

/*
 * Loss concealment at 8 kHz. Feed every decoded frame through
 * media_g711_plc_good() (it remembers the history and, after a loss,
 * cross-fades the first samples of the new frame from the synthetic
 * signal so the join does not click); call media_g711_plc_conceal() for
 * each lost frame instead of decoding.
 *
 * Concealment repeats the last pitch period (5..15 ms, found by
 * normalised autocorrelation over the last 20 ms), made into a smooth
 * loop and joined to the last real sample; full level for the first
 * 10 ms of a loss, then fading by 20% per 10 ms to silence at 60 ms.
 */
struct media_g711_plc;

struct media_g711_plc	*media_g711_plc_new(void);
void	 media_g711_plc_free(struct media_g711_plc *);
void	 media_g711_plc_reset(struct media_g711_plc *);
void	 media_g711_plc_good(struct media_g711_plc *, int16_t *, size_t);
void	 media_g711_plc_conceal(struct media_g711_plc *, int16_t *, size_t);

#endif
