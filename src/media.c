/*
 * media.c: the media streams of calls and the media thread that runs them.
 *
 * One thread does all media work: it polls every stream's RTP and RTCP
 * sockets and a 10 ms timer. On each tick it takes the microphone audio
 * the device has captured (20 ms at a time) and sends it, encoded, on
 * the active stream; and it keeps the device's playback ring filled to
 * MEDIA_PLAY_TARGET_MS from the active stream's jitter buffer (decoding,
 * concealing a loss, or silence), or with a tone. The device (audio/)
 * runs its own real-time thread and only meets this one through
 * lock-free rings, so its clock paces everything and the two never
 * drift apart.
 *
 * The loop thread changes a stream (parameters, mute, DTMF) under
 * media_lock; the media thread holds the same lock while it works. Media
 * work is a few hundred microseconds per tick, so the loop thread never
 * waits long, and the audio device never waits at all. Events go back to
 * the loop thread through a queue and an eventfd.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "audio-tone.h"
#include "event.h"
#include "conf.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "media-codec.h"
#include "media-dtmf.h"
#include "media-jbuf.h"
#include "media-resample.h"
#include "media-rtp.h"
#include "media-srtp.h"
#include "util.h"

#define MEDIA_DEV_RATE		48000
#define MEDIA_FRAME_MS		20
#define MEDIA_DEV_FRAME		(MEDIA_DEV_RATE * MEDIA_FRAME_MS / 1000)
#define MEDIA_TICK_MS		10
#define MEDIA_PLAY_TARGET_MS	40	/* playback queued ahead of the device */
#define MEDIA_STATS_US		(5 * 1000000ULL)
#define MEDIA_PORT_MIN		16384
#define MEDIA_PORT_SPAN		8192	/* even ports from MIN, RTCP on +1 */
#define MEDIA_MAX_PACKET	1500
#define MEDIA_EVQ		64
#define MEDIA_SSRC_HOLD_US	(500 * 1000ULL)	/* see media_rx_rtp */

static struct media_handlers	 media_h;

enum media_ev_kind {
	MEDIA_EV_DTMF,
	MEDIA_EV_TIMEOUT,
	MEDIA_EV_STATS,
};

struct media_ev {
	enum media_ev_kind	 kind;
	int			 id;
	char			 digit;
	struct event_stats	 stats;
};

struct media {
	/* Fixed at creation. */
	int			 id;
	int			 rtp_fd;
	int			 rtcp_fd;
	char			 addr[64];
	int			 port;

	/* Everything below is under media_lock. */
	struct media_params	 params;
	bool			 configured;
	bool			 active;
	bool			 muted;

	struct sockaddr_storage	 rtp_to;
	struct sockaddr_storage	 rtcp_to;
	socklen_t		 to_len;

	struct media_rtp_session rtp;
	bool			 rtp_ready;
	uint32_t		 tx_rate;
	uint32_t		 tx_clock;	/* media time, RTP units */
	bool			 marker;	/* next packet starts a talkspurt */
	uint64_t		 last_send_us;	/* monotonic, of the last frame */
	unsigned long		 tx_packets;

	struct media_codec	*enc;
	int			 send_pt;
	int			 enc_loss;	/* loss % the encoder plans for */
	struct media_resample	*enc_rs;	/* device rate -> encoder */
	struct media_codec	*dec;
	int			 dec_pt;
	struct media_resample	*dec_rs;	/* decoder -> device rate */
	struct media_jbuf	*jb;
	struct media_srtp	*srtp;		/* NULL: plain RTP */

	struct media_dtmf_tx	*dtx;
	int			 te_pt;
	struct media_dtmf_rx	*drx;
	int			 drx_pt;

	uint64_t		 last_rx_us;	/* monotonic */
	bool			 timeout_sent;
	uint64_t		 next_rtcp_us;	/* wall clock */
	uint64_t		 next_stats_us;
	unsigned long		 rx_foreign;	/* from an unexpected address */
	uint32_t		 rx_ssrc;	/* the peer's stream, once heard */
	bool			 rx_ssrc_set;
	uint64_t		 rx_ssrc_us;	/* its last packet (monotonic) */
	unsigned long		 rx_stranger;	/* other SSRCs, dropped */

	struct media		*next;
};

static pthread_mutex_t	 media_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	 media_thread;
static bool		 media_thread_up;
static bool		 media_stop;
static int		 media_wake_fd = -1;	/* loop -> media thread */
static int		 media_timer_fd = -1;
static int		 media_ev_fd = -1;	/* media thread -> loop */
static int		 media_ev_id;
static struct media	*media_list;

/* The device, and what it plays when no call has it. */
static struct audio	*media_dev;
static struct audio	*media_ring_dev;
static enum media_tone	 media_tone = MEDIA_TONE_NONE;
static struct audio_tone media_tone_gen;
static struct audio_tone media_ring_gen;
static char		*media_driver;
static char		*media_input;
static char		*media_output;
static char		*media_ring;
static bool		 media_keep_dev;	/* file driver: one recording */
static uint64_t		 media_rtp_timeout_us;	/* 0: never */

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

/* The 10 ms tick runs only while there is a stream or a tone. */
static void
media_timer_arm(bool on)
{
	struct itimerspec	 its;

	memset(&its, 0, sizeof its);
	if (on) {
		its.it_value.tv_nsec = MEDIA_TICK_MS * 1000000L;
		its.it_interval.tv_nsec = MEDIA_TICK_MS * 1000000L;
	}
	timerfd_settime(media_timer_fd, 0, &its, NULL);
}

/* --- the device (loop thread) --- */

static struct audio *
media_dev_open(const char *output, bool capture, char **cause)
{
	struct audio_config	 ac;
	struct audio		*a = NULL;

	memset(&ac, 0, sizeof ac);
	ac.driver = media_driver;
	ac.input = capture ? media_input : NULL;
	ac.output = output;
	ac.rate = MEDIA_DEV_RATE;
	if (audio_open(&ac, &a, cause) == 0)
		return a;
	if (strcmp(media_driver, "portaudio") != 0)
		return NULL;
	/* No usable sound device: keep the call working, say so. */
	log_warn("audio: %s; using the null driver (no sound)", *cause);
	free(*cause);
	*cause = NULL;
	ac.driver = "null";
	ac.input = capture ? "" : NULL;
	ac.output = "";
	if (audio_open(&ac, &a, cause) == 0)
		return a;
	return NULL;
}

static void
media_dev_ensure(void)
{
	struct audio	*a;
	char		*cause = NULL;

	pthread_mutex_lock(&media_lock);
	a = media_dev;
	pthread_mutex_unlock(&media_lock);
	if (a != NULL)
		return;
	a = media_dev_open(media_output, true, &cause);
	if (a == NULL) {
		log_error("audio: %s", cause != NULL ? cause : "cannot open the device");
		free(cause);
		return;
	}
	if (audio_rate(a) != MEDIA_DEV_RATE)
		log_info("audio: the device runs at %u Hz", audio_rate(a));
	pthread_mutex_lock(&media_lock);
	media_dev = a;
	pthread_mutex_unlock(&media_lock);
	log_debug("audio: %s device open", audio_driver_name(a));
}

static void
media_dev_close(struct audio **ap)
{
	struct audio	*a;
	char		*cause = NULL;

	pthread_mutex_lock(&media_lock);
	a = *ap;
	*ap = NULL;
	pthread_mutex_unlock(&media_lock);
	if (a != NULL && audio_close(a, &cause) != 0) {
		log_warn("audio: %s", cause != NULL ? cause : "close failed");
		free(cause);
	}
}

/* Close the device when no stream and no tone needs it. */
static void
media_dev_idle(void)
{
	bool	 busy;

	pthread_mutex_lock(&media_lock);
	busy = media_list != NULL || media_tone != MEDIA_TONE_NONE;
	pthread_mutex_unlock(&media_lock);
	if (!busy) {
		media_timer_arm(false);
		if (!media_keep_dev)
			media_dev_close(&media_dev);
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
	media_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	media_ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	media_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (media_wake_fd == -1 || media_ev_fd == -1 || media_timer_fd == -1) {
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
	m->enc_rs = m->dec_rs = NULL;
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

/* Same host (address, any port): RTP from elsewhere is not for us. */
static bool
media_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
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

/* (Re)create the decoder for payload type PT; false if we cannot. */
static bool
media_decoder(struct media *m, int pt)
{
	const struct media_pt	*p = media_recv_pt(m, pt);
	const struct media_codec_info *ci;
	char			*cause = NULL;

	if (m->dec != NULL && m->dec_pt == pt)
		return true;
	if (p == NULL || (ci = media_codec_find_rate(p->name, (unsigned int)p->rate)) == NULL ||
	    !ci->voice)
		return false;
	media_codec_free(m->dec);
	media_resample_free(m->dec_rs);
	m->dec = media_codec_new(ci->name, NULL, &cause);
	m->dec_rs = m->dec != NULL ? media_resample_new(ci->pcm_rate,
	    MEDIA_DEV_RATE, MEDIA_RESAMPLE_QUALITY, &cause) : NULL;
	if (m->dec == NULL || m->dec_rs == NULL) {
		free(cause);
		media_codec_free(m->dec);
		m->dec = NULL;
		return false;
	}
	m->dec_pt = pt;
	if (m->jb != NULL)
		media_jbuf_free(m->jb);
	m->jb = NULL;
	media_jbuf_alloc(&m->jb, (unsigned int)p->rate);
	return m->jb != NULL;
}

static bool
media_is_te(const struct media *m, int pt)
{
	const struct media_pt	*p = media_recv_pt(m, pt);

	return p != NULL && strcasecmp(p->name, "telephone-event") == 0;
}

/* --- sending (media thread) --- */

static void
media_send_rtp(struct media *m, uint8_t pt, bool marker, uint32_t clock,
    const void *payload, size_t len)
{
	uint8_t	 pkt[MEDIA_MAX_PACKET + MEDIA_SRTP_OVERHEAD];
	int	 n;

	n = media_rtp_sender_pack(&m->rtp.tx, pkt, MEDIA_MAX_PACKET, pt, marker,
	    clock, payload, len, media_wall_us());
	if (n <= 0)
		return;
	if (m->srtp != NULL && media_srtp_protect(m->srtp, pkt, &n) != 0)
		return;
	if (sendto(m->rtp_fd, pkt, (size_t)n, 0,
	    (struct sockaddr *)&m->rtp_to, m->to_len) == n)
		m->tx_packets++;
}

/* One 20 ms frame of microphone audio (at the device rate) for M. */
static void
media_send_frame(struct media *m, int16_t *pcm, size_t n, uint64_t now)
{
	const struct media_codec_info	*ci;
	struct media_dtmf_packet	 dp;
	int16_t				 buf[MEDIA_CODEC_MAX_SAMPLES];
	uint8_t				 out[MEDIA_MAX_PACKET];
	size_t				 got, used;
	unsigned int			 samples;
	int				 len;

	if (m->enc == NULL || !m->rtp_ready)
		return;
	ci = media_codec_info(m->enc);
	samples = ci->clock_rate * MEDIA_FRAME_MS / 1000;
	/*
	 * After a pause (hold, another call had the device) the RTP clock
	 * must show the time that passed, whole frames of it, and the next
	 * packet starts a talkspurt (RFC 3550 5.1), or the receiver takes
	 * the new audio for two-seconds-late old audio.
	 */
	if (m->last_send_us != 0 &&
	    now - m->last_send_us > 2 * MEDIA_FRAME_MS * 1000) {
		uint64_t frames = (now - m->last_send_us) / (MEDIA_FRAME_MS * 1000);

		m->tx_clock += (uint32_t)(frames - 1) * samples;
		m->marker = true;
	}
	m->last_send_us = now;
	if (!(m->params.dir & MEDIA_SENDONLY)) {
		/* Not sending: time goes on; the next packet starts anew. */
		m->tx_clock += samples;
		m->marker = true;
		return;
	}
	if (m->dtx != NULL && media_dtmf_tx_poll(m->dtx, m->tx_clock, &dp) == 1) {
		media_send_rtp(m, (uint8_t)m->te_pt, dp.marker, dp.ts, dp.payload,
		    dp.len);
		m->tx_clock += samples;
		return;
	}
	if (m->muted)
		memset(pcm, 0, n * sizeof *pcm);
	got = media_resample_process(m->enc_rs, pcm, n, buf, nitems(buf), &used);
	if (got < ci->pcm_rate * MEDIA_FRAME_MS / 1000) {
		/* The resampler holds a few samples back at first. */
		memset(buf + got, 0, (ci->pcm_rate * MEDIA_FRAME_MS / 1000 - got) *
		    sizeof *buf);
	}
	len = media_codec_encode(m->enc, buf, ci->pcm_rate * MEDIA_FRAME_MS / 1000,
	    out, sizeof out);
	if (len > 0) {
		media_send_rtp(m, (uint8_t)m->send_pt, m->marker, m->tx_clock, out,
		    (size_t)len);
		m->marker = false;
	}
	m->tx_clock += samples;
}

/* --- receiving (media thread) --- */

static void
media_rx_rtp(struct media *m, const uint8_t *buf, size_t len, uint64_t now)
{
	struct media_rtp_hdr		 h;
	struct media_dtmf_report	 rep[4];
	struct media_ev			 ev;
	enum media_rtp_seq		 seq;
	int				 n, i, samples;

	if (media_rtp_parse(&h, buf, len) != 0)
		return;
	/*
	 * The peer's address is checked already, but anyone there (or
	 * spoofing it) could still inject a stream: while the peer's SSRC
	 * keeps sending, other SSRCs are dropped. A peer that really
	 * changes SSRC (a new source after a re-INVITE, a transfer) goes
	 * quiet on the old one, and is followed after MEDIA_SSRC_HOLD_US.
	 */
	if (m->rx_ssrc_set && h.ssrc != m->rx_ssrc &&
	    now - m->rx_ssrc_us < MEDIA_SSRC_HOLD_US) {
		m->rx_stranger++;
		return;
	}
	m->rx_ssrc = h.ssrc;
	m->rx_ssrc_set = true;
	m->rx_ssrc_us = now;
	seq = media_rtp_source_update(&m->rtp.rx, &h, media_wall_us());
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

static void
media_rx(struct media *m, int fd, uint64_t now)
{
	struct sockaddr_storage	 from;
	struct media_rtcp_info	 info;
	uint8_t			 buf[MEDIA_MAX_PACKET + MEDIA_SRTP_OVERHEAD];
	socklen_t		 fl;
	ssize_t			 n;
	int			 len, budget = 64;	/* bound a flood per wake-up */

	while (budget-- > 0) {
		fl = sizeof from;
		n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		if (!m->configured || !media_same_host(&from, &m->rtp_to)) {
			m->rx_foreign++;
			continue;
		}
		/* With SRTP, what fails authentication is dropped (and
		 * counted by media-srtp), never played. */
		len = (int)n;
		if (fd == m->rtp_fd) {
			if (m->srtp != NULL && media_srtp_unprotect(m->srtp, buf, &len) != 0)
				continue;
			media_rx_rtp(m, buf, (size_t)len, now);
		} else {
			if (m->srtp != NULL &&
			    media_srtp_unprotect_rtcp(m->srtp, buf, &len) != 0)
				continue;
			if (media_rtcp_parse(&info, buf, (size_t)len) == 0 && m->rtp_ready)
				media_rtcp_process(&m->rtp, &info, media_wall_us());
		}
	}
}

/* --- playback (media thread) --- */

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
	size_t			 used;
	int			 n = 0;

	if (m->jb == NULL || m->dec == NULL || !(m->params.dir & MEDIA_RECVONLY))
		return 0;
	k = media_jbuf_get(m->jb, now, &f);
	switch (k) {
	case MEDIA_JBUF_FRAME:
		n = media_codec_decode(m->dec, f.payload, f.len, pcm, nitems(pcm));
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
	case MEDIA_JBUF_EMPTY: {
		size_t	 z = (size_t)f.duration * MEDIA_DEV_RATE /
		    media_resample_in_rate(m->dec_rs);

		if (z == 0 || z > cap)
			return 0;
		memset(out, 0, z * sizeof *out);
		return z;
	}
	}
	if (n <= 0)
		return 0;
	return media_resample_process(m->dec_rs, pcm, (size_t)n, out, cap, &used);
}

static void
media_playback(struct media *act, uint64_t now)
{
	int16_t		 buf[MEDIA_CODEC_MAX_SAMPLES * 6 + MEDIA_DEV_FRAME];
	size_t		 target = MEDIA_DEV_RATE * MEDIA_PLAY_TARGET_MS / 1000;
	size_t		 n;
	int		 guard = 16;

	while (audio_playback_queued(media_dev) < target && guard-- > 0) {
		n = act != NULL ? media_play_frame(act, buf, nitems(buf), now) : 0;
		if (n == 0) {
			n = MEDIA_DEV_FRAME;
			if (act == NULL && media_tone == MEDIA_TONE_RINGBACK)
				audio_tone_fill(&media_tone_gen, buf, n);
			else
				memset(buf, 0, n * sizeof *buf);
		}
		audio_playback_write(media_dev, buf, n);
	}
}

static void
media_ring_fill(void)
{
	int16_t		 buf[MEDIA_DEV_FRAME];
	size_t		 target = MEDIA_DEV_RATE * MEDIA_PLAY_TARGET_MS / 1000;
	unsigned int	 rate = audio_rate(media_ring_dev);

	while (audio_playback_queued(media_ring_dev) < target * rate / MEDIA_DEV_RATE) {
		audio_tone_fill(&media_ring_gen, buf, nitems(buf));
		audio_playback_write(media_ring_dev, buf, nitems(buf));
	}
}

/* --- periodic work (media thread) --- */

static void
media_stats_post(struct media *m)
{
	struct media_ev		 ev;
	struct media_rtp_stats	 st;

	memset(&ev, 0, sizeof ev);
	ev.kind = MEDIA_EV_STATS;
	ev.id = m->id;
	media_rtp_source_stats(&m->rtp.rx, &st);
	ev.stats.id = m->id;
	ev.stats.rx_packets = st.received;
	ev.stats.tx_packets = m->tx_packets;
	ev.stats.lost = (long)st.lost;
	ev.stats.jitter_ms = st.jitter_ms;
	ev.stats.rtt_ms = m->rtp.have_rtt ? m->rtp.rtt_ms : -1;
	ev.stats.jbuf_ms = m->jb != NULL ? media_jbuf_delay_ms(m->jb) : 0;
	ev.stats.srtp_dropped = m->srtp != NULL ? media_srtp_rejected(m->srtp) : 0;
	media_post(&ev);
}

static void
media_periodic(struct media *m, uint64_t now)
{
	uint8_t		 buf[MEDIA_MAX_PACKET + MEDIA_SRTP_OVERHEAD];
	uint64_t	 wall = media_wall_us();
	struct media_ev	 ev;
	int		 n;

	if (!m->configured || !m->rtp_ready)
		return;
	if (wall >= m->next_rtcp_us) {
		n = media_rtcp_build(&m->rtp, buf, MEDIA_MAX_PACKET, wall);
		if (n > 0 && m->srtp != NULL &&
		    media_srtp_protect_rtcp(m->srtp, buf, &n) != 0)
			n = 0;
		if (n > 0)
			sendto(m->rtcp_fd, buf, (size_t)n, 0,
			    (struct sockaddr *)&m->rtcp_to, m->to_len);
		m->next_rtcp_us = wall + media_rtcp_interval(false, NULL, NULL);
	}
	/*
	 * The loss the peer reports (RTCP) tunes how much Opus in-band FEC
	 * carries; never below the default, so one lost packet after a clean
	 * spell is still recoverable.
	 */
	if (m->rtp.have_remote_rb && m->enc != NULL) {
		int	 loss = m->rtp.remote_rb.fraction * 100 / 256;

		if (loss < MEDIA_CODEC_LOSS_PERC)
			loss = MEDIA_CODEC_LOSS_PERC;
		if (loss != m->enc_loss &&
		    media_codec_set_loss(m->enc, loss) != -ENOTSUP)
			m->enc_loss = loss;
	}
	if (now >= m->next_stats_us) {
		media_stats_post(m);
		m->next_stats_us = now + MEDIA_STATS_US;
	}
	if (media_rtp_timeout_us != 0 && (m->params.dir & MEDIA_RECVONLY) &&
	    !m->timeout_sent && now - m->last_rx_us > media_rtp_timeout_us) {
		memset(&ev, 0, sizeof ev);
		ev.kind = MEDIA_EV_TIMEOUT;
		ev.id = m->id;
		media_post(&ev);
		m->timeout_sent = true;
	}
}

static void
media_tick(uint64_t now)
{
	struct media	*m, *act = NULL;
	int16_t		 pcm[MEDIA_DEV_FRAME];

	for (m = media_list; m != NULL; m = m->next) {
		if (m->active && m->configured)
			act = m;
	}
	if (media_dev != NULL) {
		if (audio_has_capture(media_dev)) {
			while (audio_capture_avail(media_dev) >= MEDIA_DEV_FRAME) {
				audio_capture_read(media_dev, pcm, MEDIA_DEV_FRAME);
				if (act != NULL)
					media_send_frame(act, pcm, MEDIA_DEV_FRAME,
					    now);
			}
		}
		if (audio_has_playback(media_dev))
			media_playback(act, now);
	}
	if (media_ring_dev != NULL && media_tone == MEDIA_TONE_RING)
		media_ring_fill();
	for (m = media_list; m != NULL; m = m->next)
		media_periodic(m, now);
}

static void *
media_main(void *arg)
{
	struct pollfd	 pfd[2 + 2 * 16];
	struct media	*m;
	uint64_t	 v;
	int		 n, i;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&media_lock);
		if (media_stop) {
			pthread_mutex_unlock(&media_lock);
			break;
		}
		pfd[0].fd = media_wake_fd;
		pfd[1].fd = media_timer_fd;
		n = 2;
		for (m = media_list; m != NULL && n + 2 <= (int)nitems(pfd); m = m->next) {
			pfd[n++].fd = m->rtp_fd;
			pfd[n++].fd = m->rtcp_fd;
		}
		pthread_mutex_unlock(&media_lock);
		for (i = 0; i < n; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;

		pthread_mutex_lock(&media_lock);
		if (pfd[0].revents & POLLIN) {
			if (read(media_wake_fd, &v, sizeof v) < 0) {
				/* nothing pending */
			}
		}
		for (i = 2; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			/* The stream may be gone: find it by descriptor. */
			for (m = media_list; m != NULL; m = m->next) {
				if (m->rtp_fd == pfd[i].fd || m->rtcp_fd == pfd[i].fd) {
					media_rx(m, pfd[i].fd, media_mono_us());
					break;
				}
			}
		}
		if (pfd[1].revents & POLLIN) {
			if (read(media_timer_fd, &v, sizeof v) > 0)
				media_tick(media_mono_us());
		}
		pthread_mutex_unlock(&media_lock);
	}
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
	int			 fd;

	if (media_sockaddr(addr, port, &ss, &len) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1 && bind(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct media *
media_new(int call_id, const char *addr, char **cause)
{
	struct media	*m;
	int		 tries, port;

	if (media_thread_start(cause) != 0)
		return NULL;
	m = xcalloc(1, sizeof *m);
	m->id = call_id;
	m->te_pt = -1;
	m->drx_pt = -1;
	m->dec_pt = -1;
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
	pthread_mutex_lock(&media_lock);
	m->next = media_list;
	media_list = m;
	pthread_mutex_unlock(&media_lock);
	media_timer_arm(true);
	media_wake();
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

/* Apply P to M; media_lock held. */
static int
media_configure(struct media *m, const struct media_params *p, char **cause)
{
	const struct media_codec_info	*ci;
	struct sockaddr_storage		 rtp, rtcp;
	socklen_t			 len, len2;
	bool				 same_codec;

	if (media_sockaddr(p->remote_addr, p->remote_port, &rtp, &len) != 0 ||
	    media_sockaddr(p->remote_addr, p->remote_rtcp_port, &rtcp, &len2) != 0) {
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
		m->enc = media_codec_new(ci->name, NULL, cause);
		if (m->enc == NULL)
			return -1;
		/* What the peer asked of our stream (useinbandfec, usedtx,
		 * maxaveragebitrate, ...). */
		if (p->send.fmtp[0] != '\0')
			media_codec_apply_fmtp(m->enc, p->send.fmtp);
		m->enc_loss = MEDIA_CODEC_LOSS_PERC;
		m->enc_rs = media_resample_new(MEDIA_DEV_RATE, ci->pcm_rate,
		    MEDIA_RESAMPLE_QUALITY, cause);
		if (m->enc_rs == NULL)
			return -1;
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
		media_decoder(m, p->send.pt);
	}
	m->send_pt = p->send.pt;
	if (p->send_te_pt >= 0 && (m->dtx == NULL || m->te_pt != p->send_te_pt)) {
		media_dtmf_tx_free(m->dtx);
		m->dtx = media_dtmf_tx_new(ci->clock_rate, MEDIA_FRAME_MS);
	} else if (p->send_te_pt < 0) {
		media_dtmf_tx_free(m->dtx);
		m->dtx = NULL;
	}
	m->te_pt = p->send_te_pt;
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
	if (!(m->params.dir & MEDIA_RECVONLY) || !m->configured)
		m->last_rx_us = media_mono_us();
	if (!m->configured)
		m->next_stats_us = media_mono_us() + MEDIA_STATS_US;
	m->rtp_to = rtp;
	m->rtcp_to = rtcp;
	m->to_len = len;
	m->params = *p;
	m->configured = true;
	return 0;
}

int
media_update(struct media *m, const struct media_params *p, char **cause)
{
	int	 rc;

	pthread_mutex_lock(&media_lock);
	rc = media_configure(m, p, cause);
	pthread_mutex_unlock(&media_lock);
	return rc;
}

void
media_set_active(struct media *m, bool active)
{
	bool	 was;

	pthread_mutex_lock(&media_lock);
	was = m->active;
	m->active = active;
	if (active && !was && m->jb != NULL)
		media_jbuf_flush(m->jb);
	pthread_mutex_unlock(&media_lock);
	if (active && !was) {
		media_dev_ensure();
		pthread_mutex_lock(&media_lock);
		if (media_dev != NULL && audio_has_capture(media_dev))
			audio_capture_drop(media_dev);
		pthread_mutex_unlock(&media_lock);
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
	struct media_rtp_stats	 rs;

	pthread_mutex_lock(&media_lock);
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
	pthread_mutex_unlock(&media_lock);
}

void
media_free(struct media *m)
{
	struct media	**pp;

	pthread_mutex_lock(&media_lock);
	for (pp = &media_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	media_stream_clear(m);
	close(m->rtp_fd);
	close(m->rtcp_fd);
	util_wipe(&m->params, sizeof m->params);	/* SRTP keys */
	pthread_mutex_unlock(&media_lock);
	media_wake();
	free(m);
	media_dev_idle();
}

void
media_set_tone(enum media_tone tone)
{
	char	*cause = NULL;

	if (tone == media_tone)
		return;
	pthread_mutex_lock(&media_lock);
	media_tone = tone;
	if (tone == MEDIA_TONE_RINGBACK)
		audio_tone_init_ringback(&media_tone_gen, MEDIA_DEV_RATE);
	pthread_mutex_unlock(&media_lock);

	if (tone == MEDIA_TONE_RINGBACK) {
		media_dev_ensure();
		media_timer_arm(true);
	}
	if (tone == MEDIA_TONE_RING && media_ring_dev == NULL &&
	    strcmp(media_driver, "portaudio") == 0) {
		struct audio *a = media_dev_open(media_ring, false, &cause);

		if (a == NULL) {
			log_warn("audio: no ring device: %s",
			    cause != NULL ? cause : "?");
			free(cause);
		} else {
			audio_tone_init_ringtone(&media_ring_gen, audio_rate(a));
			pthread_mutex_lock(&media_lock);
			media_ring_dev = a;
			pthread_mutex_unlock(&media_lock);
			media_timer_arm(true);
		}
	}
	if (tone != MEDIA_TONE_RING)
		media_dev_close(&media_ring_dev);
	media_dev_idle();
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
	while (media_list != NULL)
		media_free(media_list);
	media_dev_close(&media_ring_dev);
	media_dev_close(&media_dev);
	if (media_ev_id > 0)
		loop_fd_remove(media_ev_id);
	media_ev_id = 0;
	if (media_wake_fd != -1)
		close(media_wake_fd);
	if (media_ev_fd != -1)
		close(media_ev_fd);
	if (media_timer_fd != -1)
		close(media_timer_fd);
	media_wake_fd = media_ev_fd = media_timer_fd = -1;
	free(media_driver);
	free(media_input);
	free(media_output);
	free(media_ring);
	media_driver = media_input = media_output = media_ring = NULL;
}
