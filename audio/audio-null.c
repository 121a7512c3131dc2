/*
 * audio-null.c: a sound card with nothing plugged in. Its clock thread
 * keeps real time, records silence and plays into nothing, so the media
 * path runs exactly as with a card (pacing, ring levels, counters) on a
 * machine without one, and when the real card cannot be opened. Both
 * directions run in the one tick, so it is a duplex device: its echo
 * reference is what it played, at offset 0 from its silent capture.
 */
#include "config.h"

#include <stdlib.h>

#include "audio.h"
#include "audio-int.h"
#include "util.h"

struct audio_null {
	struct audio_clock	 clock;
	struct audio		*audio;
	int16_t			*scratch;	/* one period, for playback */
};

static void
audio_null_tick(void *arg)
{
	struct audio_null	*n = arg;
	struct audio		*a = n->audio;

	if (a->playback != NULL)
		audio_device_playback(a, n->scratch, a->period);
	if (a->capture != NULL)
		audio_device_capture_ref(a, NULL, n->scratch, a->period);
}

static int
audio_null_open(struct audio *a, const struct audio_config *cfg,
    char **cause)
{
	struct audio_null	*n;

	n = xcalloc(1, sizeof *n);
	n->audio = a;
	a->priv = n;
	a->duplex = true;
	return 0;
}

static int
audio_null_start(struct audio *a, char **cause)
{
	struct audio_null	*n = a->priv;

	n->scratch = xcalloc(a->period, sizeof *n->scratch);
	return audio_clock_start(&n->clock, a->period, a->rate,
	    audio_null_tick, n, cause);
}

static int
audio_null_close(struct audio *a, char **cause)
{
	struct audio_null	*n = a->priv;

	if (n == NULL)
		return 0;
	audio_clock_stop(&n->clock);
	free(n->scratch);
	free(n);
	a->priv = NULL;
	return 0;
}

const struct audio_driver audio_null_driver = {
	.name = "null",
	.open = audio_null_open,
	.start = audio_null_start,
	.close = audio_null_close,
};
