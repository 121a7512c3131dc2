/*
 * media.c: the media streams of calls and the media thread that runs them.
 *
 * The pipeline is paced by the sound device. The device thread (audio/)
 * wakes the media thread through an eventfd each time it has captured one
 * 20 ms frame; the media thread then takes that frame (with the matching
 * playback reference, when echo cancellation runs), cleans it up (echo
 * canceller, noise suppression, volume, mute), encodes it and sends it on
 * the active stream, and tops the playback ring up with one frame from the
 * active stream's jitter buffer (decoded, concealed, or silence).
 *
 * Packets do not wake it while the device runs: on each device wake-up,
 * before the frame is played, every stream's RTP socket is drained into
 * its jitter buffer, and the kernel's receive timestamp of each packet
 * (SO_TIMESTAMPNS) stands for its arrival, so the jitter estimate sees
 * the network, not the device's cadence. A packet waits in the socket
 * instead of in the jitter buffer, and the frame played is the same. Only
 * when no device runs (every call held, the device closed) or it has
 * stalled for MEDIA_DEV_STALL_US do the RTP sockets go back into the poll
 * set. RTCP sockets are always polled (a packet every few seconds). Nothing
 * else ticks: RTCP, statistics and the RTP timeout are due every second
 * or so and ride on the poll timeout. So a call costs the media thread one
 * wake-up per frame, the device's; on this machine each wake-up costs
 * about as much CPU as the frame's work with PCMU.
 *
 * A local conference joins two streams (media_conference): while both
 * have the device, the playback side takes one frame from each one's
 * jitter buffer, lined up into device frames (media-mix.c), and plays
 * their sum; those frames also wait in a short FIFO for the capture side,
 * which sends each stream the microphone plus the other's frame. Each
 * stream keeps its own codec, resamplers and jitter buffer; the mixing
 * happens at the device rate. Handing the frames from playback to capture
 * through a FIFO, instead of decoding on the capture side, keeps the
 * jitter buffers pulled by the playback clock as in a plain call; the
 * playback side runs first on each wake-up, so a frame is sent on in
 * the wake-up that decoded it.
 *
 * Everything runs at the rate the device really runs at (8 to 48 kHz,
 * whatever PortAudio settled on): frame sizes, the echo canceller and the
 * resamplers follow it, and a codec at that same rate gets the samples
 * with no conversion at all.
 *
 * Each stream sends RTP and RTCP to the addresses of the peer's SDP
 * until the peer's packets, proven to be its own, come from elsewhere (a
 * NAT), and then there (media-nat.c); while it sends nothing (held, in
 * the background) an RTP keep-alive goes every [sip] rtp_keepalive
 * seconds so that our NAT keeps the RTP port's binding.
 *
 * The loop thread changes a stream (parameters, mute, DTMF, recording)
 * under media_lock; the media thread takes the same lock once per
 * wake-up, for the few hundred microseconds its work lasts. The device
 * thread never waits for either: it meets this one through lock-free
 * rings. Events go back to the loop thread through a queue and an
 * eventfd.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "audio-tone.h"
#include "event.h"
#include "conf.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "media-aec.h"
#include "media-codec.h"
#include "media-dtmf.h"
#include "media-jbuf.h"
#include "media-level.h"
#include "media-mix.h"
#include "media-mos.h"
#include "media-nat.h"
#include "media-record.h"
#include "media-resample.h"
#include "media-rtp.h"
#include "media-srtp.h"
#include "media-stun.h"
#include "util.h"

#define MEDIA_FRAME_MS		20
#define MEDIA_MAX_RATE		48000
#define MEDIA_MAX_FRAME		(MEDIA_MAX_RATE * MEDIA_FRAME_MS / 1000)
#define MEDIA_STATS_US		(5 * 1000000ULL)
#define MEDIA_HOUSE_US		(1000000ULL)	/* timeouts, loss, levels */
#define MEDIA_DEV_STALL_US	(100 * 1000ULL)	/* see media_main */
#define MEDIA_PORT_MIN		16384
#define MEDIA_PORT_SPAN		8192	/* even ports from MIN, RTCP on +1 */
#define MEDIA_MAX_PACKET	1500
#define MEDIA_EVQ		64
#define MEDIA_MAX_FDS		(2 + 2 * 16)
/* RTCP comes every 5 s at most 1.5 times that: past this, an address is
 * gone (media-nat.c). */
#define MEDIA_LATCH_RTCP_QUIET_US (7500 * 1000ULL)
#define MEDIA_ECHOTEST_ID	0	/* no call has id 0 */
#define MEDIA_SILENT_PEAK	64	/* about -54 dBFS: a silent frame */
#define MEDIA_CONF_RELAY	3	/* frames of a leg waiting for the other */

static struct media_handlers	 media_h;

enum media_ev_kind {
	MEDIA_EV_DTMF,
	MEDIA_EV_TIMEOUT,
	MEDIA_EV_STATS,
	MEDIA_EV_STUN,
	MEDIA_EV_LATCH,
};

struct media_ev {
	enum media_ev_kind	 kind;
	int			 id;
	char			 digit;
	struct event_stats	 stats;
	bool			 rtcp;		/* LATCH: which flow */
	struct sockaddr_storage	 to;		/* LATCH: where it went */
	struct sockaddr_storage	 sdp;		/* LATCH: the SDP's address */
	struct media_stun_result stun;		/* STUN */
};

/* The STUN binding of one socket of a stream (media_stun). */
struct media_stun_sock {
	uint8_t			 tid[MEDIA_STUN_TID_LEN];
	struct media_stun_tx	 tx;
	bool			 done;
	bool			 ok;
	char			 addr[48];	/* what the server saw */
	int			 port;
	char			 why[256];	/* why not, or the last bad
						   answer while waiting */
};

struct media {
	/* Fixed at creation. */
	int			 id;
	int			 rtp_fd;	/* -1 for the echo test */
	int			 rtcp_fd;
	bool			 loopback;	/* the echo test: sent is received */
	char			 addr[64];
	int			 port;

	/* Everything below is under media_lock. */
	struct media_params	 params;
	bool			 configured;
	bool			 active;
	bool			 muted;

	/* Where we send RTP and RTCP, and whom we hear: the SDP's
	 * addresses until the peer's packets prove it is elsewhere. */
	struct media_latch	 rtp_latch;
	struct media_latch	 rtcp_latch;
	struct media_keepalive	 ka;
	int			 ka_pt;		/* -1: none free */

	struct media_rtp_session rtp;
	bool			 rtp_ready;
	uint32_t		 tx_rate;
	uint32_t		 tx_clock;	/* media time, RTP units */
	bool			 marker;	/* next packet starts a talkspurt */
	bool			 have_frame;
	uint64_t		 last_frame;	/* media_frame_no of the last */
	unsigned long		 tx_packets;

	struct media_codec	*enc;
	const struct media_codec_info *enc_ci;
	int			 send_pt;
	int			 enc_loss;	/* loss % the encoder plans for */
	struct media_resample	*enc_rs;	/* device rate -> encoder; NULL:
						   the same rate */
	unsigned int		 enc_dev_rate;	/* the rate enc_rs was made for */
	struct media_codec	*dec;
	int			 dec_pt;
	unsigned int		 dec_clock;	/* RTP clock of dec_pt */
	struct media_resample	*dec_rs;	/* decoder -> device rate */
	unsigned int		 dec_dev_rate;
	struct media_jbuf	*jb;
	struct media_srtp	*srtp;		/* NULL: plain RTP */

	struct media_dtmf_tx	*dtx;
	int			 te_pt;
	int			 te_rate;	/* its clock, as answered */
	struct media_dtmf_rx	*drx;
	int			 drx_pt;

	struct media_level	 lvl_in;	/* what we send */
	struct media_level	 lvl_out;	/* what we play */
	struct media_record	*rec;

	uint64_t		 last_rx_us;	/* monotonic */
	bool			 timeout_sent;
	uint64_t		 next_rtcp_us;	/* wall clock */
	uint64_t		 next_stats_us;
	unsigned long		 rx_foreign;	/* before the stream is set up */

	/* STUN (media_stun): RTP's binding, then RTCP's. */
	bool			 stun_on;
	struct sockaddr_storage	 stun_to;
	socklen_t		 stun_len;
	char			 stun_name[80];	/* "ADDR:PORT", for messages */
	struct media_stun_sock	 stun[2];
	unsigned long		 rx_stun;	/* STUN not ours, dropped */

	struct media		*next;
};

static pthread_mutex_t	 media_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	 media_thread;
static bool		 media_thread_up;
static bool		 media_stop;
static int		 media_wake_fd = -1;	/* loop -> media thread */
static int		 media_dev_fd = -1;	/* device -> media thread */
static int		 media_ev_fd = -1;	/* media thread -> loop */
static int		 media_ev_id;
static struct media	*media_list;
static struct media	*media_active;		/* has the device, or NULL */
static unsigned int	 media_gen;		/* media_list changed */
static struct media	*media_echo;		/* the echo test, or NULL */

/* The device, and what it plays when no call has it. */
static struct audio	*media_dev;
static struct audio	*media_ring_dev;
static unsigned int	 media_rate;		/* media_dev's rate */
static size_t		 media_frame;		/* 20 ms at media_rate */
static size_t		 media_play_target;	/* playback ring, samples */
/*
 * Device frames since start, the sender's clock (see media_send_frame):
 * each frame read counts, and so do frames dropped unread and, when the
 * device changes, the wall time it took; last_cap_us is when the last
 * frame was read.
 */
static uint64_t		 media_frame_no;
static bool		 media_dev_new;
static uint64_t		 media_last_cap_us;
static uint64_t		 media_last_dev_us;	/* last device wake-up */
static struct media_aec	*media_aec;		/* NULL: none */
static enum media_tone	 media_tone = MEDIA_TONE_NONE;
static struct audio_tone media_tone_gen;
static struct audio_tone media_ring_gen;
static char		*media_driver;
static char		*media_input;
static char		*media_output;
static char		*media_ring;
static bool		 media_keep_dev;	/* file driver: one recording */
static uint64_t		 media_rtp_timeout_us;	/* 0: never */
static uint64_t		 media_keepalive_us;	/* 0: none */
static struct conf_audio_opts {
	unsigned int	 rate;
	unsigned int	 period;
	bool		 aec;
	unsigned int	 echo_tail;
	bool		 ns;
	bool		 agc;
	bool		 file_echo;
	unsigned int	 echo_delay;
	double		 echo_gain;
	int		 opus_complexity;
	int		 opus_bitrate;
} media_opts;
static _Atomic int	 media_gain_in;		/* dB, set by the user */
static _Atomic int	 media_gain_out;
/* The meters of whatever has the device (a call or the echo test). */
static _Atomic float	 media_meter_in = -90.0f;
static _Atomic float	 media_meter_out = -90.0f;

/*
 * The local conference (one at a time; media_lock): its two streams, each
 * one's decoded audio waiting to be cut into device frames, and each
 * one's last frames waiting to be sent to the other. Made by the loop
 * thread, so the media thread never allocates.
 */
struct media_conf {
	struct media		*leg[2];
	struct media_mix_fifo	 dec[2];
	struct media_mix_fifo	 relay[2];
	bool			 mixing;	/* both legs have the device */
};
static struct media_conf media_conf;

static pthread_mutex_t	 media_evq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct media_ev	 media_evq[MEDIA_EVQ];
static int		 media_evq_n;

static uint64_t
media_mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
media_wall_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Media thread: queue an event for the loop thread. */
static void
media_post(const struct media_ev *ev)
{
	uint64_t	 one = 1;

	pthread_mutex_lock(&media_evq_lock);
	if (media_evq_n < MEDIA_EVQ)
		media_evq[media_evq_n++] = *ev;
	pthread_mutex_unlock(&media_evq_lock);
	if (write(media_ev_fd, &one, sizeof one) < 0) {
		/* The counter is saturated: the loop will read it anyway. */
	}
}

/* Loop thread: say where a stream's RTP or RTCP went (media_rx). */
static void
media_ev_latch(const struct media_ev *ev)
{
	char	 to[80], sdp[80];

	media_nat_addr_str((const struct sockaddr *)&ev->to, to, sizeof to);
	media_nat_addr_str((const struct sockaddr *)&ev->sdp, sdp, sizeof sdp);
	log_info("call %d: %s latched to %s, where the peer's packets come "
	    "from (its SDP said %s)", ev->id, ev->rtcp ? "RTCP" : "RTP", to,
	    sdp);
}

/* Media thread: the latch L of M moved; tell the loop. */
static void
media_post_latch(struct media *m, const struct media_latch *l, bool rtcp)
{
	struct media_ev	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = MEDIA_EV_LATCH;
	ev.id = m->id;
	ev.rtcp = rtcp;
	ev.to = l->cur;
	ev.sdp = l->sdp;
	media_post(&ev);
}

/* Loop thread: deliver queued events. */
static void
media_ev_read(int fd, void *arg)
{
	struct media_ev	 evs[MEDIA_EVQ];
	uint64_t	 v;
	int		 n, i;

	(void)arg;
	if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&media_evq_lock);
	n = media_evq_n;
	memcpy(evs, media_evq, sizeof evs[0] * (size_t)n);
	media_evq_n = 0;
	pthread_mutex_unlock(&media_evq_lock);
	for (i = 0; i < n; i++) {
		if (evs[i].id == MEDIA_ECHOTEST_ID)
			continue;	/* the echo test is no call */
		switch (evs[i].kind) {
		case MEDIA_EV_DTMF:
			if (media_h.dtmf != NULL)
				media_h.dtmf(evs[i].id, evs[i].digit, media_h.arg);
			break;
		case MEDIA_EV_TIMEOUT:
			if (media_h.timeout != NULL)
				media_h.timeout(evs[i].id, media_h.arg);
			break;
		case MEDIA_EV_STATS:
			if (media_h.stats != NULL)
				media_h.stats(&evs[i].stats, media_h.arg);
			break;
		case MEDIA_EV_STUN:
			if (media_h.stun != NULL)
				media_h.stun(evs[i].id, &evs[i].stun,
				    media_h.arg);
			break;
		case MEDIA_EV_LATCH:
			media_ev_latch(&evs[i]);
			break;
		}
	}
}

static void
media_wake(void)
{
	uint64_t	 one = 1;

	if (media_wake_fd != -1 && write(media_wake_fd, &one, sizeof one) < 0) {
		/* Saturated: the thread is awake anyway. */
	}
}

/* media_lock held: a conference leg that can have the device. */
static bool
media_conf_ready(int i)
{
	struct media	*m = media_conf.leg[i];

	return m != NULL && m->active && m->configured;
}

/*
 * media_lock held: the stream that gets the device, if any, and whether
 * the conference is mixed (both its legs have it). Mixing starts with
 * empty FIFOs: what they held is from before a pause.
 */
static void
media_pick_active(void)
{
	struct media	*m;
	bool		 mix;
	int		 i;

	media_active = NULL;
	for (m = media_list; m != NULL; m = m->next) {
		if (m->active && m->configured)
			media_active = m;
	}
	mix = media_conf_ready(0) && media_conf_ready(1);
	if (mix && !media_conf.mixing) {
		for (i = 0; i < 2; i++) {
			media_mix_fifo_clear(&media_conf.dec[i]);
			media_mix_fifo_clear(&media_conf.relay[i]);
		}
	}
	media_conf.mixing = mix;
}

/* --- the device (loop thread) --- */

static struct audio *
media_dev_open(const char *input, const char *output, bool main, char **cause)
{
	struct audio_config	 ac;
	struct audio		*a = NULL;

	memset(&ac, 0, sizeof ac);
	ac.driver = media_driver;
	ac.input = input;
	ac.output = output;
	ac.rate = media_opts.rate;
	ac.period_ms = media_opts.period;
	ac.notify_fd = media_dev_fd;
	/* One wake-up per frame: of the capture side, or else of playback. */
	ac.notify_samples = (unsigned int)((size_t)media_opts.rate *
	    MEDIA_FRAME_MS / 1000);
	if (main) {
		ac.echo_ref = media_opts.aec && input != NULL && output != NULL;
		ac.file_echo = media_opts.file_echo;
		ac.echo_delay_ms = media_opts.echo_delay;
		ac.echo_gain_db = media_opts.echo_gain;
	}
	if (audio_open(&ac, &a, cause) == 0)
		return a;
	if (strcmp(media_driver, "portaudio") != 0)
		return NULL;
	/* No usable sound device: keep the call working, say so. */
	log_warn("audio: %s; using the null driver (no sound)", *cause);
	free(*cause);
	*cause = NULL;
	ac.driver = "null";
	ac.input = input != NULL ? "" : NULL;
	ac.output = "";
	ac.echo_ref = false;
	if (audio_open(&ac, &a, cause) == 0)
		return a;
	return NULL;
}

/*
 * The echo canceller and the preprocessor for device A, or NULL when
 * neither is wanted or possible; says why in the log when asked for and
 * not possible.
 */
static struct media_aec *
media_aec_for(struct audio *a)
{
	struct media_aec_config	 c;
	struct media_aec	*aec = NULL;
	char			*cause = NULL;
	bool			 echo;

	if (!audio_has_capture(a))
		return NULL;
	echo = media_opts.aec && audio_has_echo_ref(a);
	if (media_opts.aec && !echo)
		log_warn("audio: echo cancellation is off: the input and the "
		    "output are not one duplex device");
	if (!echo && !media_opts.ns && !media_opts.agc)
		return NULL;
	memset(&c, 0, sizeof c);
	c.rate = audio_rate(a);
	c.frame = (unsigned int)((size_t)c.rate * MEDIA_FRAME_MS / 1000);
	c.tail_ms = echo ? media_opts.echo_tail : 0;
	c.noise_suppression = media_opts.ns;
	c.agc = media_opts.agc;
	if (media_aec_alloc(&aec, &c, &cause) != 0) {
		log_warn("audio: no echo cancellation: %s",
		    cause != NULL ? cause : "?");
		free(cause);
		return NULL;
	}
	log_debug("audio: %s%s%s at %u Hz", echo ? "echo cancellation, " : "",
	    media_opts.ns ? "noise suppression, " : "",
	    media_opts.agc ? "AGC" : "", c.rate);
	return aec;
}

/*
 * media_lock held, loop thread: the resamplers between the device rate
 * and the stream's codecs, made here so that the media thread never
 * allocates; none where the rates are equal.
 */
static void
media_stream_rates(struct media *m)
{
	char	*cause = NULL;

	if (media_rate == 0)
		return;
	if (m->enc_ci != NULL && m->enc_dev_rate != media_rate) {
		media_resample_free(m->enc_rs);
		m->enc_rs = NULL;
		if (m->enc_ci->pcm_rate != media_rate)
			m->enc_rs = media_resample_new(media_rate,
			    m->enc_ci->pcm_rate, MEDIA_RESAMPLE_QUALITY, &cause);
		m->enc_dev_rate = media_rate;
	}
	if (m->dec != NULL && m->dec_dev_rate != media_rate) {
		unsigned int pcm = media_codec_info(m->dec)->pcm_rate;

		media_resample_free(m->dec_rs);
		m->dec_rs = NULL;
		if (pcm != media_rate)
			m->dec_rs = media_resample_new(pcm, media_rate,
			    MEDIA_RESAMPLE_QUALITY, &cause);
		m->dec_dev_rate = media_rate;
	}
	free(cause);	/* the rates are checked: cannot fail */
}

/* Make A (with AEC) the device, under the lock; returns the old one. */
static struct audio *
media_dev_swap(struct audio *a, struct media_aec *aec, struct media_aec **old_aec)
{
	struct audio	*old;
	struct media	*m;

	pthread_mutex_lock(&media_lock);
	old = media_dev;
	*old_aec = media_aec;
	media_dev = a;
	media_aec = aec;
	if (a != NULL) {
		media_dev_new = true;
		media_rate = audio_rate(a);
		media_frame = (size_t)media_rate * MEDIA_FRAME_MS / 1000;
		/*
		 * The device takes a period at a time and the thread tops
		 * the ring up right after; a card's callbacks come less
		 * regularly than the file driver's clock, so a card gets a
		 * period more.
		 */
		media_play_target = media_frame;
		if (strcmp(audio_driver_name(a), "portaudio") == 0)
			media_play_target += audio_period(a);
		/* Frames at the new rate want new resamplers, and what the
		 * conference holds is at the old one. */
		for (m = media_list; m != NULL; m = m->next)
			media_stream_rates(m);
		media_conf.mixing = false;
		media_pick_active();
	}
	pthread_mutex_unlock(&media_lock);
	media_wake();
	return old;
}

static void
media_dev_close_one(struct audio *a, struct media_aec *aec)
{
	char	*cause = NULL;

	media_aec_free(aec);
	if (a != NULL && audio_close(a, &cause) != 0) {
		log_warn("audio: %s", cause != NULL ? cause : "close failed");
		free(cause);
	}
}

static int
media_dev_ensure(char **cause)
{
	struct audio		*a, *old;
	struct media_aec	*aec, *old_aec;

	pthread_mutex_lock(&media_lock);
	a = media_dev;
	pthread_mutex_unlock(&media_lock);
	if (a != NULL)
		return 0;
	a = media_dev_open(media_input, media_output, true, cause);
	if (a == NULL)
		return -1;
	if (audio_rate(a) != media_opts.rate)
		log_info("audio: the device runs at %u Hz", audio_rate(a));
	aec = media_aec_for(a);
	old = media_dev_swap(a, aec, &old_aec);
	media_dev_close_one(old, old_aec);
	log_debug("audio: %s device open at %u Hz", audio_driver_name(a),
	    audio_rate(a));
	return 0;
}

static void
media_dev_close(void)
{
	struct audio		*old;
	struct media_aec	*old_aec;

	old = media_dev_swap(NULL, NULL, &old_aec);
	media_dev_close_one(old, old_aec);
}

static void
media_ring_close(void)
{
	struct audio	*a;

	pthread_mutex_lock(&media_lock);
	a = media_ring_dev;
	media_ring_dev = NULL;
	pthread_mutex_unlock(&media_lock);
	media_dev_close_one(a, NULL);
}

/*
 * Close the device when no stream and no tone needs it, and give the
 * memory of finished calls back to the system (glibc keeps freed memory
 * of each thread's arena otherwise, and RSS grows with the calls made).
 */
static void
media_dev_idle(void)
{
	bool	 busy;

	pthread_mutex_lock(&media_lock);
	busy = media_list != NULL || media_tone != MEDIA_TONE_NONE;
	pthread_mutex_unlock(&media_lock);
	if (!busy) {
		if (!media_keep_dev)
			media_dev_close();
		malloc_trim(0);
	}
}

int
media_init(const struct conf *conf, const struct media_handlers *h,
    char **cause)
{
	static const char *const drivers[] = { "portaudio", "file", "null" };

	media_h = *h;
	media_driver = xstrdup(drivers[conf->driver]);
	media_input = xstrdup(conf->input);
	media_output = xstrdup(conf->output);
	media_ring = xstrdup(conf->ring);
	media_keep_dev = conf->driver == CONF_DRIVER_FILE;
	media_rtp_timeout_us = (uint64_t)conf->rtp_timeout * 1000000;
	media_keepalive_us = (uint64_t)conf->rtp_keepalive * 1000000;
	memset(&media_opts, 0, sizeof media_opts);
	media_opts.rate = conf->rate > 0 ? (unsigned int)conf->rate : 48000;
	media_opts.period = conf->period > 0 ? (unsigned int)conf->period :
	    MEDIA_FRAME_MS;
	media_opts.aec = conf->aec;
	media_opts.echo_tail = conf->echo_tail > 0 ?
	    (unsigned int)conf->echo_tail : 200;
	media_opts.ns = conf->noise_suppression;
	media_opts.agc = conf->agc;
	media_opts.file_echo = conf->file_echo;
	media_opts.echo_delay = (unsigned int)conf->file_echo_delay;
	media_opts.echo_gain = conf->file_echo_gain;
	media_opts.opus_complexity = conf->opus_complexity;
	media_opts.opus_bitrate = conf->opus_bitrate;
	atomic_store(&media_gain_in, 0);
	atomic_store(&media_gain_out, 0);
	media_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	media_ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	media_dev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (media_wake_fd == -1 || media_ev_fd == -1 || media_dev_fd == -1) {
		xasprintf(cause, "media: %s", strerror(errno));
		return -1;
	}
	media_ev_id = loop_fd_add(media_ev_fd, media_ev_read, NULL);
	if (media_ev_id < 0) {
		xasprintf(cause, "media: %s", strerror(-media_ev_id));
		return -1;
	}
	return 0;
}

/* --- stream state (media_lock held) --- */

static void
media_stream_clear(struct media *m)
{
	media_codec_free(m->enc);
	media_codec_free(m->dec);
	media_resample_free(m->enc_rs);
	media_resample_free(m->dec_rs);
	media_jbuf_free(m->jb);
	media_dtmf_tx_free(m->dtx);
	media_dtmf_rx_free(m->drx);
	media_srtp_free(m->srtp);
	m->srtp = NULL;
	m->enc = m->dec = NULL;
	m->enc_ci = NULL;
	m->enc_rs = m->dec_rs = NULL;
	m->enc_dev_rate = m->dec_dev_rate = 0;
	m->dec_pt = -1;
	m->jb = NULL;
	m->dtx = NULL;
	m->drx = NULL;
}

static int
media_sockaddr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	 hints, *ai;
	char		 ps[16];

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(ps, sizeof ps, "%d", port);
	if (getaddrinfo(addr, ps, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static const struct media_pt *
media_recv_pt(const struct media *m, int pt)
{
	int	 i;

	for (i = 0; i < m->params.nrecv; i++) {
		if (m->params.recv[i].pt == pt)
			return &m->params.recv[i];
	}
	/* Static payload types need no rtpmap. */
	if (pt == 0 || pt == 8) {
		static struct media_pt st[2] = {
			{ 0, "PCMU", 8000, 1, "" }, { 8, "PCMA", 8000, 1, "" },
		};

		return &st[pt == 8];
	}
	return NULL;
}

/*
 * (Re)create the decoder (only a decoder) and the jitter buffer for
 * payload type PT; false if we cannot. Made when the stream is configured
 * for the PT we expect; the media thread comes here only when a peer
 * switches to another of the PTs we offered.
 */
static bool
media_decoder(struct media *m, int pt)
{
	const struct media_pt	*p = media_recv_pt(m, pt);
	const struct media_codec_info *ci;
	char			*cause = NULL;
	bool			 same_clock;

	if (m->dec != NULL && m->dec_pt == pt)
		return true;
	if (p == NULL || (ci = media_codec_find_rate(p->name,
	    (unsigned int)p->rate)) == NULL || !ci->voice)
		return false;
	media_codec_free(m->dec);
	media_resample_free(m->dec_rs);
	m->dec_rs = NULL;
	m->dec_dev_rate = 0;
	m->dec = media_codec_new_role(ci->name, MEDIA_CODEC_DECODER, NULL,
	    &cause);
	if (m->dec == NULL) {
		free(cause);
		m->dec_pt = -1;
		return false;
	}
	same_clock = m->jb != NULL && m->dec_clock == ci->clock_rate;
	m->dec_pt = pt;
	m->dec_clock = ci->clock_rate;
	media_stream_rates(m);
	if (same_clock) {
		media_jbuf_flush(m->jb);
		return true;
	}
	media_jbuf_free(m->jb);
	m->jb = NULL;
	media_jbuf_alloc(&m->jb, ci->clock_rate);
	return m->jb != NULL;
}

static bool
media_is_te(const struct media *m, int pt)
{
	const struct media_pt	*p = media_recv_pt(m, pt);

	return p != NULL && strcasecmp(p->name, "telephone-event") == 0;
}

/* --- sending (media thread) --- */

static void	media_rx_rtp(struct media *, const uint8_t *, size_t, uint64_t,
		    uint64_t);

static void
media_send_rtp(struct media *m, uint8_t pt, bool marker, uint32_t clock,
    const void *payload, size_t len, uint64_t now)
{
	uint8_t		 pkt[MEDIA_MAX_PACKET + MEDIA_SRTP_OVERHEAD];
	uint64_t	 wall = media_wall_us();
	int		 n;

	n = media_rtp_sender_pack(&m->rtp.tx, pkt, MEDIA_MAX_PACKET, pt, marker,
	    clock, payload, len, wall);
	if (n <= 0)
		return;
	if (m->loopback) {
		/* The echo test: what we send is what we receive. */
		m->tx_packets++;
		media_rx_rtp(m, pkt, (size_t)n, now, wall);
		return;
	}
	if (m->srtp != NULL && media_srtp_protect(m->srtp, pkt, &n) != 0)
		return;
	if (sendto(m->rtp_fd, pkt, (size_t)n, 0,
	    (struct sockaddr *)&m->rtp_latch.cur, m->rtp_latch.len) == n)
		m->tx_packets++;
	media_keepalive_sent(&m->ka, now);
}

/* One 20 ms frame of microphone audio (at the device rate) for M. */
static void
media_send_frame(struct media *m, const int16_t *pcm, size_t n, uint64_t now)
{
	const struct media_codec_info	*ci = m->enc_ci;
	struct media_dtmf_packet	 dp;
	int16_t				 buf[MEDIA_MAX_FRAME];
	const int16_t			*in = pcm;
	uint8_t				 out[MEDIA_MAX_PACKET];
	size_t				 got, used, want;
	unsigned int			 samples;
	int				 len;

	if (m->enc == NULL || !m->rtp_ready)
		return;
	samples = ci->clock_rate * MEDIA_FRAME_MS / 1000;
	/*
	 * After a pause (another call had the device, a device switch) the
	 * RTP clock must show the time that passed, whole frames of it, and
	 * the next packet starts a talkspurt (RFC 3550 5.1), or the receiver
	 * takes the new audio for two-seconds-late old audio. The time that
	 * passed is counted in device frames, not read off the clock: a
	 * media thread woken late (a busy machine) gets several frames at
	 * once, and those are continuous audio, not a pause; a jump there
	 * would make the peer's jitter buffer take every later packet for
	 * early and the earlier ones for late.
	 */
	if (m->have_frame && media_frame_no - m->last_frame > 1) {
		m->tx_clock += (uint32_t)(media_frame_no - m->last_frame - 1) *
		    samples;
		m->marker = true;
	}
	m->have_frame = true;
	m->last_frame = media_frame_no;
	if (!(m->params.dir & MEDIA_SENDONLY)) {
		/* Not sending: time goes on; the next packet starts anew. */
		m->tx_clock += samples;
		m->marker = true;
		return;
	}
	if (m->dtx != NULL && media_dtmf_tx_poll(m->dtx, m->tx_clock, &dp) == 1) {
		media_send_rtp(m, (uint8_t)m->te_pt, dp.marker, dp.ts, dp.payload,
		    dp.len, now);
		m->tx_clock += samples;
		return;
	}
	want = ci->pcm_rate * MEDIA_FRAME_MS / 1000;
	if (m->enc_rs != NULL) {
		got = media_resample_process(m->enc_rs, pcm, n, buf, nitems(buf),
		    &used);
		if (got < want) {
			/* The resampler holds a few samples back at first. */
			memset(buf + got, 0, (want - got) * sizeof *buf);
		}
		in = buf;
	} else if (n != want)
		return;		/* a rate change on its way */
	len = media_codec_encode(m->enc, in, want, out, sizeof out);
	if (len > 0) {
		media_send_rtp(m, (uint8_t)m->send_pt, m->marker, m->tx_clock, out,
		    (size_t)len, now);
		m->marker = false;
	}
	m->tx_clock += samples;
}

/* --- receiving (media thread) --- */

/*
 * A packet H, the peer's (media_rx checked where it came from and its
 * SSRC), that arrived at NOW (monotonic), WALL (real time).
 */
static void
media_rx_rtp_hdr(struct media *m, const struct media_rtp_hdr *hp,
    uint64_t now, uint64_t wall)
{
	const struct media_rtp_hdr	 h = *hp;
	struct media_dtmf_report	 rep[4];
	struct media_ev			 ev;
	enum media_rtp_seq		 seq;
	int				 n, i, samples;

	seq = media_rtp_source_update(&m->rtp.rx, &h, wall);
	if (seq == MEDIA_RTP_SEQ_DUPLICATE || seq == MEDIA_RTP_SEQ_BAD)
		return;
	m->last_rx_us = now;
	m->timeout_sent = false;
	if (!(m->params.dir & MEDIA_RECVONLY))
		return;
	if (media_is_te(m, h.pt)) {
		if (m->drx == NULL || m->drx_pt != h.pt) {
			const struct media_pt *p = media_recv_pt(m, h.pt);

			media_dtmf_rx_free(m->drx);
			m->drx = media_dtmf_rx_new((unsigned int)p->rate);
			m->drx_pt = h.pt;
		}
		n = media_dtmf_rx_input(m->drx, h.ts, h.payload, h.payload_len,
		    rep, nitems(rep));
		for (i = 0; i < n; i++) {
			if (!rep[i].start || rep[i].digit == 0)
				continue;
			memset(&ev, 0, sizeof ev);
			ev.kind = MEDIA_EV_DTMF;
			ev.id = m->id;
			ev.digit = rep[i].digit;
			media_post(&ev);
		}
		return;
	}
	if (h.pt == 13 || !media_decoder(m, h.pt))
		return;		/* comfort noise, or nothing we can decode */
	samples = media_codec_packet_samples(m->dec, h.payload, h.payload_len);
	if (samples <= 0)
		return;
	media_jbuf_put(m->jb, h.seq, h.ts, h.ssrc, h.marker, h.payload,
	    h.payload_len, (uint32_t)samples, now);
}

/* The echo test's own packet, straight from media_send_rtp. */
static void
media_rx_rtp(struct media *m, const uint8_t *buf, size_t len, uint64_t now,
    uint64_t wall)
{
	struct media_rtp_hdr	 h;

	if (media_rtp_parse(&h, buf, len) == 0)
		media_rx_rtp_hdr(m, &h, now, wall);
}

/*
 * Everything queued on FD, a batch per system call (recvmmsg): reading
 * until EAGAIN would cost a second call on every wake-up. A flood is
 * bounded per wake-up; what is left is read on the next one (the RTCP
 * socket, polled level-triggered, wakes the thread again at once).
 */
#define MEDIA_RX_BATCH	8
#define MEDIA_RX_BUDGET	8	/* batches per wake-up */

/*
 * When the packet in MSG arrived, on the monotonic clock NOW is read on,
 * from its kernel receive timestamp (a CLOCK_REALTIME reading; WALL is
 * that clock now): NOW when it has none, or the clock was stepped
 * between the two readings.
 */
static uint64_t
media_rx_arrival(struct msghdr *msg, uint64_t now, uint64_t wall)
{
	struct cmsghdr	*c;
	struct timespec	 ts;
	uint64_t	 at;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof ts))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof ts);
		if (ts.tv_sec < 0)
			break;
		at = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
		if (at > wall || wall - at > MEDIA_HOUSE_US || wall - at > now)
			break;
		return now - (wall - at);
	}
	return now;
}

/* --- STUN (media thread) --- */

/* Both bindings are over: tell the loop what RTP's (and RTCP's) are. */
static void
media_stun_finish(struct media *m)
{
	struct media_stun_sock	*rtp = &m->stun[0], *rtcp = &m->stun[1];
	struct media_stun_result *r;
	struct media_ev		 ev;

	m->stun_on = false;
	memset(&ev, 0, sizeof ev);
	ev.kind = MEDIA_EV_STUN;
	ev.id = m->id;
	r = &ev.stun;
	util_strlcpy(r->server, m->stun_name, sizeof r->server);
	r->ok = rtp->ok;
	if (rtp->ok) {
		util_strlcpy(r->addr, rtp->addr, sizeof r->addr);
		r->port = rtp->port;
	} else
		util_strlcpy(r->why, rtp->why, sizeof r->why);
	if (rtcp->ok) {
		util_strlcpy(r->rtcp_addr, rtcp->addr, sizeof r->rtcp_addr);
		r->rtcp_port = rtcp->port;
	} else if (rtp->ok)
		util_strlcpy(r->why, rtcp->why, sizeof r->why);
	media_post(&ev);
}

/* A STUN message on socket K (0: RTP, 1: RTCP) of M, from FROM. */
static void
media_stun_rx(struct media *m, int k, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *from)
{
	struct media_stun_sock	*s = &m->stun[k];
	struct media_stun_resp	 r;
	int			 rc;

	/* Only the server we asked, about a transaction still open: a
	 * stranger's STUN is dropped like its RTP. */
	if (!m->stun_on || s->done ||
	    !media_nat_same_addr((const struct sockaddr *)from,
	    (const struct sockaddr *)&m->stun_to)) {
		m->rx_stun++;
		return;
	}
	rc = media_stun_parse(buf, len, s->tid, &r);
	switch (rc) {
	case 0:
		if (r.family != m->stun_to.ss_family) {
			snprintf(s->why, sizeof s->why, "STUN server %s "
			    "answered with an address of another family (%s)",
			    m->stun_name, r.addr);
			break;		/* keep waiting: maybe a better one */
		}
		s->done = s->ok = true;
		util_strlcpy(s->addr, r.addr, sizeof s->addr);
		s->port = r.port;
		break;
	case -EPROTO:
		s->done = true;
		snprintf(s->why, sizeof s->why, "STUN server %s answered "
		    "%d %s", m->stun_name, r.code, r.reason);
		break;
	case -EBADMSG:
		/* Not the end: a good answer to a retransmission may
		 * follow; if none does, this is why it failed. */
		snprintf(s->why, sizeof s->why, "STUN server %s sent a "
		    "malformed answer", m->stun_name);
		break;
	default:
		m->rx_stun++;
		return;
	}
	if (m->stun[0].done && m->stun[1].done)
		media_stun_finish(m);
}

/* Send what is due; returns when to come back. */
static uint64_t
media_stun_work(struct media *m, uint64_t now)
{
	uint8_t			 req[MEDIA_STUN_REQ_LEN];
	struct media_stun_sock	*s;
	uint64_t		 next = UINT64_MAX;
	int			 k, fd;

	if (!m->stun_on)
		return next;
	for (k = 0; k < 2; k++) {
		s = &m->stun[k];
		fd = k == 0 ? m->rtp_fd : m->rtcp_fd;
		for (;;) {
			if (s->done)
				break;
			switch (media_stun_tx_step(&s->tx, now)) {
			case MEDIA_STUN_SEND:
				media_stun_request(req, sizeof req, s->tid);
				sendto(fd, req, sizeof req, 0,
				    (struct sockaddr *)&m->stun_to, m->stun_len);
				continue;
			case MEDIA_STUN_GIVE_UP:
				s->done = true;
				if (s->why[0] == '\0')
					snprintf(s->why, sizeof s->why, "STUN "
					    "server %s did not answer",
					    m->stun_name);
				continue;
			case MEDIA_STUN_WAIT:
				break;
			}
			break;
		}
		if (!s->done && media_stun_tx_next(&s->tx) < next)
			next = media_stun_tx_next(&s->tx);
	}
	if (m->stun[0].done && m->stun[1].done) {
		media_stun_finish(m);
		return UINT64_MAX;
	}
	return next;
}

static void
media_rx(struct media *m, int fd, uint64_t now)
{
	static uint8_t		 bufs[MEDIA_RX_BATCH][MEDIA_MAX_PACKET +
				    MEDIA_SRTP_OVERHEAD];
	static union {
		char		 buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr	 align;
	}			 ctl[MEDIA_RX_BATCH];
	struct sockaddr_storage	 from[MEDIA_RX_BATCH];
	struct mmsghdr		 msgs[MEDIA_RX_BATCH];
	struct iovec		 iov[MEDIA_RX_BATCH];
	struct media_rtcp_info	 info;
	struct media_rtp_hdr	 h;
	enum media_latch_verdict v;
	const struct sockaddr	*sa;
	uint8_t			*buf;
	uint64_t		 wall = 0, at;
	int			 len, n, i, budget = MEDIA_RX_BUDGET;

	while (budget-- > 0) {
		memset(msgs, 0, sizeof msgs);
		for (i = 0; i < MEDIA_RX_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof bufs[i];
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof from[i];
			msgs[i].msg_hdr.msg_control = ctl[i].buf;
			msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
		}
		n = recvmmsg(fd, msgs, MEDIA_RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		if (wall == 0)
			wall = media_wall_us();
		for (i = 0; i < n; i++) {
			buf = bufs[i];
			len = (int)msgs[i].msg_len;
			/* STUN shares the sockets (RFC 7983): the first two
			 * bits are 00 where RTP and RTCP have version 2. It
			 * never reaches the decoders or the latch, from
			 * anyone. */
			if (media_stun_is(buf, (size_t)len)) {
				media_stun_rx(m, fd == m->rtp_fd ? 0 : 1, buf,
				    (size_t)len, &from[i]);
				continue;
			}
			sa = (const struct sockaddr *)&from[i];
			if (!m->configured) {
				m->rx_foreign++;
				continue;
			}
			/*
			 * Shorter than an RTP header (RTCP: a report's
			 * first 8 bytes): a peer's empty keep-alive (RFC
			 * 6263 4.1), nothing to count. With
			 * SRTP, what fails authentication is dropped (and
			 * counted by media-srtp), never played; what passes
			 * is the peer's, wherever it came from (media-nat.c).
			 */
			if (len < (fd == m->rtp_fd ? MEDIA_RTP_HDR_LEN : 8))
				continue;
			if (fd == m->rtp_fd) {
				if (m->srtp != NULL &&
				    media_srtp_unprotect(m->srtp, buf, &len) != 0)
					continue;
				if (media_rtp_parse(&h, buf, (size_t)len) != 0)
					continue;
				at = media_rx_arrival(&msgs[i].msg_hdr, now, wall);
				v = media_latch_rtp(&m->rtp_latch, sa, h.ssrc,
				    h.seq, m->srtp != NULL, at);
				if (v == MEDIA_LATCH_DROP)
					continue;
				if (v == MEDIA_LATCH_MOVED)
					media_post_latch(m, &m->rtp_latch, false);
				media_rx_rtp_hdr(m, &h, at, wall - (now - at));
			} else {
				if (m->srtp != NULL &&
				    media_srtp_unprotect_rtcp(m->srtp, buf, &len) != 0)
					continue;
				if (media_rtcp_parse(&info, buf, (size_t)len) != 0)
					continue;
				v = media_latch_rtcp(&m->rtcp_latch, &m->rtp_latch,
				    sa, info.has_report, info.ssrc,
				    m->srtp != NULL, now);
				if (v == MEDIA_LATCH_DROP)
					continue;
				if (v == MEDIA_LATCH_MOVED)
					media_post_latch(m, &m->rtcp_latch, true);
				if (m->rtp_ready)
					media_rtcp_process(&m->rtp, &info, wall);
			}
		}
		if (n < MEDIA_RX_BATCH)
			break;		/* the queue is empty */
	}
}

/* --- playback (media thread) --- */

static bool
media_silent(const int16_t *pcm, int n)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (pcm[i] > MEDIA_SILENT_PEAK || pcm[i] < -MEDIA_SILENT_PEAK)
			return false;
	}
	return true;
}

/*
 * Decode or conceal one jitter-buffer step into device-rate PCM; the
 * buffer's pulls are its playout clock, so EMPTY still yields its span
 * of silence. Returns 0 when the stream has nothing to play at all.
 */
static size_t
media_play_frame(struct media *m, int16_t *out, size_t cap, uint64_t now)
{
	struct media_jbuf_frame	 f, next;
	int16_t			 pcm[MEDIA_CODEC_MAX_SAMPLES];
	enum media_jbuf_kind	 k;
	size_t			 used, z;
	int			 n = 0;

	if (m->jb == NULL || m->dec == NULL || !(m->params.dir & MEDIA_RECVONLY))
		return 0;
	k = media_jbuf_get(m->jb, now, &f);
	switch (k) {
	case MEDIA_JBUF_FRAME:
		n = media_codec_decode(m->dec, f.payload, f.len, pcm, nitems(pcm));
		/* When the delay must shrink, a frame dropped in silence
		 * goes unheard: the buffer drops one sooner after these. */
		if (n > 0)
			media_jbuf_hint_silence(m->jb, media_silent(pcm, n));
		break;
	case MEDIA_JBUF_MISSING:
		if (f.duration > nitems(pcm))
			return 0;
		if (media_codec_has_fec(m->dec) && media_jbuf_peek_next(m->jb, &next))
			n = media_codec_decode_fec(m->dec, next.payload, next.len,
			    pcm, f.duration);
		else
			n = media_codec_conceal(m->dec, pcm, f.duration);
		break;
	case MEDIA_JBUF_EMPTY:
		z = (size_t)f.duration * media_rate / m->dec_clock;
		if (z == 0 || z > cap)
			return 0;
		memset(out, 0, z * sizeof *out);
		return z;
	}
	if (n <= 0)
		return 0;
	if (m->dec_rs == NULL) {
		if ((size_t)n > cap)
			return 0;
		memcpy(out, pcm, (size_t)n * sizeof *out);
		return (size_t)n;
	}
	return media_resample_process(m->dec_rs, pcm, (size_t)n, out, cap, &used);
}

/* Top the device's playback ring up to media_play_target. */
static void
media_playback(struct media *act, uint64_t now)
{
	int16_t		 buf[MEDIA_CODEC_MAX_SAMPLES + MEDIA_MAX_FRAME];
	size_t		 n;
	int		 guard = 8, gain = atomic_load_explicit(&media_gain_out,
			    memory_order_relaxed);

	while (audio_playback_queued(media_dev) < media_play_target &&
	    guard-- > 0) {
		n = act != NULL ? media_play_frame(act, buf, nitems(buf), now) : 0;
		if (n == 0) {
			n = media_frame;
			if (act == NULL && media_tone == MEDIA_TONE_RINGBACK)
				audio_tone_fill(&media_tone_gen, buf, n);
			else
				memset(buf, 0, n * sizeof *buf);
		}
		if (act != NULL) {
			media_gain_apply(buf, n, gain);
			media_level_feed(&act->lvl_out, buf, n);
			if (act->rec != NULL)
				media_record_right(act->rec, buf, n);
		}
		audio_playback_write(media_dev, buf, n);
	}
}

/*
 * One device frame of conference leg I into OUT: decoded jitter-buffer
 * steps are queued until they make a frame (a step is 20 ms of the
 * peer's clock, resampled: rarely exactly one device frame).
 */
static void
media_conf_pull(int i, int16_t *out, uint64_t now)
{
	int16_t			 buf[MEDIA_CODEC_MAX_SAMPLES + MEDIA_MAX_FRAME];
	struct media_mix_fifo	*f = &media_conf.dec[i];
	size_t			 n;
	int			 guard = 8;

	while (media_mix_fifo_len(f) < media_frame && guard-- > 0) {
		n = media_play_frame(media_conf.leg[i], buf, nitems(buf), now);
		if (n == 0)
			break;
		media_mix_fifo_put(f, buf, n, false);
	}
	media_mix_fifo_take(f, out, media_frame);
}

/*
 * The conference's playback: the sum of both legs, frame by frame, to
 * the speaker (and to both legs' recordings, as what we hear); each leg's
 * frame also waits for the capture side to send it to the other leg.
 */
static void
media_conf_playback(uint64_t now)
{
	int16_t		 leg[2][MEDIA_MAX_FRAME], out[MEDIA_MAX_FRAME];
	const int16_t	*src[2] = { leg[0], leg[1] };
	struct media	*m;
	int		 guard = 8, i, gain = atomic_load_explicit(&media_gain_out,
			    memory_order_relaxed);

	if (media_frame == 0 || media_frame > MEDIA_MAX_FRAME)
		return;
	while (audio_playback_queued(media_dev) < media_play_target &&
	    guard-- > 0) {
		for (i = 0; i < 2; i++) {
			media_conf_pull(i, leg[i], now);
			media_mix_fifo_put(&media_conf.relay[i], leg[i],
			    media_frame, true);
		}
		media_mix(out, src, 2, -1, media_frame);
		media_gain_apply(out, media_frame, gain);
		for (i = 0; i < 2; i++) {
			m = media_conf.leg[i];
			media_level_feed(&m->lvl_out, out, media_frame);
			if (m->rec != NULL)
				media_record_right(m->rec, out, media_frame);
		}
		audio_playback_write(media_dev, out, media_frame);
	}
}

static void
media_ring_fill(void)
{
	int16_t		 buf[MEDIA_MAX_FRAME];
	unsigned int	 rate = audio_rate(media_ring_dev);
	size_t		 n = (size_t)rate * MEDIA_FRAME_MS / 1000;

	while (audio_playback_queued(media_ring_dev) < 2 * n) {
		audio_tone_fill(&media_ring_gen, buf, n);
		audio_playback_write(media_ring_dev, buf, n);
	}
}

/* --- capture (media thread) --- */

/*
 * The conference's capture: each leg is sent the microphone (unless that
 * leg is muted) and the other leg's frame, the sum of everything but
 * itself; its recording gets the microphone as that leg heard it.
 */
static void
media_conf_send(const int16_t *mic, uint64_t now)
{
	int16_t		 relay[2][MEDIA_MAX_FRAME], out[MEDIA_MAX_FRAME];
	const int16_t	*src[3];
	struct media	*m;
	int		 i;

	for (i = 0; i < 2; i++)
		media_mix_fifo_take(&media_conf.relay[i], relay[i], media_frame);
	for (i = 0; i < 2; i++) {
		m = media_conf.leg[i];
		media_level_feed(&m->lvl_in, mic, media_frame);
		src[0] = m->muted ? NULL : mic;
		src[1] = relay[0];
		src[2] = relay[1];
		if (m->rec != NULL) {
			/* (out is free until the mix below) */
			media_mix(out, src, 1, -1, media_frame);
			media_record_left(m->rec, out, media_frame);
		}
		media_mix(out, src, 3, 1 + i, media_frame);
		media_send_frame(m, out, media_frame, now);
	}
}

/*
 * Each captured frame: echo cancellation against what was played at the
 * same instant, noise suppression, volume, meter, mute, recording, then
 * the encoder of the stream that has the device (of both streams, with
 * the other's audio added, in a conference). Without such a stream the
 * frames are dropped unprocessed.
 */
static void
media_capture(struct media *act, uint64_t now)
{
	int16_t		 mic[MEDIA_MAX_FRAME], ref[MEDIA_MAX_FRAME];
	uint64_t	 gap, held;
	bool		 echo = audio_has_echo_ref(media_dev);
	int		 gain = atomic_load_explicit(&media_gain_in,
			    memory_order_relaxed);

	if (media_frame == 0 || media_frame > MEDIA_MAX_FRAME)
		return;
	if (media_dev_new && audio_capture_avail(media_dev) >= media_frame) {
		/*
		 * The time no device captured, in whole frames: since the
		 * last frame read, less what the new device holds already.
		 */
		gap = media_last_cap_us != 0 && now > media_last_cap_us ?
		    (now - media_last_cap_us) / (MEDIA_FRAME_MS * 1000) : 0;
		held = audio_capture_avail(media_dev) / media_frame;
		if (gap > held)
			media_frame_no += gap - held;
		media_dev_new = false;
	}
	while (audio_capture_avail(media_dev) >= media_frame) {
		media_frame_no++;
		media_last_cap_us = now;
		if (echo)
			audio_capture_read_ref(media_dev, mic, ref, media_frame);
		else
			audio_capture_read(media_dev, mic, media_frame);
		if (act == NULL)
			continue;
		if (media_aec != NULL)
			media_aec_process(media_aec, mic, echo ? ref : NULL, mic);
		media_gain_apply(mic, media_frame, gain);
		if (media_conf.mixing) {
			media_conf_send(mic, now);
			continue;
		}
		/* The meter shows the microphone even when muted, so that
		 * one sees the mute is what keeps the other side deaf. */
		media_level_feed(&act->lvl_in, mic, media_frame);
		if (act->muted)
			memset(mic, 0, media_frame * sizeof *mic);
		if (act->rec != NULL)
			media_record_left(act->rec, mic, media_frame);
		media_send_frame(act, mic, media_frame, now);
	}
}

/* The device said it moved on by a frame. */
static void
media_device_work(uint64_t now)
{
	struct media	*act = media_active;

	if (media_dev != NULL) {
		/* A conference plays first: the frames it takes from the
		 * jitter buffers are sent on to the other leg right away,
		 * not a wake-up later. */
		if (audio_has_playback(media_dev) && media_conf.mixing)
			media_conf_playback(now);
		if (audio_has_capture(media_dev))
			media_capture(act, now);
		if (audio_has_playback(media_dev) && !media_conf.mixing)
			media_playback(act, now);
		if (act != NULL) {
			atomic_store_explicit(&media_meter_in,
			    media_level_peak_dbfs(&act->lvl_in),
			    memory_order_relaxed);
			atomic_store_explicit(&media_meter_out,
			    media_level_peak_dbfs(&act->lvl_out),
			    memory_order_relaxed);
		}
	}
	if (media_ring_dev != NULL && media_tone == MEDIA_TONE_RING)
		media_ring_fill();
}

/* --- periodic work (media thread) --- */

/* media_lock held: the statistics of M as the event carries them. */
static void
media_stats_fill(struct media *m, struct event_stats *st)
{
	struct media_rtp_stats	 rs;
	struct media_jbuf_stats	 js;
	struct media_mos_input	 mi;
	double			 loss = 0;

	memset(st, 0, sizeof *st);
	media_rtp_source_stats(&m->rtp.rx, &rs);
	st->id = m->id;
	st->rx_packets = rs.received;
	st->tx_packets = m->tx_packets;
	st->lost = (long)rs.lost;
	st->jitter_ms = rs.jitter_ms;
	st->rtt_ms = m->rtp.have_rtt ? m->rtp.rtt_ms : -1;
	st->jbuf_ms = m->jb != NULL ? media_jbuf_delay_ms(m->jb) : 0;
	st->srtp_dropped = m->srtp != NULL ? media_srtp_rejected(m->srtp) : 0;
	st->stranger_dropped = m->rtp_latch.dropped + m->rtcp_latch.dropped;
	st->keepalives = m->ka.sent;
	if (m->jb != NULL) {
		media_jbuf_stats(m->jb, &js);
		st->concealed = (unsigned long)js.missing;
	}
	st->in_level_dbfs = media_level_dbfs(&m->lvl_in);
	st->out_level_dbfs = media_level_dbfs(&m->lvl_out);
	if (rs.received + (rs.lost > 0 ? (uint64_t)rs.lost : 0) > 0 && rs.lost > 0)
		loss = 100.0 * (double)rs.lost /
		    (double)(rs.received + (uint64_t)rs.lost);
	memset(&mi, 0, sizeof mi);
	mi.codec = m->params.send.name;
	mi.rtt_ms = st->rtt_ms;
	mi.jbuf_ms = st->jbuf_ms;
	mi.loss_pct = loss;
	mi.burst_ratio = 1;
	st->mos = media_mos(&mi);
}

static void
media_stats_post(struct media *m)
{
	struct media_ev		 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = MEDIA_EV_STATS;
	ev.id = m->id;
	media_stats_fill(m, &ev.stats);
	media_post(&ev);
}

/* An address no packet should go to (c=0.0.0.0 hold, RFC 2543). */
static bool
media_unspecified(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return true;
}

/*
 * Nothing went out on M's RTP for media_keepalive_us (the call is held,
 * or is not the one with the device, or Opus DTX is quiet): a keep-alive
 * (media-nat.c says which kind, and why) keeps our NAT's binding of the
 * RTP port, so the peer's packets still get in when it resumes; sent
 * from the RTP socket itself, whatever the direction, as RFC 6263 says.
 * RTCP needs none: a report goes every 5 s or so, hold or not.
 */
static void
media_keepalive(struct media *m, uint64_t now)
{
	uint8_t		 pkt[MEDIA_RTP_HDR_LEN + MEDIA_SRTP_OVERHEAD], none = 0;
	int		 n;

	media_keepalive_sent(&m->ka, now);	/* tried: next one later */
	if (m->ka_pt < 0 || m->params.remote_port == 0 ||
	    media_unspecified(&m->rtp_latch.cur))
		return;
	n = media_rtp_sender_pack(&m->rtp.tx, pkt, MEDIA_RTP_HDR_LEN,
	    (uint8_t)m->ka_pt, false, m->tx_clock, &none, 0, media_wall_us());
	if (n <= 0)
		return;
	if (m->srtp != NULL && media_srtp_protect(m->srtp, pkt, &n) != 0)
		return;
	if (sendto(m->rtp_fd, pkt, (size_t)n, 0,
	    (struct sockaddr *)&m->rtp_latch.cur, m->rtp_latch.len) == n)
		m->ka.sent++;
}

/* The keep-alives' payload type: one negotiated in neither direction. */
static int
media_keepalive_pick(const struct media_params *p)
{
	int	 used[MEDIA_MAX_PT + 2], n = 0, i;

	for (i = 0; i < p->nrecv && i < MEDIA_MAX_PT; i++)
		used[n++] = p->recv[i].pt;
	used[n++] = p->send.pt;
	if (p->send_te_pt >= 0)
		used[n++] = p->send_te_pt;
	return media_keepalive_pt(used, n);
}

/* RTCP, encoder loss, statistics and the RTP timeout; returns when next. */
static uint64_t
media_periodic(struct media *m, uint64_t now)
{
	uint8_t		 buf[MEDIA_MAX_PACKET + MEDIA_SRTP_OVERHEAD];
	uint64_t	 wall = media_wall_us(), next;
	struct media_ev	 ev;
	int		 n;

	if (!m->configured || !m->rtp_ready)
		return now + MEDIA_HOUSE_US;
	if (wall >= m->next_rtcp_us && !m->loopback) {
		n = media_rtcp_build(&m->rtp, buf, MEDIA_MAX_PACKET, wall);
		if (n > 0 && m->srtp != NULL &&
		    media_srtp_protect_rtcp(m->srtp, buf, &n) != 0)
			n = 0;
		if (n > 0)
			sendto(m->rtcp_fd, buf, (size_t)n, 0,
			    (struct sockaddr *)&m->rtcp_latch.cur,
			    m->rtcp_latch.len);
		m->next_rtcp_us = wall + media_rtcp_interval(false, NULL, NULL);
	}
	if (!m->loopback && media_keepalive_due(&m->ka, now))
		media_keepalive(m, now);
	/*
	 * The loss the peer reports (RTCP) tunes how much Opus in-band FEC
	 * carries: none on a clean path, where it would only cost bits and
	 * CPU, and as much as the path loses once it does.
	 */
	if (m->rtp.have_remote_rb && m->enc != NULL) {
		/* Rounded up: under 1 % is still loss, and 0 sends no FEC. */
		int	 loss = (m->rtp.remote_rb.fraction * 100 + 255) / 256;

		if (loss != m->enc_loss &&
		    media_codec_set_loss(m->enc, loss) != -ENOTSUP)
			m->enc_loss = loss;
	}
	if (now >= m->next_stats_us) {
		if (!m->loopback)
			media_stats_post(m);
		m->next_stats_us = now + MEDIA_STATS_US;
	}
	if (media_rtp_timeout_us != 0 && (m->params.dir & MEDIA_RECVONLY) &&
	    !m->timeout_sent && now - m->last_rx_us > media_rtp_timeout_us &&
	    !m->loopback) {
		memset(&ev, 0, sizeof ev);
		ev.kind = MEDIA_EV_TIMEOUT;
		ev.id = m->id;
		media_post(&ev);
		m->timeout_sent = true;
	}
	next = m->next_stats_us;
	if (m->next_rtcp_us > wall && m->next_rtcp_us - wall < next - now)
		next = now + (m->next_rtcp_us - wall);
	if (!m->loopback && media_keepalive_next(&m->ka) < next)
		next = media_keepalive_next(&m->ka);
	if (next > now + MEDIA_HOUSE_US)
		next = now + MEDIA_HOUSE_US;
	return next;
}

/* --- the media thread --- */

struct media_poll {
	struct pollfd	 pfd[MEDIA_MAX_FDS];
	struct media	*owner[MEDIA_MAX_FDS];
	int		 n;
	unsigned int	 gen;
	uint64_t	 next_us;	/* periodic work due */
};

/* media_lock held: the descriptors to wait on, rebuilt when streams come
 * and go (not on every wake-up). */
static void
media_poll_build(struct media_poll *mp)
{
	struct media	*m;
	int		 n = 0, i;

	mp->pfd[n].fd = media_wake_fd;
	mp->owner[n++] = NULL;
	mp->pfd[n].fd = media_dev_fd;
	mp->owner[n++] = NULL;
	for (m = media_list; m != NULL && n + 2 <= MEDIA_MAX_FDS; m = m->next) {
		if (m->loopback)
			continue;
		mp->pfd[n].fd = m->rtp_fd;
		mp->owner[n++] = m;
		mp->pfd[n].fd = m->rtcp_fd;
		mp->owner[n++] = m;
	}
	for (i = 0; i < n; i++)
		mp->pfd[i].events = POLLIN;
	mp->n = n;
	mp->gen = media_gen;
}

/* Every stream's RTP socket, drained before the device's frame is played. */
static void
media_rx_all(uint64_t now)
{
	struct media	*m;

	for (m = media_list; m != NULL; m = m->next) {
		if (!m->loopback && m->rtp_fd != -1)
			media_rx(m, m->rtp_fd, now);
	}
}

static void *
media_main(void *arg)
{
	struct media_poll	 mp;
	struct media		*m;
	uint64_t		 v, now, next;
	int			 i, timeout, fd;
	bool			 paced = false;

	(void)arg;
	pthread_setname_np(pthread_self(), "tsp-media");
	memset(&mp, 0, sizeof mp);
	pthread_mutex_lock(&media_lock);
	for (;;) {
		/* Still under the lock: what to wait on, and for how long. */
		if (media_stop)
			break;
		if (mp.n == 0 || mp.gen != media_gen)
			media_poll_build(&mp);
		timeout = -1;
		now = media_mono_us();
		/*
		 * While the device wakes this thread every frame, RTP is read
		 * then (media_rx_all); a poll entry with a negative descriptor
		 * is skipped. A device silent for MEDIA_DEV_STALL_US hands
		 * the sockets back to poll.
		 */
		paced = media_dev != NULL && media_last_dev_us != 0 &&
		    now - media_last_dev_us < MEDIA_DEV_STALL_US;
		for (i = 2; i < mp.n; i++) {
			fd = mp.owner[i]->rtp_fd;
			if (mp.pfd[i].fd == fd || mp.pfd[i].fd == -1 - fd)
				mp.pfd[i].fd = paced ? -1 - fd : fd;
		}
		if (media_list != NULL) {
			timeout = mp.next_us > now ?
			    (int)((mp.next_us - now + 999) / 1000) : 0;
			if (paced && media_last_dev_us + MEDIA_DEV_STALL_US <
			    now + (uint64_t)timeout * 1000)
				timeout = (int)((media_last_dev_us +
				    MEDIA_DEV_STALL_US - now + 999) / 1000);
		}
		pthread_mutex_unlock(&media_lock);

		if (poll(mp.pfd, (nfds_t)mp.n, timeout) < 0 && errno != EINTR) {
			pthread_mutex_lock(&media_lock);
			break;
		}

		pthread_mutex_lock(&media_lock);
		now = media_mono_us();
		if ((mp.pfd[0].revents & POLLIN) &&
		    read(media_wake_fd, &v, sizeof v) < 0) {
			/* nothing pending */
		}
		if ((mp.pfd[1].revents & POLLIN) &&
		    read(media_dev_fd, &v, sizeof v) > 0) {
			media_last_dev_us = now;
			media_rx_all(now);
			media_device_work(now);
		}
		/* Streams that went away meanwhile: their descriptors too. */
		if (mp.gen == media_gen) {
			for (i = 2; i < mp.n; i++) {
				if (mp.pfd[i].revents & POLLIN)
					media_rx(mp.owner[i], mp.pfd[i].fd, now);
			}
		}
		if (now >= mp.next_us || mp.gen != media_gen) {
			next = now + MEDIA_HOUSE_US;
			for (m = media_list; m != NULL; m = m->next) {
				uint64_t t = media_periodic(m, now);

				if (t < next)
					next = t;
				if ((t = media_stun_work(m, now)) < next)
					next = t;
			}
			mp.next_us = next;
		}
	}
	pthread_mutex_unlock(&media_lock);
	return NULL;
}

static int
media_thread_start(char **cause)
{
	int	 rc;

	if (media_thread_up)
		return 0;
	rc = pthread_create(&media_thread, NULL, media_main, NULL);
	if (rc != 0) {
		xasprintf(cause, "cannot start the media thread: %s", strerror(rc));
		return -1;
	}
	media_thread_up = true;
	return 0;
}

/* --- the interface (loop thread) --- */

static int
media_bind(const char *addr, int port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, on = 1;

	if (media_sockaddr(addr, port, &ss, &len) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1 && bind(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		fd = -1;
	}
	/* Each packet's arrival, read later (media_rx); without it the
	 * time it is read stands in. */
	if (fd != -1 && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
	    sizeof on) != 0)
		log_debug("media: no receive timestamps: %s", strerror(errno));
	return fd;
}

static void
media_link(struct media *m)
{
	pthread_mutex_lock(&media_lock);
	m->next = media_list;
	media_list = m;
	media_gen++;
	pthread_mutex_unlock(&media_lock);
	media_wake();
}

static struct media *
media_alloc(int call_id)
{
	struct media	*m = xcalloc(1, sizeof *m);

	m->id = call_id;
	m->te_pt = -1;
	m->drx_pt = -1;
	m->dec_pt = -1;
	m->rtp_fd = m->rtcp_fd = -1;
	media_level_init(&m->lvl_in, media_opts.rate);
	media_level_init(&m->lvl_out, media_opts.rate);
	return m;
}

struct media *
media_new(int call_id, const char *addr, char **cause)
{
	struct media	*m;
	int		 tries, port;

	if (media_thread_start(cause) != 0)
		return NULL;
	m = media_alloc(call_id);
	util_strlcpy(m->addr, addr, sizeof m->addr);
	for (tries = 0; tries < 64; tries++) {
		port = MEDIA_PORT_MIN + 2 * (int)(random() % (MEDIA_PORT_SPAN / 2));
		m->rtp_fd = media_bind(addr, port);
		if (m->rtp_fd == -1)
			continue;
		m->rtcp_fd = media_bind(addr, port + 1);
		if (m->rtcp_fd != -1) {
			m->port = port;
			break;
		}
		close(m->rtp_fd);
	}
	if (m->port == 0) {
		xasprintf(cause, "cannot bind RTP/RTCP ports on %s", addr);
		free(m);
		return NULL;
	}
	media_link(m);
	return m;
}

int
media_local_port(const struct media *m)
{
	return m->port;
}

const char *
media_local_addr(const struct media *m)
{
	return m->addr;
}

int
media_stun(struct media *m, const char *addr, int port, char **cause)
{
	struct sockaddr_storage	 ss, local;
	socklen_t		 len, llen;
	bool			 v6 = strchr(addr, ':') != NULL;
	int			 k;

	if (m->loopback || media_sockaddr(addr, port, &ss, &len) != 0) {
		xasprintf(cause, "STUN server \"%s\" is not an IP address",
		    addr);
		return -1;
	}
	if (media_sockaddr(m->addr, 0, &local, &llen) == 0 &&
	    local.ss_family != ss.ss_family) {
		xasprintf(cause, "STUN server %s is IPv%s, the media socket "
		    "(%s) is not", addr, v6 ? "6" : "4", m->addr);
		return -1;
	}
	pthread_mutex_lock(&media_lock);
	memset(m->stun, 0, sizeof m->stun);
	m->stun_to = ss;
	m->stun_len = len;
	snprintf(m->stun_name, sizeof m->stun_name, "%s%s%s:%d", v6 ? "[" : "",
	    addr, v6 ? "]" : "", port);
	for (k = 0; k < 2; k++) {
		/* RFC 5389 10.1.1: uniformly random transaction IDs, so an
		 * off-path attacker cannot forge an answer. */
		if (getrandom(m->stun[k].tid, sizeof m->stun[k].tid, 0) !=
		    (ssize_t)sizeof m->stun[k].tid) {
			size_t	 i;

			for (i = 0; i < sizeof m->stun[k].tid; i++)
				m->stun[k].tid[i] = (uint8_t)random();
		}
		media_stun_tx_start(&m->stun[k].tx, media_mono_us());
	}
	m->stun_on = true;
	media_gen++;		/* the media thread looks at once */
	pthread_mutex_unlock(&media_lock);
	media_wake();
	return 0;
}

/* Apply P to M; media_lock held. */
static int
media_configure(struct media *m, const struct media_params *p, char **cause)
{
	const struct media_codec_info	*ci;
	struct media_codec_params	 cp;
	struct sockaddr_storage		 rtp, rtcp;
	socklen_t			 len = 0, len2 = 0;
	unsigned int			 te_rate;
	bool				 same_codec;
	int				 i;

	memset(&rtp, 0, sizeof rtp);
	memset(&rtcp, 0, sizeof rtcp);
	if (!m->loopback && (media_sockaddr(p->remote_addr, p->remote_port,
	    &rtp, &len) != 0 || media_sockaddr(p->remote_addr,
	    p->remote_rtcp_port, &rtcp, &len2) != 0)) {
		xasprintf(cause, "bad remote media address %s", p->remote_addr);
		return -1;
	}
	ci = media_codec_find_rate(p->send.name, (unsigned int)p->send.rate);
	if (ci == NULL || !ci->voice) {
		xasprintf(cause, "unsupported codec %s/%d", p->send.name, p->send.rate);
		return -1;
	}
	same_codec = m->enc != NULL && m->configured &&
	    strcasecmp(m->params.send.name, p->send.name) == 0 &&
	    m->params.send.rate == p->send.rate;
	if (!same_codec) {
		media_stream_clear(m);
		media_codec_params_default(&cp);
		cp.complexity = media_opts.opus_complexity;
		cp.bitrate = media_opts.opus_bitrate;
		m->enc = media_codec_new_role(ci->name, MEDIA_CODEC_ENCODER, &cp,
		    cause);
		if (m->enc == NULL)
			return -1;
		m->enc_ci = media_codec_info(m->enc);
		/* What the peer asked of our stream (useinbandfec, usedtx,
		 * maxaveragebitrate, ...). */
		if (p->send.fmtp[0] != '\0')
			media_codec_apply_fmtp(m->enc, p->send.fmtp);
		m->enc_loss = cp.loss_perc;
		if (!m->rtp_ready || m->tx_rate != ci->clock_rate) {
			/* A new clock means a new stream (new SSRC). */
			if (media_rtp_session_init(&m->rtp, ci->clock_rate,
			    (uint32_t)p->send.rate, NULL) != 0) {
				*cause = xstrdup("cannot start RTP (no randomness)");
				return -1;
			}
			m->rtp_ready = true;
			m->tx_rate = ci->clock_rate;
			m->tx_clock = 0;
			m->next_rtcp_us = media_wall_us() +
			    media_rtcp_interval(true, NULL, NULL);
		}
		m->marker = true;
		m->params = *p;		/* media_decoder reads the PTs */
		media_decoder(m, p->send.pt);
		media_stream_rates(m);
	}
	m->send_pt = p->send.pt;
	/* Events count their duration in the clock the exchange gave
	 * telephone-event: the voice's when the peer has it at that rate,
	 * else the one it has (Opus with only telephone-event/8000). */
	te_rate = p->send_te_rate > 0 ? (unsigned int)p->send_te_rate :
	    ci->clock_rate;
	if (p->send_te_pt >= 0 && (m->dtx == NULL || m->te_pt != p->send_te_pt ||
	    m->te_rate != (int)te_rate)) {
		media_dtmf_tx_free(m->dtx);
		m->dtx = media_dtmf_tx_new(te_rate, MEDIA_FRAME_MS);
	} else if (p->send_te_pt < 0) {
		media_dtmf_tx_free(m->dtx);
		m->dtx = NULL;
	}
	m->te_pt = p->send_te_pt;
	m->te_rate = (int)te_rate;
	/* The digits' receiver too, so the media thread need not make it. */
	for (i = 0; i < p->nrecv && m->drx == NULL; i++) {
		if (strcasecmp(p->recv[i].name, "telephone-event") == 0) {
			m->drx = media_dtmf_rx_new((unsigned int)p->recv[i].rate);
			m->drx_pt = p->recv[i].pt;
		}
	}
	/* New keys (or none): a new SRTP context. Same keys (re-INVITE for
	 * hold): keep it, with its replay window and rollover counters. */
	if (!p->srtp || !m->configured || !m->params.srtp ||
	    memcmp(&p->srtp_tx, &m->params.srtp_tx, sizeof p->srtp_tx) != 0 ||
	    memcmp(&p->srtp_rx, &m->params.srtp_rx, sizeof p->srtp_rx) != 0 ||
	    m->srtp == NULL) {
		media_srtp_free(m->srtp);
		m->srtp = NULL;
		if (p->srtp &&
		    (m->srtp = media_srtp_new(&p->srtp_tx, &p->srtp_rx, cause)) == NULL)
			return -1;
	}
	if (!(p->dir & MEDIA_RECVONLY) && m->jb != NULL)
		media_jbuf_flush(m->jb);
	/* The RTP timeout counts from when RTP is due: a peer that held
	 * us may have sent nothing, and its resume must not find the hold
	 * counted as silence. */
	if (!(m->params.dir & MEDIA_RECVONLY) || m->params.remote_hold ||
	    !m->configured)
		m->last_rx_us = media_mono_us();
	if (!m->configured)
		m->next_stats_us = media_mono_us() + MEDIA_STATS_US;
	if (!m->loopback) {
		media_latch_set(&m->rtp_latch, (struct sockaddr *)&rtp, len,
		    MEDIA_LATCH_QUIET_US);
		media_latch_set(&m->rtcp_latch, (struct sockaddr *)&rtcp, len2,
		    MEDIA_LATCH_RTCP_QUIET_US);
	}
	if (!m->configured)
		media_keepalive_init(&m->ka, media_keepalive_us, media_mono_us());
	m->ka_pt = media_keepalive_pick(p);
	m->params = *p;
	m->configured = true;
	media_pick_active();
	media_gen++;		/* periodic work: soon */
	return 0;
}

int
media_update(struct media *m, const struct media_params *p, char **cause)
{
	int	 rc;

	pthread_mutex_lock(&media_lock);
	rc = media_configure(m, p, cause);
	pthread_mutex_unlock(&media_lock);
	media_wake();
	return rc;
}

/* Stop the echo test, if it runs (loop thread). */
static void	media_unlink_free(struct media *);

static void
media_echotest_stop(const char *why)
{
	struct media	*m;

	pthread_mutex_lock(&media_lock);
	m = media_echo;
	media_echo = NULL;
	pthread_mutex_unlock(&media_lock);
	if (m == NULL)
		return;
	if (why != NULL)
		log_info("echo test ended: %s", why);
	media_unlink_free(m);
}

void
media_set_active(struct media *m, bool active)
{
	bool	 was;
	char	*cause = NULL;

	if (active && m != media_echo)
		media_echotest_stop("a call took the audio device");
	pthread_mutex_lock(&media_lock);
	was = m->active;
	m->active = active;
	if (active && !was && m->jb != NULL)
		media_jbuf_flush(m->jb);
	if (active && !was) {
		media_level_init(&m->lvl_in, media_rate);
		media_level_init(&m->lvl_out, media_rate);
	}
	media_pick_active();
	pthread_mutex_unlock(&media_lock);
	if (active && !was) {
		if (media_dev_ensure(&cause) != 0) {
			log_error("audio: %s", cause != NULL ? cause :
			    "cannot open the device");
			free(cause);
		}
		pthread_mutex_lock(&media_lock);
		if (media_dev != NULL && audio_has_capture(media_dev) &&
		    media_frame != 0)
			media_frame_no += audio_capture_drop(media_dev) /
			    media_frame;
		/* The canceller keeps what it learnt: the echo path is the
		 * device's and the room's, the same for the next call. */
		pthread_mutex_unlock(&media_lock);
	}
	if (!active) {
		atomic_store(&media_meter_in, -90.0f);
		atomic_store(&media_meter_out, -90.0f);
	}
}

void
media_set_mute(struct media *m, bool mute)
{
	pthread_mutex_lock(&media_lock);
	m->muted = mute;
	pthread_mutex_unlock(&media_lock);
}

int
media_send_dtmf(struct media *m, const char *digits, char **cause)
{
	int	 rc = 0;

	pthread_mutex_lock(&media_lock);
	if (m->dtx == NULL) {
		*cause = xstrdup("the peer accepts no telephone-event");
		rc = -1;
	} else if (media_dtmf_tx_queue(m->dtx, digits) != 0) {
		*cause = xstrdup("too many DTMF digits queued");
		rc = -1;
	}
	pthread_mutex_unlock(&media_lock);
	return rc;
}

void
media_stats(struct media *m, struct event_stats *st)
{
	pthread_mutex_lock(&media_lock);
	media_stats_fill(m, st);
	pthread_mutex_unlock(&media_lock);
}

/* media_lock held: take the conference out (to free once unlocked). */
static void
media_conf_take(struct media_conf *old)
{
	*old = media_conf;
	memset(&media_conf, 0, sizeof media_conf);
	media_pick_active();
}

static void
media_conf_free(struct media_conf *c)
{
	int	 i;

	for (i = 0; i < 2; i++) {
		media_mix_fifo_free(&c->dec[i]);
		media_mix_fifo_free(&c->relay[i]);
	}
}

int
media_conference(struct media *a, struct media *b, char **cause)
{
	struct media_conf	 c, old;
	int			 i;

	if (a == NULL || b == NULL || a == b || a->loopback || b->loopback) {
		*cause = xstrdup("a conference needs two calls");
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.leg[0] = a;
	c.leg[1] = b;
	for (i = 0; i < 2; i++) {
		/* The longest decoded step and what is left of the last. */
		media_mix_fifo_init(&c.dec[i], MEDIA_CODEC_MAX_SAMPLES +
		    MEDIA_MAX_FRAME);
		media_mix_fifo_init(&c.relay[i], MEDIA_CONF_RELAY *
		    MEDIA_MAX_FRAME);
	}
	pthread_mutex_lock(&media_lock);
	media_conf_take(&old);
	media_conf = c;
	media_pick_active();
	pthread_mutex_unlock(&media_lock);
	media_conf_free(&old);
	return 0;
}

void
media_split(struct media *m)
{
	struct media_conf	 old;

	memset(&old, 0, sizeof old);
	pthread_mutex_lock(&media_lock);
	if (m != NULL && (media_conf.leg[0] == m || media_conf.leg[1] == m))
		media_conf_take(&old);
	pthread_mutex_unlock(&media_lock);
	media_conf_free(&old);
}

/* Take M off the list (so the media thread forgets it) and free it. */
static void
media_unlink_free(struct media *m)
{
	struct media		**pp;
	struct media_record	*rec;
	char			*cause = NULL;

	media_split(m);
	pthread_mutex_lock(&media_lock);
	for (pp = &media_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	media_gen++;
	media_pick_active();
	media_stream_clear(m);
	rec = m->rec;
	m->rec = NULL;
	if (m->rtp_fd != -1)
		close(m->rtp_fd);
	if (m->rtcp_fd != -1)
		close(m->rtcp_fd);
	util_wipe(&m->params, sizeof m->params);	/* SRTP keys */
	pthread_mutex_unlock(&media_lock);
	media_wake();
	if (rec != NULL && media_record_close(rec, &cause) != 0) {
		log_warn("recording of call %d: %s", m->id,
		    cause != NULL ? cause : "incomplete");
		free(cause);
	}
	free(m);
	media_dev_idle();
}

void
media_free(struct media *m)
{
	if (m->active) {
		atomic_store(&media_meter_in, -90.0f);
		atomic_store(&media_meter_out, -90.0f);
	}
	media_unlink_free(m);
}

void
media_set_tone(enum media_tone tone)
{
	char	*cause = NULL;

	if (tone == media_tone)
		return;
	pthread_mutex_lock(&media_lock);
	media_tone = tone;
	pthread_mutex_unlock(&media_lock);

	if (tone == MEDIA_TONE_RINGBACK) {
		if (media_dev_ensure(&cause) != 0) {
			log_warn("audio: %s", cause != NULL ? cause : "no device");
			free(cause);
			cause = NULL;
		}
		pthread_mutex_lock(&media_lock);
		if (media_rate != 0)
			audio_tone_init_ringback(&media_tone_gen, media_rate);
		pthread_mutex_unlock(&media_lock);
		if (media_thread_start(&cause) != 0) {
			log_warn("%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	if (tone == MEDIA_TONE_RING && media_ring_dev == NULL &&
	    strcmp(media_driver, "portaudio") == 0) {
		struct audio *a = media_dev_open(NULL, media_ring, false, &cause);

		if (a == NULL) {
			log_warn("audio: no ring device: %s",
			    cause != NULL ? cause : "?");
			free(cause);
		} else {
			audio_tone_init_ringtone(&media_ring_gen, audio_rate(a));
			pthread_mutex_lock(&media_lock);
			media_ring_dev = a;
			pthread_mutex_unlock(&media_lock);
			cause = NULL;
			if (media_thread_start(&cause) != 0) {
				log_warn("%s", cause);
				free(cause);
			}
		}
	}
	if (tone != MEDIA_TONE_RING)
		media_ring_close();
	media_dev_idle();
}

/* --- what the user sees and hears --- */

void
media_levels(float *in_dbfs, float *out_dbfs)
{
	*in_dbfs = atomic_load_explicit(&media_meter_in, memory_order_relaxed);
	*out_dbfs = atomic_load_explicit(&media_meter_out, memory_order_relaxed);
}

void
media_set_volume(bool input, int db)
{
	if (db < MEDIA_VOLUME_MIN)
		db = MEDIA_VOLUME_MIN;
	if (db > MEDIA_VOLUME_MAX)
		db = MEDIA_VOLUME_MAX;
	atomic_store(input ? &media_gain_in : &media_gain_out, db);
}

int
media_volume(bool input)
{
	return atomic_load(input ? &media_gain_in : &media_gain_out);
}

bool
media_echotest_running(void)
{
	bool	 on;

	pthread_mutex_lock(&media_lock);
	on = media_echo != NULL;
	pthread_mutex_unlock(&media_lock);
	return on;
}

/*
 * The echo test: a stream whose packets go to itself, through the Opus
 * encoder, RTP, the jitter buffer and the decoder, so the user hears
 * their own voice with the delay a call would have.
 */
int
media_echotest(bool on, char **cause)
{
	struct media_params	 p;
	struct media		*m;
	const struct media_codec_info *ci;
	bool			 busy;

	if (!on) {
		if (!media_echotest_running()) {
			*cause = xstrdup("no echo test is running");
			return -1;
		}
		media_echotest_stop(NULL);
		return 0;
	}
	pthread_mutex_lock(&media_lock);
	busy = media_active != NULL;
	on = media_echo != NULL;
	pthread_mutex_unlock(&media_lock);
	if (on)
		return 0;
	if (busy) {
		*cause = xstrdup("a call has the audio device: hold it first");
		return -1;
	}
	if (media_thread_start(cause) != 0)
		return -1;
	ci = media_codec_find("opus");
	memset(&p, 0, sizeof p);
	util_strlcpy(p.send.name, ci->name, sizeof p.send.name);
	p.send.pt = ci->pt;
	p.send.rate = (int)ci->clock_rate;
	p.send.channels = 2;
	p.recv[0] = p.send;
	p.nrecv = 1;
	p.send_te_pt = -1;
	p.ptime = MEDIA_FRAME_MS;
	p.dir = MEDIA_SENDRECV;
	m = media_alloc(MEDIA_ECHOTEST_ID);
	m->loopback = true;
	util_strlcpy(m->addr, "loopback", sizeof m->addr);
	pthread_mutex_lock(&media_lock);
	if (media_configure(m, &p, cause) != 0) {
		media_stream_clear(m);
		pthread_mutex_unlock(&media_lock);
		free(m);
		return -1;
	}
	media_echo = m;
	pthread_mutex_unlock(&media_lock);
	media_link(m);
	media_set_active(m, true);
	log_info("echo test: you hear yourself through Opus and the jitter "
	    "buffer; \"echotest off\" ends it");
	return 0;
}

int
media_record_start(struct media *m, const char *path, char **cause)
{
	struct media_record	*rec;
	unsigned int		 rate;

	pthread_mutex_lock(&media_lock);
	rate = media_rate != 0 ? media_rate : media_opts.rate;
	if (m->rec != NULL) {
		pthread_mutex_unlock(&media_lock);
		*cause = xstrdup("the call is being recorded already");
		return -1;
	}
	pthread_mutex_unlock(&media_lock);
	if ((rec = media_record_open(path, rate, cause)) == NULL)
		return -1;
	pthread_mutex_lock(&media_lock);
	m->rec = rec;
	pthread_mutex_unlock(&media_lock);
	return 0;
}

int
media_record_stop(struct media *m, char **cause)
{
	struct media_record	*rec;

	pthread_mutex_lock(&media_lock);
	rec = m->rec;
	m->rec = NULL;
	pthread_mutex_unlock(&media_lock);
	if (rec == NULL) {
		*cause = xstrdup("the call is not being recorded");
		return -1;
	}
	return media_record_close(rec, cause);
}

bool
media_recording(const struct media *m)
{
	return m->rec != NULL;
}

/*
 * Switch the microphone (INPUT) or the speaker to device NAME, during a
 * call too: the new device is opened first, so a name that does not work
 * leaves the old one playing.
 */
int
media_set_device(bool input, const char *name, char **cause)
{
	struct audio		*a, *old;
	struct media_aec	*aec, *old_aec;
	bool			 open;
	char			**slot = input ? &media_input : &media_output;
	char			*was = *slot;

	*slot = xstrdup(name);
	pthread_mutex_lock(&media_lock);
	open = media_dev != NULL;
	pthread_mutex_unlock(&media_lock);
	if (!open) {
		free(was);
		return 0;	/* used when the device next opens */
	}
	a = media_dev_open(media_input, media_output, true, cause);
	if (a == NULL) {
		free(*slot);
		*slot = was;
		return -1;
	}
	free(was);
	aec = media_aec_for(a);
	old = media_dev_swap(a, aec, &old_aec);
	media_dev_close_one(old, old_aec);
	log_info("audio: %s is now %s (%u Hz)", input ? "input" : "output",
	    name, audio_rate(a));
	return 0;
}

int
media_list_devices(FILE *f, char **cause)
{
	int	 n = audio_list_devices(f, cause);

	if (n == 0)
		fputs("no audio devices\n", f);
	return n < 0 ? -1 : 0;
}

void
media_shutdown(void)
{
	if (media_thread_up) {
		pthread_mutex_lock(&media_lock);
		media_stop = true;
		pthread_mutex_unlock(&media_lock);
		media_wake();
		pthread_join(media_thread, NULL);
		media_thread_up = false;
	}
	media_echo = NULL;
	while (media_list != NULL)
		media_unlink_free(media_list);
	media_ring_close();
	media_dev_close();
	if (media_ev_id > 0)
		loop_fd_remove(media_ev_id);
	media_ev_id = 0;
	if (media_wake_fd != -1)
		close(media_wake_fd);
	if (media_ev_fd != -1)
		close(media_ev_fd);
	if (media_dev_fd != -1)
		close(media_dev_fd);
	media_wake_fd = media_ev_fd = media_dev_fd = -1;
	free(media_driver);
	free(media_input);
	free(media_output);
	free(media_ring);
	media_driver = media_input = media_output = media_ring = NULL;
	media_tone = MEDIA_TONE_NONE;
}
