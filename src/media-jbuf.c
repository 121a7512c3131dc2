/*
 * media-jbuf.c: the adaptive jitter buffer: a fixed pool of packets kept in
 * timestamp order, a playout point that the caller's pulls move along, and
 * the delay control that decides when to start, conceal, wait or skip.
 *
 * Model. Each packet's transit d = arrival - (timestamp in microseconds)
 * is known up to a constant offset. The playout lag P = now - (playout
 * timestamp in microseconds), measured at each get, is in the same units,
 * so a packet is on time when d <= P. The buffer keeps the transits of the
 * last ~3 s of packets; their 99th percentile above the fastest packet
 * (dmin) is the "spread"; media-jbuf-est.c keeps both up to date without
 * sorting the window (the spread to within 0.25 ms). The reported delay
 * is P - dmin, how long the fastest packets wait here (P is taken as its
 * minimum over the last few hundred ms of gets, so the caller's pull
 * timing does not make it jump).
 *
 * The target is spread + 5 ms, at least 10 ms, and one packet more while
 * packets are being lost (one was in the last ~500 put): the extra packet
 * means a lost packet's successor is usually here when the loss is found,
 * for Opus FEC, and one lost packet is one concealed frame. On a clean
 * path it would only add delay: a peer that sizes its FEC to the loss we
 * report (tsphone does) sends none there. The first loss finds the
 * successor missing, so the buffer holds for it (one frame concealed, the
 * delay grown by a packet), then plays the FEC; the loss keeps that packet
 * in the target, and the shrinking below takes it back once the path has
 * been clean for a while. The floor matters to device-paced callers: a
 * packet that arrives just after a pull waits for the next one, 20 ms
 * later, and a floor below that lets it go then, not a pull after.
 * Playout starts once the head has waited the target, plus how unevenly
 * the caller pulls (the spread of the lags at its gets, a packet at most)
 * so that its earliest pulls still leave the target.
 *
 * Why a percentile and not the RFC 3550 estimate: the RFC's smoothed mean
 * deviation says nothing about the tail, and a multiple of it is a guess
 * that is too large for steady networks and too small for bursty ones. The
 * percentile over a window measures the delay that covers all but ~1% of
 * packets, and a lone spike in a full window is ignored (concealed once)
 * instead of costing delay for seconds. The window counts packets, not
 * seconds, so a DTX pause does not erase what was learnt. The RFC estimate
 * is still kept, for RTCP receiver reports.
 *
 * Growing costs a concealed frame: the playout point is held while the
 * caller conceals. That happens on its own when the buffer runs dry (a
 * delay spike stretches the audio instead of losing it), and when the lag
 * is below the spread (late or reordered packets), then at most every
 * other frame so real audio keeps flowing. Shrinking drops one frame once
 * the lag has exceeded the target by more than a frame for a while: from
 * once a second when just over to every 100 ms when far over, four times
 * sooner after a frame the caller called silent. Talkspurts (marker bit,
 * or a timestamp gap without a sequence gap) restart playout at the
 * target, which adapts the delay for free.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media-jbuf.h"
#include "media-jbuf-est.h"
#include "util.h"

#define JB_MIN_TARGET_US	10000
#define JB_MARGIN_US		5000
#define JB_LOSS_MEMORY		500	/* puts a loss keeps the extra packet */
#define JB_MAX_DELAY_US		500000
#define JB_WINDOW_US		3000000	/* transit history length */
#define JB_WINDOW_MIN		16
#define JB_WINDOW_MAX		MEDIA_JBUF_EST_MAX
#define JB_PRIOR_SAMPLES	8	/* below this, trust the old stream */
#define JB_CONCEAL_MAX_US	100000	/* then silence, not concealment */
#define JB_SHRINK_SLACK_US	5000
#define JB_SHRINK_MIN_US	100000	/* at most 20% of frames dropped */
#define JB_SHRINK_MAX_US	1000000
#define JB_PMIN_BUCKET_US	250000
#define JB_JUMP_FWD_US		3000000
#define JB_JUMP_BACK_US		100000
#define JB_PROBE_US		1000000
#define JB_SEQ_CONTINUES	100
#define JB_SEQ_BEHIND		1000
#define JB_SSRC_GUARD_US	1000000
#define JB_MAX_DURATION_US	120000	/* Opus' longest packet */
#define JB_EMPTY_US		10000
#define JB_SEEN			64

struct media_jbuf_slot {
	int64_t		 ts;		/* extended timestamp */
	uint32_t	 dur;
	uint16_t	 seq;
	bool		 marker;
	size_t		 len;
	uint8_t		 data[MEDIA_JBUF_MAX_PAYLOAD];
};

enum media_jbuf_state {
	JB_IDLE,		/* no stream */
	JB_BUFFERING,		/* waiting for the head to reach the target */
	JB_PLAYING
};

struct media_jbuf {
	unsigned int		 rate;
	enum media_jbuf_state	 state;

	struct media_jbuf_slot	 slots[MEDIA_JBUF_SLOTS];
	uint8_t			 free[MEDIA_JBUF_SLOTS];
	unsigned int		 nfree;
	uint8_t			 order[MEDIA_JBUF_SLOTS];  /* by timestamp */
	unsigned int		 n;
	int			 pinned;	/* slot handed out by get */

	/* The stream. */
	uint32_t		 ssrc;
	bool			 have_prev;
	uint32_t		 prev_ssrc;
	uint64_t		 switch_us;
	int64_t			 max_ts;
	uint16_t		 max_seq;
	bool			 probe;
	uint16_t		 probe_seq;
	uint32_t		 probe_ts;

	/* Playout. */
	bool			 have_play;
	int64_t			 play_ts;
	uint16_t		 next_seq;
	uint32_t		 last_dur;
	int64_t			 conceal_run;	/* us concealed since a frame */
	bool			 peek_ok;
	bool			 silent;
	bool			 excess_on;
	uint64_t		 excess_since;
	bool			 pmin_on;
	uint64_t		 pmin_start;
	int64_t			 pmin_cur;
	int64_t			 pmin_prev;
	int64_t			 pmax_cur;

	/* How unevenly the caller pulls (see media_jbuf_start). */
	bool			 have_pull;
	int64_t			 pull_spread;
	int64_t			 pull_last;	/* the last bucket's */

	/* Transit history (media-jbuf-est.c). */
	struct media_jbuf_est	 est;
	int64_t			 dmin;
	int64_t			 spread;
	int64_t			 prior_spread;
	int64_t			 target;
	int64_t			 pkt_us;	/* the last packet's duration */
	bool			 lossy;		/* packets lost lately */
	uint64_t		 loss_put;	/* st.put at the last loss */

	/* RFC 3550 jitter, scaled by 16. */
	bool			 have_transit;
	uint32_t		 transit;
	uint32_t		 jitter16;

	/* Packets that left the buffer, to tell duplicates from late ones. */
	uint16_t		 seen_seq[JB_SEEN];
	int64_t			 seen_ts[JB_SEEN];
	unsigned int		 nseen;
	unsigned int		 seenpos;

	struct media_jbuf_stats	 st;
};

static int64_t
media_jbuf_us(const struct media_jbuf *jb, int64_t samples)
{
	return samples * 1000000 / (int64_t)jb->rate;
}

static int64_t
media_jbuf_samples(const struct media_jbuf *jb, int64_t us)
{
	return us * (int64_t)jb->rate / 1000000;
}

/* Microseconds to timestamp units, for any clock value without overflow. */
static uint32_t
media_jbuf_now_ts(const struct media_jbuf *jb, uint64_t now)
{
	return (uint32_t)(now / 1000000 * jb->rate +
	    now % 1000000 * jb->rate / 1000000);
}

static int64_t
media_jbuf_ext(const struct media_jbuf *jb, uint32_t ts)
{
	return jb->max_ts + (int32_t)(ts - (uint32_t)jb->max_ts);
}

static struct media_jbuf_slot *
media_jbuf_head(struct media_jbuf *jb)
{
	return jb->n > 0 ? &jb->slots[jb->order[0]] : NULL;
}

static void
media_jbuf_remove_head(struct media_jbuf *jb, bool pin)
{
	uint8_t	 idx = jb->order[0];

	jb->n--;
	memmove(&jb->order[0], &jb->order[1], jb->n);
	if (pin)
		jb->pinned = idx;
	else
		jb->free[jb->nfree++] = idx;
}

static void
media_jbuf_release(struct media_jbuf *jb)
{
	if (jb->pinned >= 0) {
		jb->free[jb->nfree++] = (uint8_t)jb->pinned;
		jb->pinned = -1;
	}
}

static void
media_jbuf_seen_add(struct media_jbuf *jb, uint16_t seq, int64_t ts)
{
	jb->seen_seq[jb->seenpos] = seq;
	jb->seen_ts[jb->seenpos] = ts;
	jb->seenpos = (jb->seenpos + 1) % JB_SEEN;
	if (jb->nseen < JB_SEEN)
		jb->nseen++;
}

static bool
media_jbuf_seen(const struct media_jbuf *jb, uint16_t seq, int64_t ts)
{
	unsigned int	 i;

	for (i = 0; i < jb->nseen; i++) {
		if (jb->seen_seq[i] == seq || jb->seen_ts[i] == ts)
			return true;
	}
	return false;
}

/* Drop the head packet without playing it; the playout point moves past. */
static void
media_jbuf_drop_head(struct media_jbuf *jb)
{
	struct media_jbuf_slot	*h = media_jbuf_head(jb);
	int64_t			 end = h->ts + h->dur;

	media_jbuf_seen_add(jb, h->seq, h->ts);
	if (!jb->have_play || jb->play_ts < end) {
		jb->play_ts = end;
		jb->have_play = true;
	}
	jb->next_seq = h->seq + 1;
	media_jbuf_remove_head(jb, false);
}

/* The target from the spread, the packet length and the recent loss. */
static void
media_jbuf_retarget(struct media_jbuf *jb)
{
	int64_t		 target;

	if (jb->lossy && jb->st.put - jb->loss_put > JB_LOSS_MEMORY)
		jb->lossy = false;
	target = jb->spread + JB_MARGIN_US;
	/* One packet of look-ahead, so a loss has its successor (FEC). */
	if (jb->lossy)
		target += jb->pkt_us;
	if (target < JB_MIN_TARGET_US)
		target = JB_MIN_TARGET_US;
	if (target > JB_MAX_DELAY_US)
		target = JB_MAX_DELAY_US;
	jb->target = target;
}

/* Recompute dmin, spread and target, the window being given a transit. */
static void
media_jbuf_estimate(struct media_jbuf *jb, int64_t transit, uint32_t dur)
{
	int64_t		 win, spread;

	win = JB_WINDOW_US / (media_jbuf_us(jb, dur) > 0 ?
	    media_jbuf_us(jb, dur) : 1);
	if (win < JB_WINDOW_MIN)
		win = JB_WINDOW_MIN;
	if (win > JB_WINDOW_MAX)
		win = JB_WINDOW_MAX;
	media_jbuf_est_add(&jb->est, transit, (unsigned int)win);

	jb->dmin = media_jbuf_est_min(&jb->est);
	spread = media_jbuf_est_spread(&jb->est);
	if (media_jbuf_est_count(&jb->est) < JB_PRIOR_SAMPLES &&
	    spread < jb->prior_spread)
		spread = jb->prior_spread;
	if (spread > JB_MAX_DELAY_US)
		spread = JB_MAX_DELAY_US;
	jb->spread = spread;
	jb->pkt_us = media_jbuf_us(jb, dur);
	media_jbuf_retarget(jb);
}

static void
media_jbuf_sample(struct media_jbuf *jb, int64_t ts, uint32_t rts,
    uint32_t dur, uint64_t now)
{
	uint32_t	 transit;
	int64_t		 dd;

	media_jbuf_estimate(jb, (int64_t)now - media_jbuf_us(jb, ts), dur);

	/* RFC 3550 A.8, in arrival order. */
	transit = media_jbuf_now_ts(jb, now) - rts;
	if (jb->have_transit) {
		dd = (int32_t)(transit - jb->transit);
		if (dd < 0)
			dd = -dd;
		if (dd > 1 << 24)	/* keeps 16 * J far from overflow */
			dd = 1 << 24;
		jb->jitter16 += (uint32_t)dd - ((jb->jitter16 + 8) >> 4);
	}
	jb->transit = transit;
	jb->have_transit = true;
}

/* Forget the stream: buffered packets, history and playout point. */
static void
media_jbuf_forget(struct media_jbuf *jb)
{
	unsigned int	 i;

	media_jbuf_release(jb);
	jb->st.flushed += jb->n;
	jb->n = 0;
	jb->nfree = MEDIA_JBUF_SLOTS;
	for (i = 0; i < MEDIA_JBUF_SLOTS; i++)
		jb->free[i] = (uint8_t)i;

	if (media_jbuf_est_count(&jb->est) > 0)
		jb->prior_spread = jb->spread;
	media_jbuf_est_reset(&jb->est);
	jb->dmin = 0;
	jb->spread = jb->prior_spread;
	media_jbuf_retarget(jb);
	jb->have_transit = false;
	jb->jitter16 = 0;

	jb->nseen = jb->seenpos = 0;
	jb->have_play = false;
	jb->probe = false;
	jb->peek_ok = false;
	jb->state = JB_IDLE;
}

static void
media_jbuf_start_stream(struct media_jbuf *jb, uint16_t seq, uint32_t ts,
    uint32_t ssrc)
{
	jb->ssrc = ssrc;
	/* Offset so extended timestamps stay positive either way. */
	jb->max_ts = (int64_t)ts + ((int64_t)1 << 32);
	jb->max_seq = seq;
	jb->state = JB_BUFFERING;
}

int
media_jbuf_alloc(struct media_jbuf **out, unsigned int clock_rate)
{
	struct media_jbuf	*jb;

	if (out == NULL || clock_rate < 8000 || clock_rate > 192000)
		return -EINVAL;
	jb = xcalloc(1, sizeof *jb);
	jb->rate = clock_rate;
	jb->pinned = -1;
	jb->pkt_us = 20000;
	media_jbuf_forget(jb);
	*out = jb;
	return 0;
}

void
media_jbuf_free(struct media_jbuf *jb)
{
	free(jb);
}

void
media_jbuf_flush(struct media_jbuf *jb)
{
	media_jbuf_forget(jb);
}

void
media_jbuf_hint_silence(struct media_jbuf *jb, bool silent)
{
	jb->silent = silent;
}

/*
 * Decide whether the packet belongs to the current stream. Returns
 * MEDIA_JBUF_PUT_QUEUED to go on, MEDIA_JBUF_PUT_RESET when the stream was
 * restarted with it, or MEDIA_JBUF_PUT_DISCARDED.
 */
static enum media_jbuf_put
media_jbuf_classify(struct media_jbuf *jb, uint16_t seq, uint32_t ts,
    uint32_t ssrc, uint64_t now)
{
	int64_t		 fwd, back;
	int32_t		 dts;
	int16_t		 dseq;
	bool		 cont, behind, confirmed;

	if (jb->state == JB_IDLE) {
		media_jbuf_start_stream(jb, seq, ts, ssrc);
		return MEDIA_JBUF_PUT_QUEUED;
	}
	if (ssrc != jb->ssrc) {
		/* Stragglers of the stream just replaced must not flip back. */
		if (jb->have_prev && ssrc == jb->prev_ssrc &&
		    now - jb->switch_us < JB_SSRC_GUARD_US)
			return MEDIA_JBUF_PUT_DISCARDED;
		jb->have_prev = true;
		jb->prev_ssrc = jb->ssrc;
		jb->switch_us = now;
		goto reset;
	}

	dts = (int32_t)(ts - (uint32_t)jb->max_ts);
	dseq = (int16_t)(uint16_t)(seq - jb->max_seq);
	cont = dseq >= 1 && dseq <= JB_SEQ_CONTINUES;
	fwd = media_jbuf_samples(jb, JB_JUMP_FWD_US);
	back = media_jbuf_samples(jb, JB_JUMP_BACK_US);
	/* An old packet: late or a duplicate, not a new timeline. */
	behind = dseq <= 0 && dseq > -JB_SEQ_BEHIND && dts >= -fwd;
	if (dts <= fwd && (dts >= -back || behind)) {
		jb->probe = false;
		return MEDIA_JBUF_PUT_QUEUED;
	}

	/*
	 * A jump. If the sequence goes on, the sender restarted its clock:
	 * follow at once. Otherwise it may be garbage; follow only when the
	 * next packet continues it.
	 */
	confirmed = jb->probe && seq == (uint16_t)(jb->probe_seq + 1) &&
	    ts - jb->probe_ts <= (uint32_t)media_jbuf_samples(jb, JB_PROBE_US);
	if (!cont && !confirmed) {
		jb->probe = true;
		jb->probe_seq = seq;
		jb->probe_ts = ts;
		return MEDIA_JBUF_PUT_DISCARDED;
	}

reset:
	jb->st.resets++;
	media_jbuf_forget(jb);
	media_jbuf_start_stream(jb, seq, ts, ssrc);
	return MEDIA_JBUF_PUT_RESET;
}

enum media_jbuf_put
media_jbuf_put(struct media_jbuf *jb, uint16_t seq, uint32_t ts,
    uint32_t ssrc, bool marker, const void *payload, size_t len,
    uint32_t duration, uint64_t now_us)
{
	enum media_jbuf_put	 r;
	struct media_jbuf_slot	*s, *h;
	int64_t			 e;
	unsigned int		 i, pos;
	uint8_t			 idx;

	media_jbuf_release(jb);
	jb->st.put++;

	if (len > MEDIA_JBUF_MAX_PAYLOAD || (payload == NULL && len != 0) ||
	    duration == 0 ||
	    media_jbuf_us(jb, duration) > JB_MAX_DURATION_US) {
		jb->st.discarded++;
		return MEDIA_JBUF_PUT_DISCARDED;
	}
	r = media_jbuf_classify(jb, seq, ts, ssrc, now_us);
	if (r == MEDIA_JBUF_PUT_DISCARDED) {
		jb->st.discarded++;
		return r;
	}
	e = media_jbuf_ext(jb, ts);

	if (jb->have_play && e < jb->play_ts) {
		if (media_jbuf_seen(jb, seq, e)) {
			jb->st.duplicates++;
			return MEDIA_JBUF_PUT_DUPLICATE;
		}
		/* Its transit is the evidence the delay is too short. */
		media_jbuf_sample(jb, e, ts, duration, now_us);
		media_jbuf_seen_add(jb, seq, e);
		jb->st.late++;
		return MEDIA_JBUF_PUT_LATE;
	}
	for (i = 0; i < jb->n; i++) {
		s = &jb->slots[jb->order[i]];
		if (s->ts == e || s->seq == seq) {
			jb->st.duplicates++;
			return MEDIA_JBUF_PUT_DUPLICATE;
		}
	}

	media_jbuf_sample(jb, e, ts, duration, now_us);
	if (e > jb->max_ts) {
		jb->max_ts = e;
		jb->max_seq = seq;
	}

	if (jb->nfree == 0) {
		/* Full: the consumer stalled. Bounded memory beats history. */
		jb->st.overflow++;
		h = media_jbuf_head(jb);
		if (e < h->ts) {
			media_jbuf_seen_add(jb, seq, e);
			return MEDIA_JBUF_PUT_OVERFLOW;
		}
		media_jbuf_drop_head(jb);
	}

	idx = jb->free[--jb->nfree];
	s = &jb->slots[idx];
	s->ts = e;
	s->dur = duration;
	s->seq = seq;
	s->marker = marker;
	s->len = len;
	if (len != 0)
		memcpy(s->data, payload, len);

	/* Mostly appended; reordered packets walk back a few places. */
	pos = jb->n;
	while (pos > 0 && jb->slots[jb->order[pos - 1]].ts > e)
		pos--;
	memmove(&jb->order[pos + 1], &jb->order[pos], jb->n - pos);
	jb->order[pos] = idx;
	jb->n++;
	return r;
}

/*
 * A bucket of gets ended with lags spread over RANGE. More than a packet
 * is not the caller's rhythm but a stall (its thread, the machine), which
 * no start can allow for and which must not delay the next talkspurt.
 */
static void
media_jbuf_pull_learn(struct media_jbuf *jb, int64_t range)
{
	if (range < 0)
		range = 0;
	if (range > jb->pkt_us)
		range = jb->pkt_us;
	jb->pull_spread = range;
	if (jb->have_pull && jb->pull_last > range)
		jb->pull_spread = jb->pull_last;
	jb->pull_last = range;
	jb->have_pull = true;
}

/*
 * Sliding minimum of the playout lag over the last 250-500 ms of gets;
 * each bucket's range (its largest lag less its smallest) is how unevenly
 * the caller pulls.
 */
static int64_t
media_jbuf_pmin(struct media_jbuf *jb, uint64_t now, int64_t lag)
{
	int64_t	 age = (int64_t)(now - jb->pmin_start);

	if (!jb->pmin_on || age < 0 || age >= 2 * JB_PMIN_BUCKET_US) {
		jb->pmin_on = true;
		jb->pmin_start = now;
		jb->pmin_cur = jb->pmin_prev = jb->pmax_cur = lag;
	} else if (age >= JB_PMIN_BUCKET_US) {
		media_jbuf_pull_learn(jb, jb->pmax_cur - jb->pmin_cur);
		jb->pmin_prev = jb->pmin_cur;
		jb->pmin_cur = jb->pmax_cur = lag;
		jb->pmin_start = now;
	} else {
		if (lag < jb->pmin_cur)
			jb->pmin_cur = lag;
		if (lag > jb->pmax_cur)
			jb->pmax_cur = lag;
	}
	return jb->pmin_cur < jb->pmin_prev ? jb->pmin_cur : jb->pmin_prev;
}

/* Holding or skipping moves every later lag by the same amount. */
static void
media_jbuf_pmin_shift(struct media_jbuf *jb, int64_t by)
{
	jb->pmin_cur += by;
	jb->pmin_prev += by;
	jb->pmax_cur += by;
}

static int64_t
media_jbuf_lag(const struct media_jbuf *jb, uint64_t now)
{
	return (int64_t)now - media_jbuf_us(jb, jb->play_ts);
}

/* Go back to buffering: the next packet starts playout at the target. */
static void
media_jbuf_reanchor(struct media_jbuf *jb)
{
	jb->state = JB_BUFFERING;
	jb->conceal_run = 0;
	jb->excess_on = false;
	jb->pmin_on = false;
}

static enum media_jbuf_kind
media_jbuf_frame_out(struct media_jbuf *jb, struct media_jbuf_frame *f)
{
	struct media_jbuf_slot	*h = media_jbuf_head(jb);

	f->payload = h->len != 0 ? h->data : NULL;
	f->len = h->len;
	f->ts = (uint32_t)h->ts;
	f->duration = h->dur;
	f->seq = h->seq;
	f->marker = h->marker;

	media_jbuf_seen_add(jb, h->seq, h->ts);
	jb->play_ts = h->ts + h->dur;
	jb->next_seq = h->seq + 1;
	jb->last_dur = h->dur;
	jb->conceal_run = 0;
	jb->silent = false;
	jb->st.played++;
	media_jbuf_remove_head(jb, true);
	return MEDIA_JBUF_FRAME;
}

/* Conceal without moving the playout point: the delay grows a frame. */
static enum media_jbuf_kind
media_jbuf_hold(struct media_jbuf *jb, struct media_jbuf_frame *f)
{
	int64_t	 us = media_jbuf_us(jb, jb->last_dur);

	f->ts = (uint32_t)jb->play_ts;
	f->duration = jb->last_dur;
	jb->conceal_run += us;
	media_jbuf_pmin_shift(jb, us);
	jb->st.missing++;
	return MEDIA_JBUF_MISSING;
}

/* Conceal a lost packet: the playout point moves on. */
static enum media_jbuf_kind
media_jbuf_lost(struct media_jbuf *jb, struct media_jbuf_frame *f,
    struct media_jbuf_slot *h)
{
	uint32_t	 dur = jb->last_dur;

	if (h != NULL && h->ts - jb->play_ts < (int64_t)dur)
		dur = (uint32_t)(h->ts - jb->play_ts);
	f->ts = (uint32_t)jb->play_ts;
	f->duration = dur;
	jb->play_ts += dur;
	jb->next_seq++;
	jb->conceal_run += media_jbuf_us(jb, dur);
	jb->peek_ok = true;
	jb->st.missing++;
	jb->lossy = true;
	jb->loss_put = jb->st.put;
	media_jbuf_retarget(jb);
	return MEDIA_JBUF_MISSING;
}

/*
 * Too much delay for long enough: drop the head if the next packet follows
 * it, so what is returned is still continuous audio.
 */
static void
media_jbuf_shrink(struct media_jbuf *jb, uint64_t now, int64_t pmin)
{
	struct media_jbuf_slot	*h = media_jbuf_head(jb), *nx;
	int64_t			 excess, dur, wait;

	dur = media_jbuf_us(jb, h->dur);
	excess = pmin - jb->dmin - jb->target;
	if (excess < dur + JB_SHRINK_SLACK_US) {
		jb->excess_on = false;
		return;
	}
	if (!jb->excess_on) {
		jb->excess_on = true;
		jb->excess_since = now;
		return;
	}
	/*
	 * Wait longer the smaller the excess: a frame a second when just
	 * over, every 100 ms when far over. A frame the caller found silent
	 * can go four times sooner; nobody hears it missing.
	 */
	wait = JB_SHRINK_MAX_US * (dur + JB_SHRINK_SLACK_US) / excess;
	if (wait < JB_SHRINK_MIN_US)
		wait = JB_SHRINK_MIN_US;
	if (jb->silent)
		wait /= 4;
	if ((int64_t)(now - jb->excess_since) < wait)
		return;
	if (jb->n < 2)
		return;
	nx = &jb->slots[jb->order[1]];
	if (nx->ts != h->ts + h->dur)
		return;
	media_jbuf_drop_head(jb);
	media_jbuf_pmin_shift(jb, -dur);
	jb->excess_since = now;
	jb->st.shrunk++;
}

/*
 * Packets behind the playout point: only overlapping durations (or a drop
 * of one) leave them there; their time has passed.
 */
static void
media_jbuf_purge(struct media_jbuf *jb)
{
	struct media_jbuf_slot	*h;

	while ((h = media_jbuf_head(jb)) != NULL && h->ts < jb->play_ts) {
		media_jbuf_seen_add(jb, h->seq, h->ts);
		media_jbuf_remove_head(jb, false);
		jb->st.late++;
	}
}

static enum media_jbuf_kind
media_jbuf_play(struct media_jbuf *jb, uint64_t now,
    struct media_jbuf_frame *f)
{
	struct media_jbuf_slot	*h;
	int64_t			 lag, pmin, dur, gap;
	uint16_t		 lostn;
	bool			 short_, can_grow;

	media_jbuf_purge(jb);
	lag = media_jbuf_lag(jb, now);
	if (lag - jb->dmin > JB_MAX_DELAY_US) {
		/* The caller stopped pulling for a while: skip to target. */
		while (jb->n > 0 && lag - jb->dmin > jb->target) {
			media_jbuf_drop_head(jb);
			jb->st.shrunk++;
			media_jbuf_purge(jb);
			lag = media_jbuf_lag(jb, now);
		}
		jb->pmin_on = false;
		if (lag - jb->dmin > JB_MAX_DELAY_US || jb->n == 0) {
			media_jbuf_reanchor(jb);
			return MEDIA_JBUF_EMPTY;
		}
	}
	pmin = media_jbuf_pmin(jb, now, lag);
	dur = media_jbuf_us(jb, jb->last_dur);
	short_ = pmin - jb->dmin < jb->spread;
	can_grow = lag - jb->dmin + dur <= JB_MAX_DELAY_US;

	h = media_jbuf_head(jb);
	if (h != NULL && h->ts == jb->play_ts) {
		/* Grow between real frames, never two concealed in a row. */
		if (short_ && can_grow && jb->conceal_run == 0)
			return media_jbuf_hold(jb, f);
		media_jbuf_shrink(jb, now, pmin);
		return media_jbuf_frame_out(jb, f);
	}

	/*
	 * A talkspurt (marker), or a silence the sender skipped (no sequence
	 * gap): more time missing than lost packets explain is not a loss.
	 * Some senders mark every packet, so the marker alone is not enough.
	 */
	if (h != NULL) {
		lostn = (uint16_t)(h->seq - jb->next_seq);
		gap = h->ts - jb->play_ts;
		if (lostn < JB_SEQ_CONTINUES &&
		    gap > (int64_t)lostn * jb->last_dur &&
		    (h->marker || (lostn == 0 && gap >= 2 * jb->last_dur))) {
			media_jbuf_reanchor(jb);
			return MEDIA_JBUF_EMPTY;
		}
	}
	/* The stream stopped (hold, DTX, or a long outage): go quiet. */
	if (jb->conceal_run >= JB_CONCEAL_MAX_US) {
		media_jbuf_reanchor(jb);
		return MEDIA_JBUF_EMPTY;
	}
	/* Nothing here yet, or a gap a reordered packet may still fill. */
	if (can_grow && (h == NULL || short_))
		return media_jbuf_hold(jb, f);
	return media_jbuf_lost(jb, f, h);
}

/*
 * Buffering: start once the head has waited for the target delay, and for
 * how unevenly the caller pulls. The target is what the earliest pulls
 * must leave, and this one may be the latest: a caller that fills a ring
 * from a timer pulls some frames well before they are due, two at once
 * after a slow wake-up. A caller paced by its device pulls as regularly
 * as packets come and starts as soon as the target allows. Until the
 * caller's pulls have been seen, half a packet is assumed: enough for a
 * ring topped up every half packet, and what it costs a device-paced
 * caller (a pull later at the first start) shrinking takes back.
 */
static bool
media_jbuf_start(struct media_jbuf *jb, uint64_t now)
{
	struct media_jbuf_slot	*h;
	int64_t			 uneven;

	if (jb->have_play)
		media_jbuf_purge(jb);
	h = media_jbuf_head(jb);
	uneven = jb->have_pull ? jb->pull_spread : jb->pkt_us / 2;
	if (h == NULL || (int64_t)now - media_jbuf_us(jb, h->ts) <
	    jb->dmin + jb->target + uneven)
		return false;
	jb->state = JB_PLAYING;
	jb->have_play = true;
	jb->play_ts = h->ts;
	jb->next_seq = h->seq;
	jb->last_dur = h->dur;
	jb->conceal_run = 0;
	jb->excess_on = false;
	jb->pmin_on = false;
	return true;
}

enum media_jbuf_kind
media_jbuf_get(struct media_jbuf *jb, uint64_t now_us,
    struct media_jbuf_frame *f)
{
	enum media_jbuf_kind	 k;

	media_jbuf_release(jb);
	jb->peek_ok = false;
	memset(f, 0, sizeof *f);

	if (jb->state == JB_PLAYING) {
		k = media_jbuf_play(jb, now_us, f);
		if (k != MEDIA_JBUF_EMPTY)
			return k;
	}
	if (jb->state == JB_BUFFERING && media_jbuf_start(jb, now_us)) {
		k = media_jbuf_play(jb, now_us, f);
		if (k != MEDIA_JBUF_EMPTY)
			return k;
	}
	memset(f, 0, sizeof *f);
	f->ts = jb->have_play ? (uint32_t)jb->play_ts : 0;
	f->duration = (uint32_t)media_jbuf_samples(jb, JB_EMPTY_US);
	return MEDIA_JBUF_EMPTY;
}

bool
media_jbuf_peek_next(struct media_jbuf *jb, struct media_jbuf_frame *f)
{
	struct media_jbuf_slot	*h = media_jbuf_head(jb);

	memset(f, 0, sizeof *f);
	if (!jb->peek_ok || h == NULL || h->ts != jb->play_ts)
		return false;
	f->payload = h->len != 0 ? h->data : NULL;
	f->len = h->len;
	f->ts = (uint32_t)h->ts;
	f->duration = h->dur;
	f->seq = h->seq;
	f->marker = h->marker;
	return true;
}

unsigned int
media_jbuf_delay_ms(const struct media_jbuf *jb)
{
	int64_t	 d;

	if (jb->state != JB_PLAYING || !jb->pmin_on)
		return 0;
	d = (jb->pmin_cur < jb->pmin_prev ? jb->pmin_cur : jb->pmin_prev) -
	    jb->dmin;
	return d > 0 ? (unsigned int)(d / 1000) : 0;
}

unsigned int
media_jbuf_target_ms(const struct media_jbuf *jb)
{
	return (unsigned int)(jb->target / 1000);
}

void
media_jbuf_stats(const struct media_jbuf *jb, struct media_jbuf_stats *st)
{
	*st = jb->st;
	st->buffered = jb->n;
	st->delay_ms = media_jbuf_delay_ms(jb);
	st->target_ms = media_jbuf_target_ms(jb);
	st->jitter = jb->jitter16 >> 4;
}
