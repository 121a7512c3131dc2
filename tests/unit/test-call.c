/*
 * test-call.c: the call model (call.c) against fakes of the SIP layer,
 * the media engine and the loop: every transition, the one-active-call
 * rule under every order of operations with three calls, the call limit,
 * timeouts, DTMF, transfer in both roles, and the local conference.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "call.h"
#include "contacts.h"
#include "fakes.h"
#include "model.h"
#include "sip-ua.h"
#include "tap.h"
#include "util.h"

static struct account		*acct;
static struct conf_account	*ca;

static void
incoming(const struct sip_incoming *in, void *arg)
{
	call_incoming(arg, in);
}

/* Dial TARGET; returns the new call's id (0 on failure). */
static int
dial(const char *target)
{
	char	*cause = NULL;

	if (call_dial(acct, target, &cause) != 0) {
		free(cause);
		return 0;
	}
	fake_loop_run();
	return call_current()->id;
}

static struct fake_sip_call *
sipof(int id)
{
	struct call	*c = call_find(id);

	return c != NULL ? (struct fake_sip_call *)c->sip : NULL;
}

static int
ring_in(const char *who)
{
	int	 before = call_count();
	struct fake_sip_call *f = fake_sip_incoming("alice", who);
	struct call	*c;

	(void)f;
	if (call_count() == before)
		return 0;
	for (c = call_first(); c->next != NULL; c = c->next)
		;
	return c->id;
}

static void
up(int id)
{
	fake_sip_report(sipof(id), SIP_CALL_ESTABLISHED, 200, "OK");
	fake_sip_report_media(sipof(id), false);
}

static void
answer(int id)
{
	char	*cause = NULL;

	if (call_answer(call_find(id), &cause) != 0) {
		ok(0, "answer %d: %s", id, cause);
		free(cause);
		return;
	}
	fake_loop_run();
	up(id);
}

static void
ended(int id, int code, const char *why)
{
	fake_sip_report(sipof(id), SIP_CALL_ENDED, code, why);
}

/* The network answers every re-INVITE that is out. */
static void
answer_reinvites(void)
{
	struct call	*c;
	int		 guard = 0;

	do {
		for (c = call_first(); c != NULL; c = c->next) {
			if (c->reinvite_busy) {
				fake_sip_report(c->sip ? (struct fake_sip_call *)c->sip
				    : NULL, SIP_CALL_REINVITE_DONE, 200, "OK");
				break;
			}
		}
	} while (c != NULL && ++guard < 100);
}

static int
nactive(void)
{
	struct call	*c;
	int		 n = 0;

	for (c = call_first(); c != NULL; c = c->next)
		n += fake_media_active(c->id);
	return n;
}

static void
end_all(void)
{
	struct call	*c;

	while ((c = call_first()) != NULL)
		ended(c->id, 200, "bye");
	fake_sip_reset();
	fake_sip_log_clear();
	model_clear();
}

static void
test_outgoing(void)
{
	const struct event_call	*e;
	int			 id;
	char			*cause = NULL;

	id = dial("bob");
	ok(id > 0, "dial creates a call");
	e = model_call(id);
	ok(e != NULL && e->state == CALL_CALLING && e->outgoing && e->current,
	    "dial: calling, outgoing, current");
	is_str(e != NULL ? e->remote : "", "sip:bob", "the remote is the URI");
	ok(fake_sip_count("invite") == 1, "one INVITE");
	fake_sip_report(sipof(id), SIP_CALL_PROGRESS, 180, "Ringing");
	is_int(model_call(id)->state, CALL_RINGING, "180: ringing");
	is_int(fake_media_tone(), MEDIA_TONE_RINGBACK, "ringback while ringing");
	ok(!fake_media_active(id), "no audio before the answer");
	fake_sip_report(sipof(id), SIP_CALL_PROGRESS, 183, "Session Progress");
	is_int(model_call(id)->state, CALL_EARLY, "183 with SDP: early");
	ok(fake_media_active(id), "early media has the audio");
	up(id);
	is_int(model_call(id)->state, CALL_ESTABLISHED, "200: established");
	ok(fake_media_active(id), "the established call has the audio");
	is_int(fake_media_updates(id), 1, "negotiated media went to the stream");
	is_int(model_count(EVENT_MEDIA), 1, "one media event");
	is_int(fake_media_tone(), MEDIA_TONE_NONE, "no tone once up");

	fake_sip_report_media(sipof(id), true);
	ok(model_call(id)->held_by_remote, "the peer holds us: held_by_remote");
	ok(model_logged("held by the remote party"), "and it is logged");
	fake_sip_report_media(sipof(id), false);
	ok(!model_call(id)->held_by_remote, "the peer resumes");

	is_int(call_hangup(call_find(id), &cause), 0, "hang up");
	ok(fake_sip_count("hangup 1 hung up") == 1, "hang up asks the SIP side");
	ended(id, 200, "hung up");
	e = model_call(id);
	ok(e != NULL && e->state == CALL_TERMINATED, "terminated event");
	ok(call_find(id) == NULL && call_count() == 0, "the call is freed");
	is_int(fake_media_streams(), 0, "its stream is freed");
	ok(sipof(id) == NULL && fake_sip_call(1)->freed,
	    "its dialog is freed, once");
	ok(model_last(EVENT_STATS) != NULL, "final stats are published");
	end_all();

	id = dial("carol");
	fake_sip_report(sipof(id), SIP_CALL_ENDED, 486, "Busy Here");
	e = model_call(id);
	ok(e->state == CALL_TERMINATED && e->code == 486 &&
	    strcmp(e->reason, "Busy Here") == 0, "busy: terminated 486");
	end_all();

	is_int(dial("bad target"), 0, "a bad target is refused");
	is_int(call_count(), 0, "and makes no call");
	fake_media_fail_new = true;
	is_int(dial("bob"), 0, "no media port: the dial fails");
	fake_sip_fail_invite = true;
	is_int(dial("bob"), 0, "an INVITE that cannot go: the dial fails");
	is_int(call_count(), 0, "no call left behind");
	end_all();
}

static void
test_incoming(void)
{
	const struct event_call	*e;
	int			 id;
	char			*cause = NULL;

	id = ring_in("\"Bob\" <sip:bob@x>");
	e = model_call(id);
	ok(e != NULL && e->state == CALL_INCOMING && !e->outgoing,
	    "an INVITE rings");
	ok(fake_sip_count("ring") == 1, "180 was sent");
	is_int(fake_media_tone(), MEDIA_TONE_RING, "the ring tone plays");
	ok(e->current, "the first call is current");
	is_int(call_hold(call_find(id), true, &cause), -1,
	    "a ringing call cannot be held");
	free(cause);
	cause = NULL;
	is_int(call_dtmf(call_find(id), "1", &cause), -1,
	    "nor take DTMF");
	free(cause);
	cause = NULL;
	answer(id);
	ok(fake_sip_count("answer") == 1, "answer sends 200");
	is_int(model_call(id)->state, CALL_ESTABLISHED, "answered: established");
	is_int(call_answer(call_find(id), &cause), -1,
	    "answering twice is refused");
	free(cause);
	cause = NULL;
	is_int(call_reject(call_find(id), 486, &cause), -1,
	    "rejecting an answered call is refused");
	free(cause);
	cause = NULL;
	end_all();

	id = ring_in("<sip:bob@x>");
	is_int(call_reject(call_find(id), 200, &cause), -1, "reject 200 refused");
	free(cause);
	cause = NULL;
	is_int(call_reject(call_find(id), 603, &cause), 0, "reject 603");
	ok(fake_sip_count("reject 1 603") == 1 || fake_sip_count(" 603") == 1,
	    "603 is sent");
	ended(id, 603, "Decline");
	is_int(call_count(), 0, "the rejected call is gone");
	end_all();

	id = ring_in("<sip:bob@x>");
	is_int(call_hangup(call_find(id), &cause), 0, "hang up a ringing call");
	ok(fake_sip_count(" 486") == 1, "is a 486");
	end_all();

	id = ring_in("<sip:bob@x>");
	fake_loop_advance(59000);
	ok(fake_sip_count(" 480") == 0, "still ringing after 59 s");
	fake_loop_advance(1000);
	ok(fake_sip_count(" 480") == 1, "480 after the ring timeout");
	ok(model_logged("not answered in 60 s"), "and it says so");
	end_all();

	fake_sip_fail_ring = true;
	id = ring_in("<sip:bob@x>");
	ok(id > 0, "an unusable offer makes a call object");
	is_int(model_count(EVENT_CALL), 0, "but it never rings");
	ok(model_logged("no common codec"), "the refusal says why");
	ended(id, 488, "no common codec");
	ok(model_call(id) != NULL && model_call(id)->code == 488,
	    "it ends with 488 and the reason");
	end_all();

	fake_media_fail_new = true;
	id = ring_in("<sip:bob@x>");
	ok(fake_sip_count(" 500") == 1, "no media port: 500");
	ended(id, 500, "media unavailable");
	end_all();

	ca->auto_answer = true;
	id = ring_in("<sip:bob@x>");
	ok(fake_sip_count("answer") == 1, "auto_answer answers at once");
	ca->auto_answer = false;
	fake_sip_fail_answer = true;
	id = ring_in("<sip:carol@x>");
	is_int(call_answer(call_find(id), &cause), -1,
	    "an answer the SIP side cannot send fails");
	free(cause);
	cause = NULL;
	end_all();

	call_set_accepting(false);
	id = ring_in("<sip:bob@x>");
	ok(id == 0 && fake_sip_count(" 480") == 1 && fake_sip_count("free 1") == 1,
	    "while quitting: 480, no call, the dialog freed");
	call_set_accepting(true);
	end_all();
}

static void
test_limit(void)
{
	int	 i, n = fake_sip_calls();	/* 0: end_all resets */

	for (i = 0; i < CALL_MAX; i++)
		ok(ring_in("<sip:flood@x>") > 0, "call %d of %d rings", i + 1,
		    CALL_MAX);
	model_clear();
	ok(ring_in("<sip:flood@x>") == 0, "one more is refused");
	ok(fake_sip_count(" 486") == 1, "with 486");
	ok(fake_sip_call(n + CALL_MAX + 1)->freed,
	    "and its dialog freed, with no call object");
	is_int(model_count(EVENT_CALL), 0, "no call event for it");
	ok(model_logged("8 calls already"), "the log says why");
	is_int(call_count(), CALL_MAX, "still 8 calls");
	end_all();
}

/*
 * The rule, with three calls: after every operation (and once the
 * network has answered), at most one call has the audio, it is the
 * current one, every other call that is up is held by re-INVITE, and
 * what was asked of each peer is what the model wants.
 */
static void
check_rule(const char *what)
{
	struct call	*c;
	int		 bad = 0;

	answer_reinvites();
	for (c = call_first(); c != NULL; c = c->next) {
		if (c->state != CALL_ESTABLISHED && c->state != CALL_HELD)
			continue;
		if (c != call_current() && !c->local_hold)
			bad |= 1;
		if (c->sip_hold != c->local_hold)
			bad |= 2;
		if (fake_media_active(c->id) && c != call_current())
			bad |= 4;
		if (c == call_current() && !c->local_hold &&
		    !fake_media_active(c->id))
			bad |= 8;
		if (((struct fake_sip_call *)c->sip)->reinvites > 0 &&
		    ((struct fake_sip_call *)c->sip)->hold_sent != c->local_hold)
			bad |= 16;
	}
	ok(bad == 0 && nactive() <= 1, "rule holds after %s (%d)", what, bad);
}

static void
test_one_active(void)
{
	int		 a, b, c, i, op;
	char		*cause = NULL, what[64];
	int		 ids[3];
	unsigned int	 seed = 12345;

	a = dial("bob");
	up(a);
	b = ring_in("<sip:carol@x>");
	ok(fake_media_active(a), "a second call ringing leaves the first alone");
	answer(b);
	ok(call_find(a)->local_hold && fake_sip_count("reinvite 1 hold") == 1,
	    "answering the second holds the first by re-INVITE");
	ok(fake_media_active(b) && !fake_media_active(a),
	    "only the answered call has the audio");
	check_rule("answer");
	c = ring_in("<sip:dave@x>");
	answer(c);
	check_rule("a third answer");
	ok(call_find(b)->local_hold, "the third holds the second");

	/* Switching: the one that had the audio is held first. */
	fake_sip_log_clear();
	is_int(call_switch(call_find(a), &cause), 0, "switch to the first");
	ok(strstr(fake_sip_log(), "reinvite 3 hold\nreinvite 1 resume") != NULL,
	    "hold the current one, then resume the new one");
	check_rule("switch");

	/* Quick switching: one re-INVITE at a time per call. */
	fake_sip_log_clear();
	call_switch(call_find(c), &cause);
	call_switch(call_find(a), &cause);
	call_switch(call_find(c), &cause);
	is_int(fake_sip_count("reinvite 1"), 1,
	    "no second re-INVITE while the first is out");
	answer_reinvites();
	ok(call_find(a)->sip_hold && call_find(a)->local_hold,
	    "once answered, the peer is asked what is wanted now");
	check_rule("quick switching");

	/* Every order of operations, seeded. */
	ids[0] = a;
	ids[1] = b;
	ids[2] = c;
	for (i = 0; i < 300; i++) {
		struct call *t;

		seed = seed * 1103515245 + 12345;
		op = (int)((seed >> 16) % 5);
		t = call_find(ids[(seed >> 8) % 3]);
		if (t == NULL)
			continue;
		switch (op) {
		case 0:
			call_switch(t, &cause);
			snprintf(what, sizeof what, "switch %d", t->id);
			break;
		case 1:
			call_hold(t, true, &cause);
			snprintf(what, sizeof what, "hold %d", t->id);
			break;
		case 2:
			call_hold(t, false, &cause);
			snprintf(what, sizeof what, "resume %d", t->id);
			break;
		case 3:
			/* The peer answers late: act before the network. */
			call_switch(t, &cause);
			call_hold(t, true, &cause);
			call_hold(t, false, &cause);
			snprintf(what, sizeof what, "switch/hold/resume %d",
			    t->id);
			break;
		default:
			fake_sip_report(sipof(t->id), SIP_CALL_REINVITE_DONE,
			    491, "Request Pending");
			fake_loop_advance(4100);
			snprintf(what, sizeof what, "glare on %d", t->id);
			break;
		}
		free(cause);
		cause = NULL;
		if (i % 10 == 0 || op == 4)
			check_rule(what);
		else
			answer_reinvites();
	}
	check_rule("300 operations");

	/* Hang-ups in every position. */
	call_switch(call_find(b), &cause);
	answer_reinvites();
	ended(b, 200, "remote hung up");
	ok(call_current() != NULL && !call_current()->local_hold,
	    "the far end hangs up the current call: the next is resumed");
	check_rule("far-end hang-up");
	model_clear();
	call_hangup(call_current(), &cause);
	call_current()->local_end = true;
	ended(call_current()->id, 200, "hung up");
	ok(call_current() != NULL && call_current()->local_hold,
	    "we hang up the current call: the next stays held");
	check_rule("our hang-up");
	end_all();
}

static void
test_hold_details(void)
{
	int	 a, b;
	char	*cause = NULL;

	a = dial("bob");
	b = dial("carol");
	ok(fake_sip_count("reinvite") == 0,
	    "a call still calling is not re-INVITEd");
	up(a);
	ok(call_find(a)->local_hold && fake_sip_count("reinvite 1 hold") == 1,
	    "a call answered while another is current is held at once");
	ok(!fake_media_active(a), "and gets no audio");
	up(b);
	ok(fake_media_active(b), "the current one has the audio");
	is_int(call_hold(call_find(b), false, &cause), -1,
	    "resume a call not on hold: refused");
	free(cause);
	cause = NULL;
	is_int(call_hold(call_find(b), true, &cause), 0, "hold the current call");
	ok(!fake_media_active(b), "held: no audio");
	is_int(model_call(b)->state, CALL_HELD, "state held");
	is_int(call_hold(call_find(b), true, &cause), -1, "hold twice: refused");
	free(cause);
	cause = NULL;
	answer_reinvites();

	/* The peer holds us too: our hold becomes inactive. */
	fake_sip_report_media(sipof(a), true);
	call_switch(call_find(a), &cause);
	answer_reinvites();
	fake_sip_log_clear();
	call_hold(call_find(a), true, &cause);
	ok(fake_sip_count("reinvite 1 hold inactive") == 1,
	    "holding a call that holds us asks for inactive");
	answer_reinvites();

	/* A refused re-INVITE: the session goes on as it was. */
	call_hold(call_find(a), false, &cause);
	fake_sip_report(sipof(a), SIP_CALL_REINVITE_DONE, 488, "Not Acceptable");
	ok(call_find(a)->local_hold, "a refused resume leaves the call held");
	ok(model_logged("re-INVITE answered 488"), "and says so");
	fake_sip_log_clear();
	fake_loop_advance(5000);
	is_int(fake_sip_count("reinvite"), 0, "and is not retried");

	/* Glare: retried after a random delay. */
	call_hold(call_find(a), false, &cause);
	fake_sip_report(sipof(a), SIP_CALL_REINVITE_DONE, 491, "Request Pending");
	ok(model_logged("re-INVITE glare (491); retrying"), "491 is glare");
	fake_sip_log_clear();
	fake_loop_advance(4100);
	is_int(fake_sip_count("reinvite 1 resume"), 1, "retried within 4 s");
	answer_reinvites();

	/* 500: the peer was busy with another offer (RFC 3261 14.2). */
	call_hold(call_find(a), true, &cause);
	{
		struct sip_call_report	 r;

		memset(&r, 0, sizeof r);
		r.kind = SIP_CALL_REINVITE_DONE;
		r.code = 500;
		r.retry_after = 3;
		sipof(a)->handler(&r, sipof(a)->arg);
	}
	ok(model_logged("busy with another offer (500); retrying in 3000 ms"),
	    "a 500 is retried after its Retry-After");
	fake_sip_log_clear();
	fake_loop_advance(2900);
	is_int(fake_sip_count("reinvite"), 0, "a 500 waits its Retry-After");
	fake_loop_advance(100);
	is_int(fake_sip_count("reinvite 1 hold"), 1, "then the hold is sent again");
	ok(call_find(a)->local_hold, "the call is still wanted held");
	/* A peer that keeps answering 500 is given up on. */
	for (int i = 0; i < 4; i++) {
		fake_sip_report(sipof(a), SIP_CALL_REINVITE_DONE, 500, "busy");
		fake_loop_advance(2100);
	}
	fake_sip_log_clear();
	fake_sip_report(sipof(a), SIP_CALL_REINVITE_DONE, 500, "busy");
	fake_loop_advance(10000);
	is_int(fake_sip_count("reinvite"), 0, "after 5 tries, no more");
	ok(!call_find(a)->local_hold && model_logged("re-INVITE answered 500 busy"),
	    "the call stays as the peer has it, and says so");
	end_all();
}

static void
test_timeouts_dtmf_mute(void)
{
	int		 a;
	char		*cause = NULL;
	const struct event *ev;

	call_set_timeouts(60, 30);
	a = dial("bob");
	up(a);
	call_hold(call_find(a), true, &cause);
	fake_media_timeout(a);
	is_int(fake_sip_count("hangup"), 0, "no RTP while held: no hang-up");
	call_hold(call_find(a), false, &cause);
	answer_reinvites();
	fake_media_timeout(a);
	ok(fake_sip_count("hangup 1 no media received") == 1,
	    "no RTP for rtp_timeout: hung up");
	ok(model_logged("no RTP received for 30 s"), "and it says why");
	fake_media_timeout(9999);
	end_all();

	a = dial("bob");
	up(a);
	is_int(call_dtmf(call_find(a), "12#", &cause), 0, "DTMF by RFC 4733");
	is_int(model_count(EVENT_DTMF), 3, "three digits shown");
	ev = model_last(EVENT_DTMF);
	ok(ev->u.dtmf.outgoing && !ev->u.dtmf.info && ev->u.dtmf.digit == '#',
	    "sent, RFC 4733");
	is_int(call_dtmf(call_find(a), "1x", &cause), -1, "a bad digit refused");
	free(cause);
	cause = NULL;
	fake_media_fail_dtmf = true;
	is_int(call_dtmf(call_find(a), "1", &cause), -1,
	    "the engine's refusal is passed on");
	fake_media_fail_dtmf = false;
	free(cause);
	cause = NULL;
	ca->dtmf = CONF_DTMF_INFO;
	model_clear();
	is_int(call_dtmf(call_find(a), "a", &cause), 0, "DTMF by INFO");
	ok(fake_sip_count("info 1 a") == 1, "sent as INFO");
	ok(model_last(EVENT_DTMF)->u.dtmf.info &&
	    model_last(EVENT_DTMF)->u.dtmf.digit == 'A', "shown as INFO, upper case");
	ca->dtmf = CONF_DTMF_RFC4733;
	model_clear();
	{
		struct sip_call_report	 r;

		memset(&r, 0, sizeof r);
		r.kind = SIP_CALL_DTMF;
		r.digit = '5';
		sipof(a)->handler(&r, sipof(a)->arg);
		fake_loop_run();
	}
	ev = model_last(EVENT_DTMF);
	ok(ev != NULL && ev->u.dtmf.digit == '5' && ev->u.dtmf.info &&
	    !ev->u.dtmf.outgoing, "a received INFO digit is shown");
	fake_media_dtmf(a, '7');
	ev = model_last(EVENT_DTMF);
	ok(ev != NULL && ev->u.dtmf.digit == '7' && !ev->u.dtmf.info,
	    "a received RFC 4733 digit is shown");
	fake_media_dtmf(9999, '7');

	is_int(call_mute(call_find(a), true, &cause), 0, "mute");
	ok(fake_media_muted(a) && model_call(a)->muted, "muted, and shown");
	is_int(call_mute(call_find(a), true, &cause), -1, "mute twice refused");
	free(cause);
	cause = NULL;
	is_int(call_mute(call_find(a), false, &cause), 0, "unmute");
	ok(!fake_media_muted(a), "unmuted");
	end_all();
}

static void
test_record(void)
{
	int		 a;
	char		*cause = NULL, dir[] = "/tmp/test-call.XXXXXX";

	ok(mkdtemp(dir) != NULL, "a data directory");
	setenv("XDG_DATA_HOME", dir, 1);
	a = dial("bob");
	up(a);
	model_clear();
	is_int(call_record(call_find(a), false, &cause), -1,
	    "record off without a recording: refused");
	ok(cause != NULL && strstr(cause, "not being recorded") != NULL,
	    "and says why: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	is_int(call_record(call_find(a), true, &cause), 0, "record on");
	ok(fake_media_recording(a) && model_call(a)->recording,
	    "the engine records, and the call shows it");
	ok(model_logged("recording to"), "the log says where");
	is_int(call_record(call_find(a), true, &cause), -1, "twice: refused");
	free(cause);
	cause = NULL;
	is_int(call_record(call_find(a), false, &cause), 0, "record off");
	ok(!fake_media_recording(a) && !model_call(a)->recording,
	    "stopped, and shown");
	end_all();
	unsetenv("XDG_DATA_HOME");
}

static void
test_transferor(void)
{
	int			 a, b;
	char			*cause = NULL;
	const struct event	*ev;

	b = ring_in("<sip:carol@x>");
	is_int(call_transfer(call_find(b), "dave", &cause), -1,
	    "a ringing call cannot be transferred");
	free(cause);
	cause = NULL;
	end_all();

	a = dial("bob");
	up(a);
	is_int(call_transfer(call_find(a), "carol", &cause), 0, "transfer");
	ok(fake_sip_count("refer 1 carol") == 1, "REFER sent");
	ev = model_last(EVENT_TRANSFER);
	ok(ev != NULL && ev->u.transfer.state == TRANSFER_TRYING, "trying");
	is_int(call_transfer(call_find(a), "dave", &cause), -1,
	    "a second transfer while one is under way is refused");
	free(cause);
	cause = NULL;
	fake_sip_report_refer_status(sipof(a), 100, false);
	fake_sip_report_refer_status(sipof(a), 180, false);
	ev = model_last(EVENT_TRANSFER);
	ok(ev->u.transfer.state == TRANSFER_RINGING && ev->u.transfer.code == 180,
	    "ringing (180)");
	is_int(model_call(a)->transfer, TRANSFER_RINGING, "the call shows it");
	fake_sip_report_refer_status(sipof(a), 200, true);
	ev = model_last(EVENT_TRANSFER);
	ok(ev->u.transfer.state == TRANSFER_DONE, "done on 200");
	ok(fake_sip_count("hangup 1 transferred") == 1,
	    "the transferred call is hung up");
	fake_sip_report_refer_status(sipof(a), 503, true);
	is_int(model_last(EVENT_TRANSFER)->u.transfer.state, TRANSFER_DONE,
	    "a late failure does not undo done");
	end_all();

	a = dial("bob");
	up(a);
	call_transfer(call_find(a), "carol", &cause);
	fake_sip_report_refer_status(sipof(a), 486, true);
	ev = model_last(EVENT_TRANSFER);
	ok(ev->u.transfer.state == TRANSFER_FAILED && ev->u.transfer.code == 486,
	    "failed with the real code");
	ok(model_count(EVENT_ERROR) == 1, "an error event says so");
	is_int(fake_sip_count("hangup"), 0, "the call stays");
	fake_sip_fail_refer = true;
	is_int(call_transfer(call_find(a), "carol", &cause), -1,
	    "a REFER the SIP side refuses fails");
	free(cause);
	cause = NULL;
	end_all();
}

static void
test_transferee(void)
{
	int	 a, b;
	struct fake_sip_call *fa, *fb;

	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_log_clear();
	fake_sip_report_refer(fa, "sip:carol@x");
	b = call_current()->id;
	fb = sipof(b);
	ok(b != a && call_find(b)->outgoing, "a REFER makes a new outgoing call");
	ok(fb != NULL && fb->referred, "it carries Referred-By");
	{
		char	 want[64];

		snprintf(want, sizeof want, "referred %d\ninvite %d", fb->n,
		    fb->n);
		ok(strstr(fake_sip_log(), want) != NULL,
		    "set before its INVITE goes out");
	}
	ok(strstr(fake_sip_log(), "new") != NULL &&
	    fake_sip_count("sip:carol@x") == 1, "to the Refer-To target");
	ok(call_find(a)->local_hold && fake_sip_count("reinvite") == 1,
	    "the old call is held while the new one is tried");
	is_int(fa->last_notify, 100, "NOTIFY 100 Trying");
	fake_sip_report(fb, SIP_CALL_PROGRESS, 180, "Ringing");
	is_int(fa->last_notify, 180, "NOTIFY 180 when it rings");
	fake_sip_report_refer(fa, "sip:dave@x");
	is_int(fa->last_notify, 491, "a second REFER meanwhile: 491");
	up(b);
	is_int(fa->last_notify, 200, "NOTIFY 200 when it is answered");
	ok(call_find(a) != NULL && fake_sip_count("hangup") == 0,
	    "the old call waits for the NOTIFY's answer");
	fake_sip_report(fa, SIP_CALL_NOTIFIED, 200, "OK");
	ok(fake_sip_count("hangup 1 transferred") == 1,
	    "then the old call is ended");
	end_all();

	/* The target refuses: the transferor hears the real code, and the
	 * old call comes back. */
	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_report_refer(fa, "sip:carol@x");
	b = call_current()->id;
	answer_reinvites();	/* the old call is held before the target refuses */
	fake_sip_log_clear();
	fake_sip_report(sipof(b), SIP_CALL_ENDED, 486, "Busy Here");
	is_int(fa->last_notify, 486, "NOTIFY 486, not 503");
	is_int(fake_sip_count("reinvite 1 resume"), 1,
	    "the old call is resumed by re-INVITE");
	ok(call_current() != NULL && call_current()->id == a,
	    "the old call is current again");
	answer_reinvites();
	ok(!call_find(a)->local_hold, "and resumed");
	fake_sip_report(fa, SIP_CALL_NOTIFIED, 200, "OK");
	is_int(fake_sip_count("hangup"), 0, "a failed transfer ends nothing");
	end_all();

	/* A REFER we cannot follow. */
	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_report_refer(fa, "bad target");
	is_int(fa->last_notify, 503, "an unusable target: 503");
	end_all();
}

/*
 * The rule with a conference: the current call and its conference
 * partner are held or not together, and have the audio unless held;
 * every other call that is up is held; the model's links, the events
 * and the engine's agree.
 */
static void
check_conf(const char *what)
{
	struct call	*c, *cur = call_current(), *p = NULL;
	int		 bad = 0;

	answer_reinvites();
	fake_loop_run();
	if (cur != NULL && cur->conference != 0)
		p = call_find(cur->conference);
	for (c = call_first(); c != NULL; c = c->next) {
		if (c->conference != 0 &&
		    (call_find(c->conference) == NULL ||
		    call_find(c->conference)->conference != c->id))
			bad |= 1;
		if (fake_media_conference(c->id) != c->conference)
			bad |= 2;
		if (model_call(c->id) != NULL &&
		    model_call(c->id)->conference != (c->conference != 0))
			bad |= 4;
		if (c->state != CALL_ESTABLISHED && c->state != CALL_HELD)
			continue;
		if (c->sip_hold != c->local_hold)
			bad |= 8;
		/* (the current call may be on hold: by the user, whole) */
		if ((c == cur || c == p) && (fake_media_active(c->id) ==
		    c->local_hold || (p != NULL && c->local_hold !=
		    cur->local_hold)))
			bad |= 16;
		if (c != cur && c != p && (!c->local_hold ||
		    fake_media_active(c->id)))
			bad |= 32;
	}
	ok(bad == 0, "conference rule holds after %s (%d)", what, bad);
}

/* call_conference(HELD) fails, saying something with WANT. */
static void
conf_refused(int held, const char *want, const char *what)
{
	char	*cause = NULL;
	int	 rc;

	rc = call_conference(held != 0 ? call_find(held) : NULL, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, want) != NULL,
	    "conference refused: %s (%s)", what, cause != NULL ? cause : "-");
	free(cause);
}

static void
test_conference(void)
{
	const struct event_call	*e;
	int			 a, b, c, d, g;
	char			*cause = NULL;

	conf_refused(0, "no current call", "no call at all");
	a = dial("bob");
	conf_refused(0, "not established", "the current call is calling");
	up(a);
	conf_refused(0, "no held call", "one call only");
	conf_refused(a, "is the current call", "the current call named");
	b = dial("carol");
	conf_refused(0, "not established", "the current call rings out");
	up(b);
	answer_reinvites();
	ok(call_find(a)->local_hold && fake_media_active(b) &&
	    !fake_media_active(a), "before: bob held, carol has the audio");
	d = ring_in("<sip:dave@x>");
	conf_refused(d, "is not established", "a ringing call named");
	is_int(call_reject(call_find(d), 486, &cause), 0, "dave rejected");
	ended(d, 486, "Busy Here");

	/* conference: both up, both active, neither held. */
	fake_sip_log_clear();
	model_clear();
	is_int(call_conference(NULL, &cause), 0, "conference");
	ok(fake_sip_count("reinvite 1 resume") == 1, "bob is taken off hold "
	    "by re-INVITE");
	is_int(fake_sip_count("reinvite 2"), 0, "carol, up already, is not "
	    "re-INVITEd");
	check_conf("conference");
	ok(call_current() == call_find(b), "carol stays current");
	is_int(fake_media_conference(b), a, "the engine mixes bob and carol");
	ok(fake_media_active(a) && fake_media_active(b), "both have the audio");
	e = model_call(a);
	ok(e != NULL && e->conference && e->state == CALL_ESTABLISHED,
	    "bob's event: established, conference");
	e = model_call(b);
	ok(e != NULL && e->conference && e->current, "carol's event: current, "
	    "conference");
	ok(model_logged("in a conference"), "the log says so");
	conf_refused(0, "in a conference", "twice");

	/* One microphone. */
	is_int(call_mute(call_find(b), true, &cause), 0, "mute carol");
	ok(fake_media_muted(a) && fake_media_muted(b) &&
	    call_find(a)->muted, "mutes both");
	fake_loop_run();
	ok(model_call(a)->muted, "and says so for both");
	is_int(call_mute(call_find(a), false, &cause), 0, "unmute bob");
	ok(!fake_media_muted(a) && !fake_media_muted(b), "unmutes both");

	/* Switching inside the conference holds nobody. */
	fake_sip_log_clear();
	is_int(call_switch(call_find(a), &cause), 0, "switch to bob");
	is_int(fake_sip_count("reinvite"), 0, "no re-INVITE");
	ok(call_current() == call_find(a), "bob current");
	check_conf("switch inside");

	/* A third call holds the conference, whole. */
	c = ring_in("<sip:dave@x>");
	answer(c);
	check_conf("answering a third call");
	ok(call_find(a)->local_hold && call_find(b)->local_hold,
	    "answering a third call holds both");
	is_int(fake_media_conference(a), b, "they stay joined");
	conf_refused(0, "in a conference", "the held call is in one");
	conf_refused(a, "in a conference", "naming a call in one");
	is_int(call_switch(call_find(b), &cause), 0, "switch back to carol");
	check_conf("switch back");
	ok(!call_find(a)->local_hold && call_find(c)->local_hold,
	    "resumes both, holds dave");
	is_int(call_hold(call_find(a), true, &cause), 0, "hold bob");
	check_conf("hold one");
	ok(call_find(b)->local_hold, "holds carol too");
	is_int(call_hold(call_find(b), false, &cause), 0, "resume carol");
	check_conf("resume one");
	ok(!call_find(a)->local_hold, "resumes bob too");

	/* split: the named call keeps the audio, the other is held. */
	fake_sip_log_clear();
	is_int(call_split(call_find(a), &cause), 0, "split, naming bob");
	check_conf("split");
	ok(call_current() == call_find(a) && !call_find(a)->local_hold &&
	    call_find(b)->local_hold, "bob current, carol held");
	ok(fake_sip_count("reinvite 2 hold") == 1, "carol held by re-INVITE");
	ok(!model_call(a)->conference && !model_call(b)->conference,
	    "events: no conference");
	ok(call_split(call_find(a), &cause) == -1 && strstr(cause,
	    "not in a conference") != NULL, "split again: refused (%s)", cause);
	free(cause);
	cause = NULL;

	/* Which held call: the one held last, or the one named. */
	is_int(call_conference(NULL, &cause), 0, "conference again");
	is_int(call_find(a)->conference, b, "joins carol, held last (dave "
	    "was held before)");
	check_conf("second conference");
	is_int(call_split(call_find(b), &cause), 0, "split naming carol");
	check_conf("split naming the other");
	ok(call_current() == call_find(b) && call_find(a)->local_hold,
	    "carol current, bob held");
	is_int(call_conference(call_find(c), &cause), 0, "conference dave");
	is_int(call_find(b)->conference, c, "with the call named");
	check_conf("conference with a named call");

	/* A conference on hold is split into two held calls. */
	is_int(call_switch(call_find(a), &cause), 0, "switch to bob");
	check_conf("switch away");
	is_int(call_split(call_find(c), &cause), 0, "split the held conference");
	check_conf("split on hold");
	ok(call_current() == call_find(a) && call_find(b)->local_hold &&
	    call_find(c)->local_hold, "bob stays current, both others held");

	/* The far end of the current leg hangs up: the other goes on. */
	is_int(call_conference(call_find(c), &cause), 0, "bob and dave");
	check_conf("bob and dave");
	model_clear();
	ended(a, 200, "remote hung up");
	check_conf("bob hangs up");
	ok(call_current() == call_find(c) && !call_find(c)->local_hold,
	    "dave goes on, current, not held");
	ok(fake_media_active(c) && fake_media_conference(c) == 0,
	    "with the audio, out of the conference");
	e = model_call(c);
	ok(e != NULL && !e->conference && e->current &&
	    e->state == CALL_ESTABLISHED, "dave's event says so");
	ok(call_find(b)->local_hold, "carol stays held");

	/* We hang up the current leg: the other goes on too. */
	is_int(call_conference(NULL, &cause), 0, "dave and carol");
	check_conf("dave and carol");
	is_int(call_hangup(call_find(c), &cause), 0, "hang up dave");
	ended(c, 200, "hung up");
	check_conf("our hang-up");
	ok(call_current() == call_find(b) && !call_find(b)->local_hold &&
	    fake_media_active(b), "carol goes on, current, with the audio");

	/* The peer refuses to be taken off hold: no conference. */
	g = dial("grace");
	up(g);
	answer_reinvites();
	is_int(call_conference(NULL, &cause), 0, "carol and grace");
	ok(call_find(c = call_current()->conference)->reinvite_busy,
	    "carol's resume is out");
	model_clear();
	fake_sip_report(sipof(c), SIP_CALL_REINVITE_DONE, 488,
	    "Not Acceptable Here");
	check_conf("a refused resume");
	ok(call_find(c)->conference == 0 && call_find(c)->local_hold &&
	    call_current() == call_find(g) && fake_media_active(g),
	    "split: carol stays held, grace current with the audio");
	ok(model_call(c) != NULL && !model_call(c)->conference &&
	    model_call(g) != NULL && !model_call(g)->conference,
	    "both events say so");
	ok(model_logged("re-INVITE was refused"), "the log says why");
	ended(g, 200, "bye");
	check_conf("grace ends");

	/* The other leg ends while the conference is on hold. */
	a = dial("erin");
	up(a);
	is_int(call_conference(NULL, &cause), 0, "erin and carol");
	c = ring_in("<sip:frank@x>");
	answer(c);
	check_conf("frank holds the conference");
	ended(a, 200, "erin hangs up");
	check_conf("a held leg ends");
	ok(call_current() == call_find(c) && call_find(b)->local_hold,
	    "frank stays current, carol held");
	is_int(fake_media_conference(b), 0, "carol is out of the conference");
	end_all();
}


/* Replaces naming CALL (its Call-ID and tags as the sender sees them). */
static void
replaces_of(int id, struct sip_replaces *rp)
{
	struct fake_sip_call	*f = sipof(id);

	memset(rp, 0, sizeof *rp);
	rp->present = true;
	util_strlcpy(rp->call_id, f->call_id, sizeof rp->call_id);
	util_strlcpy(rp->to_tag, f->ltag, sizeof rp->to_tag);
	util_strlcpy(rp->from_tag, f->rtag, sizeof rp->from_tag);
}

static int
last_id(void)
{
	struct call	*c;

	for (c = call_first(); c != NULL && c->next != NULL; c = c->next)
		;
	return c != NULL ? c->id : 0;
}

static void
test_replaces(void)
{
	struct sip_replaces	 rp;
	struct fake_sip_call	*f;
	const struct event_call	*e;
	int			 a, b, n;

	/* Refused: no such dialog, a bad header, early-only on an answered
	 * call, an early dialog we did not start, a call we are ending. */
	a = dial("bob");
	up(a);
	replaces_of(a, &rp);
	util_strlcpy(rp.to_tag, "nope", sizeof rp.to_tag);
	n = call_count();
	fake_sip_log_clear();
	f = fake_sip_incoming_replaces("<sip:eve@x>", &rp);
	ok(fake_sip_count("reject 2 481") == 1 && f->freed,
	    "Replaces naming no dialog: 481");
	is_int(call_count(), n, "and no call");
	replaces_of(a, &rp);
	util_strlcpy(rp.call_id, "other", sizeof rp.call_id);
	fake_sip_incoming_replaces("<sip:eve@x>", &rp);
	ok(fake_sip_count(" 481") == 2, "another Call-ID: 481");
	replaces_of(a, &rp);
	{
		char t[64];

		/* the tags the wrong way round */
		util_strlcpy(t, rp.to_tag, sizeof t);
		util_strlcpy(rp.to_tag, rp.from_tag, sizeof rp.to_tag);
		util_strlcpy(rp.from_tag, t, sizeof rp.from_tag);
	}
	fake_sip_incoming_replaces("<sip:eve@x>", &rp);
	ok(fake_sip_count(" 481") == 3, "our tag must be the to-tag: 481");
	memset(&rp, 0, sizeof rp);
	rp.present = rp.bad = true;
	fake_sip_incoming_replaces("<sip:eve@x>", &rp);
	ok(fake_sip_count(" 400") == 1, "duplicated Replaces: 400");
	replaces_of(a, &rp);
	rp.early_only = true;
	fake_sip_incoming_replaces("<sip:eve@x>", &rp);
	ok(fake_sip_count(" 486") == 1, "early-only on an answered call: 486");
	ok(call_find(a)->state == CALL_ESTABLISHED && fake_sip_count("hangup")
	    == 0, "which stays as it was");
	b = ring_in("<sip:carol@x>");
	replaces_of(b, &rp);
	fake_sip_incoming_replaces("<sip:eve@x>", &rp);
	ok(fake_sip_count(" 481") == 4, "a call ringing here: 481");
	is_int(call_find(b)->state, CALL_INCOMING, "it keeps ringing");
	end_all();

	/* A confirmed call is replaced: no ringing, answered at once, and
	 * the old call ends once the new one is up, which takes the audio. */
	a = dial("bob");
	up(a);
	b = ring_in("<sip:carol@x>");
	answer(b);
	answer_reinvites();
	ok(call_current()->id == b && call_find(a)->local_hold,
	    "carol current, bob held");
	replaces_of(a, &rp);
	fake_sip_log_clear();
	model_clear();
	f = fake_sip_incoming_replaces("<sip:dave@x>", &rp);
	n = last_id();
	ok(f->accepted && fake_sip_count("ring") == 0,
	    "the replacing INVITE is answered without ringing");
	fake_sip_incoming_replaces("<sip:mallory@x>", &rp);
	ok(fake_sip_count(" 486") == 1 && last_id() == n,
	    "a second one for the same call meanwhile: 486");
	ok(fake_media_tone() != MEDIA_TONE_RING, "no ring tone");
	e = model_call(n);
	ok(e != NULL && e->replaces == a, "the call event says whom it replaces");
	is_int(fake_sip_count("hangup"), 0, "the old call waits for the new");
	up(n);
	ok(fake_sip_count("hangup 1 replaced") == 1, "then it is ended");
	ok(call_current()->id == n && fake_media_active(n),
	    "the new call is current, with the audio");
	answer_reinvites();
	ok(call_find(b)->local_hold, "the call that had it is held");
	is_int(nactive(), 1, "one active call");
	ended(a, 200, "OK");
	ok(call_current()->id == n, "still current when the old one is gone");
	end_all();

	/* Our outgoing call still ringing is replaced: CANCEL. */
	a = dial("bob");
	fake_sip_report(sipof(a), SIP_CALL_PROGRESS, 180, "Ringing");
	replaces_of(a, &rp);
	f = fake_sip_incoming_replaces("<sip:dave@x>", &rp);
	ok(f->accepted, "our ringing call can be replaced");
	up(last_id());
	ok(fake_sip_count("hangup 1 replaced") == 1,
	    "and it is ended (CANCEL: the SIP side picks)");
	end_all();

	/* The replacing INVITE fails: the old call is left alone. */
	a = dial("bob");
	up(a);
	replaces_of(a, &rp);
	fake_sip_incoming_replaces("<sip:dave@x>", &rp);
	ended(last_id(), 487, "cancelled");
	ok(call_find(a) != NULL && fake_sip_count("hangup") == 0,
	    "a replacing call that never came up ends nothing");
	call_hangup(call_find(a), NULL);
	replaces_of(a, &rp);
	fake_sip_incoming_replaces("<sip:dave@x>", &rp);
	ok(fake_sip_count(" 603") == 1, "a call we are ending: 603");
	end_all();
}

static void
test_attended(void)
{
	int			 a, b, t;
	char			*cause = NULL;
	const struct event	*ev;
	struct fake_sip_call	*fa;

	/* Transferor: bob (1) is held, carol (2) current; "transfer 2 1"
	 * REFERs bob to carol, replacing our call with carol. */
	a = dial("bob");
	up(a);
	b = dial("carol");
	up(b);
	answer_reinvites();
	is_int(call_transfer_attended(call_find(a), call_find(a), &cause), -1,
	    "not to itself");
	free(cause);
	cause = NULL;
	fake_sip_log_clear();
	is_int(call_transfer_attended(call_find(a), call_find(b), &cause), 0,
	    "attended transfer");
	ok(fake_sip_count("refer 1 replacing 2") == 1,
	    "REFER on bob's call, with Replaces for carol's");
	ev = model_last(EVENT_TRANSFER);
	ok(ev != NULL && ev->u.transfer.id == a &&
	    ev->u.transfer.state == TRANSFER_TRYING, "trying");
	is_int(call_transfer(call_find(a), "dave", &cause), -1,
	    "one transfer at a time");
	free(cause);
	cause = NULL;
	fake_sip_report_refer_status(sipof(a), 200, true);
	ok(model_last(EVENT_TRANSFER)->u.transfer.state == TRANSFER_DONE,
	    "done");
	ok(fake_sip_count("hangup 1 transferred") == 1, "bob's call ends");
	is_int(fake_sip_count("hangup 2"), 0,
	    "carol's waits for carol to end it (Replaces)");
	fake_loop_advance(CALL_REPLACED_S * 1000);
	ok(fake_sip_count("hangup 2 transferred") == 1,
	    "and is ended when she does not");
	end_all();

	/* The target ends our call with it before the transferee's NOTIFY
	 * says the transfer is done: the held call being handed over is
	 * not resumed meanwhile. */
	a = dial("bob");
	up(a);
	b = dial("carol");
	up(b);
	answer_reinvites();
	call_transfer_attended(call_find(a), call_find(b), &cause);
	fake_sip_log_clear();
	ended(b, 200, "remote hung up");
	is_int(fake_sip_count("reinvite"), 0,
	    "the call under transfer is not resumed");
	ok(call_current() != NULL && call_current()->id == a &&
	    call_find(a)->local_hold, "it is current, still held");
	fake_sip_report_refer_status(sipof(a), 200, true);
	ok(fake_sip_count("hangup 1 transferred") == 1, "then it ends");
	end_all();

	/* The transfer fails: both calls stay. */
	a = dial("bob");
	up(a);
	b = dial("carol");
	up(b);
	call_transfer_attended(call_find(a), call_find(b), &cause);
	fake_sip_report_refer_status(sipof(a), 481, true);
	ok(model_last(EVENT_TRANSFER)->u.transfer.state == TRANSFER_FAILED,
	    "failed");
	fake_loop_advance(CALL_REPLACED_S * 1000);
	is_int(fake_sip_count("hangup"), 0, "nothing is hung up");
	t = ring_in("<sip:dave@x>");
	is_int(call_transfer_attended(call_find(a), call_find(t), &cause), -1,
	    "a ringing call cannot be handed over");
	free(cause);
	cause = NULL;
	end_all();

	/* Transferee: a REFER whose Refer-To carries Replaces. */
	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_log_clear();
	fake_sip_report_refer_replaces(fa, "sip:carol@x",
	    "abc@x;to-tag=1;from-tag=2");
	b = call_current()->id;
	ok(b != a && strcmp(sipof(b)->replaces, "abc@x;to-tag=1;from-tag=2")
	    == 0, "the new INVITE carries the Replaces");
	{
		char	 want[96];

		snprintf(want, sizeof want, "replaces %d abc@x;to-tag=1;"
		    "from-tag=2\ninvite %d", sipof(b)->n, sipof(b)->n);
		ok(strstr(fake_sip_log(), want) != NULL,
		    "set before the INVITE goes out");
	}
	up(b);
	is_int(fa->last_notify, 200, "NOTIFY 200");
	end_all();
}

static void
test_refer_policy(void)
{
	int			 a, b;
	char			*cause = NULL;
	struct fake_sip_call	*fa;
	const struct event_call	*e;

	ca->refer = CONF_REFER_REFUSE;
	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_log_clear();
	fake_sip_report_refer(fa, "sip:carol@x");
	is_int(fa->last_notify, 603, "refer = refuse: NOTIFY 603");
	is_int(fake_sip_count("new"), 0, "nobody is called");
	end_all();

	ca->refer = CONF_REFER_ASK;
	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_log_clear();
	model_clear();
	fake_sip_report_refer(fa, "sip:carol@x");
	is_int(fake_sip_count("new"), 0, "refer = ask: nobody is called yet");
	e = model_call(a);
	ok(e != NULL && strcmp(e->refer_to, "sip:carol@x") == 0,
	    "the call event shows the transfer asked");
	ok(call_find(a)->refer_asked, "it waits");
	is_int(call_refer_answer(call_find(a), true, &cause), 0, "accepted");
	ok(fake_sip_count("new") == 1 && fake_sip_count("sip:carol@x") == 1,
	    "then carol is called");
	e = model_call(a);
	ok(e != NULL && e->refer_to[0] == '\0', "and the question is gone");
	is_int(call_refer_answer(call_find(a), true, &cause), -1,
	    "nothing to answer twice");
	free(cause);
	cause = NULL;
	end_all();

	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_report_refer(fa, "sip:carol@x");
	is_int(call_refer_answer(call_find(a), false, &cause), 0, "refused");
	is_int(fa->last_notify, 603, "NOTIFY 603");
	is_int(fake_sip_count("new"), 0, "nobody is called");
	end_all();

	a = ring_in("<sip:alice-transferor@x>");
	answer(a);
	fa = sipof(a);
	fake_sip_report_refer(fa, "sip:carol@x");
	fake_loop_advance(CALL_REFER_ASK_S * 1000 - 100);
	is_int(fa->last_notify, 0, "the user has time");
	fake_loop_advance(100);
	is_int(fa->last_notify, 603, "then it is refused");
	ok(!call_find(a)->refer_asked, "and no longer asked");
	b = call_find(a)->id;
	ok(call_find(b) != NULL && fake_sip_count("hangup") == 0,
	    "the call goes on");
	end_all();
	ca->refer = CONF_REFER_ACCEPT;
}

/* The call event's display: the contact's name, else the remote's. */
static void
test_display(void)
{
	char		 dir[] = "/tmp/test-call-contacts.XXXXXX", *p;
	FILE		*fp;
	int		 a, b, c, d, e;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	xasprintf(&p, "%s/contacts", dir);
	if ((fp = fopen(p, "w")) != NULL) {
		fputs("Bob B <sip:bob@x>\n", fp);
		fclose(fp);
	}
	contacts_start(dir);
	a = dial("bob@x");	/* the fake makes it sip:bob@x */
	is_str(model_call(a)->display, "Bob B", "outgoing: the contact's name");
	b = ring_in("\"Eve \\\"E\\\"\" <sip:eve@x>");
	is_str(model_call(b)->display, "Eve \"E\"",
	    "incoming, no contact: the quoted display name, unescaped");
	c = ring_in("Mallory <sip:m@x>");
	is_str(model_call(c)->display, "Mallory", "an unquoted display name");
	d = ring_in("<sip:nobody@x>");
	is_str(model_call(d)->display, "", "no name at all: empty");
	e = ring_in("\"Spoof\" <sip:bob@X>");
	is_str(model_call(e)->display, "Bob B",
	    "a contact's address: its name, not the one given");
	end_all();
	contacts_stop();
	remove(p);
	free(p);
	remove(dir);
}

static void
test_resolve(void)
{
	char	*cause = NULL;
	int	 a;

	ok(call_resolve(NULL, &cause) == NULL && cause != NULL,
	    "no current call");
	free(cause);
	cause = NULL;
	a = dial("bob");
	ok(call_resolve(NULL, &cause) == call_find(a), "the current call");
	ok(call_resolve("x", &cause) == NULL, "a bad id");
	free(cause);
	cause = NULL;
	ok(call_resolve("77", &cause) == NULL && strstr(cause, "no call 77"),
	    "an unknown id");
	free(cause);
	cause = NULL;
	ok(call_switch(call_find(a), &cause) == 0, "switch to itself");
	call_status();
	fake_loop_run();
	ok(model_call(a) != NULL, "status shows the call");
	call_free_all();
	is_int(call_count(), 0, "free all");
	fake_sip_reset();
	fake_sip_log_clear();
	model_clear();
}

/* Do not disturb and forwarding: the rule and what the INVITE gets. */
static void
test_dnd_forward(void)
{
	const struct event_call	*e;
	struct call		*c;
	char			*cause = NULL;
	int			 id;

	end_all();
	account_set_dnd(acct, NULL, true);
	ok(account_dnd(acct), "dnd on: in effect");
	id = ring_in("\"Eve\" <sip:eve@x>");
	ok(id != 0, "dnd: the INVITE still makes a call");
	c = call_find(id);
	ok(c != NULL && c->dnd_refused, "dnd: marked refused by dnd");
	is_int(fake_sip_count(" 486"), 1, "dnd: 486 is sent");
	is_int(fake_sip_count("ring"), 0, "dnd: no 180");
	ok(model_call(id) == NULL, "dnd: not shown while it ends");
	ok(call_current() == NULL, "dnd: not current");
	ok(fake_media_tone() != MEDIA_TONE_RING, "dnd: no ring tone");
	model_clear();
	call_status();
	ok(model_call(id) == NULL, "dnd: status does not show it ringing");
	ended(id, 486, "Busy Here");
	e = model_call(id);
	ok(e != NULL && e->state == CALL_TERMINATED && !e->outgoing,
	    "dnd: its end is published");
	is_str(e != NULL ? e->reason : "", "refused: do not disturb",
	    "dnd: with why");
	is_int(call_count(), 0, "dnd: then it is gone");
	end_all();

	/* the account's own setting wins; a global change drops it */
	account_set_dnd(acct, acct, false);
	ok(!account_dnd(acct), "dnd off ACCOUNT wins over the global on");
	ok(account_dnd_global(), "the global setting stays on");
	account_set_dnd(acct, NULL, true);
	ok(account_dnd(acct), "a global change drops the account's own");
	account_set_dnd(acct, NULL, false);
	ok(!account_dnd(acct), "dnd off");

	/* forward */
	is_int(account_set_forward(acct, NULL, "sip:", &cause), -1,
	    "forward: a bad target is refused");
	ok(cause != NULL, "with a reason");
	free(cause);
	cause = NULL;
	ok(account_forward(acct) == NULL, "forward: still off");
	is_int(account_set_forward(acct, NULL, "bob", &cause), 0,
	    "forward bob");
	is_str(account_forward(acct), "sip:bob@127.0.0.1",
	    "forward: resolved at the account's domain");
	is_str(account_forward_global(), "bob", "forward: the global, as typed");
	account_set_dnd(acct, NULL, true);
	ok(ring_in("<sip:eve@x>") == 0, "forward: no call");
	is_int(fake_sip_count("redirect"), 1,
	    "forward: 302, over do not disturb");
	is_int(fake_sip_count(" sip:bob@127.0.0.1"), 1,
	    "forward: to the target");
	account_set_dnd(acct, NULL, false);
	is_int(account_set_forward(acct, acct, NULL, &cause), 0,
	    "forward off ACCOUNT");
	ok(account_forward(acct) == NULL, "the account's own off wins");
	is_int(account_set_forward(acct, acct, "sip:carol@y", &cause), 0,
	    "forward TARGET ACCOUNT");
	is_str(account_forward(acct), "sip:carol@y", "the account's own target");
	is_int(account_set_forward(acct, NULL, NULL, &cause), 0, "forward off");
	ok(account_forward(acct) == NULL, "a global off drops the account's");
	id = ring_in("<sip:eve@x>");
	ok(id != 0 && model_call(id)->state == CALL_INCOMING,
	    "all off: it rings again");
	end_all();
	account_reset_global();
}

/* How each call ends, as the history and the hooks are told. */
static void
test_outcome(void)
{
	const struct event_call	*e;
	int			 id;
	char			*cause = NULL;

	id = dial("bob");
	is_int(model_call(id)->outcome, CALL_OUTCOME_NONE,
	    "no outcome before the end");
	up(id);
	call_hangup(call_find(id), &cause);
	ended(id, 200, "hung up");
	e = model_call(id);
	ok(e->state == CALL_TERMINATED && e->outcome == CALL_OUTCOME_ANSWERED,
	    "an outgoing call that was up: answered");
	end_all();

	id = ring_in("<sip:bob@x>");
	answer(id);
	ended(id, 200, "bye");
	is_int(model_call(id)->outcome, CALL_OUTCOME_ANSWERED,
	    "an incoming call that was up: answered");
	end_all();

	id = dial("bob");
	fake_sip_report(sipof(id), SIP_CALL_PROGRESS, 180, "Ringing");
	call_hangup(call_find(id), &cause);
	ended(id, 487, "Request Terminated");
	is_int(model_call(id)->outcome, CALL_OUTCOME_CANCELLED,
	    "ours, hung up before the answer: cancelled");
	end_all();

	id = dial("bob");
	ended(id, 486, "Busy Here");
	is_int(model_call(id)->outcome, CALL_OUTCOME_FAILED,
	    "ours, refused: failed");
	end_all();

	id = ring_in("<sip:bob@x>");
	call_reject(call_find(id), 603, &cause);
	ended(id, 603, "Decline");
	is_int(model_call(id)->outcome, CALL_OUTCOME_REJECTED,
	    "refused by hand: rejected");
	end_all();

	id = ring_in("<sip:bob@x>");
	call_hangup(call_find(id), &cause);
	ended(id, 486, "Busy Here");
	is_int(model_call(id)->outcome, CALL_OUTCOME_REJECTED,
	    "a ringing call hung up: rejected");
	end_all();

	id = ring_in("<sip:bob@x>");
	ended(id, 487, "Request Terminated");
	is_int(model_call(id)->outcome, CALL_OUTCOME_MISSED,
	    "the caller gave up: missed");
	end_all();

	id = ring_in("<sip:bob@x>");
	fake_loop_advance(60000);
	ok(fake_sip_count(" 480") == 1, "480 after the ring timeout");
	ended(id, 480, "Temporarily Unavailable");
	is_int(model_call(id)->outcome, CALL_OUTCOME_MISSED,
	    "unanswered until ring_timeout: missed");
	end_all();

	id = ring_in("<sip:bob@x>");
	call_find(id)->dnd_refused = true;
	call_reject(call_find(id), 486, &cause);
	ended(id, 486, "Busy Here");
	is_int(model_call(id)->outcome, CALL_OUTCOME_MISSED,
	    "refused by do-not-disturb: missed");
	end_all();

	fake_sip_fail_ring = true;
	id = ring_in("<sip:bob@x>");
	ended(id, 488, "no common codec");
	is_int(model_call(id)->outcome, CALL_OUTCOME_FAILED,
	    "never offered to the user: failed, not missed");
	end_all();
}

static struct media_stun_result
stun_ok(const char *addr, int port, int rtcp_port)
{
	struct media_stun_result	 r;

	memset(&r, 0, sizeof r);
	r.ok = true;
	util_strlcpy(r.server, "192.0.2.9:3478", sizeof r.server);
	util_strlcpy(r.addr, addr, sizeof r.addr);
	r.port = port;
	if (rtcp_port != 0)
		util_strlcpy(r.rtcp_addr, addr, sizeof r.rtcp_addr);
	else
		util_strlcpy(r.why, "STUN server 192.0.2.9:3478 did not answer",
		    sizeof r.why);
	r.rtcp_port = rtcp_port;
	return r;
}

/* [account] stun_server: the offer or answer waits for the binding. */
static void
test_stun(void)
{
	struct media_stun_result	 r;
	struct fake_sip_call		*f;
	char				 server[80], *cause = NULL;
	int				 id;

	ca->stun_host = xstrdup("192.0.2.9");
	ca->stun_port = 3478;

	/* Outgoing: the INVITE goes once the binding is known. */
	id = dial("bob");
	ok(id > 0, "stun: dial makes a call");
	ok(fake_media_stun_asked(id, server, sizeof server),
	    "stun: the stream is asked for its binding");
	is_str(server, "192.0.2.9:3478", "stun: of the account's server");
	is_int(fake_sip_count("invite"), 0, "stun: no INVITE yet");
	ok(model_logged("waits for it (1 s at most)"), "stun: the wait is "
	    "logged with its bound");
	r = stun_ok("203.0.113.5", 61000, 61001);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("invite"), 1, "stun: then the INVITE goes");
	f = sipof(id);
	is_str(f->public_addr, "203.0.113.5", "stun: with the public address");
	is_int(f->port, 61000, "stun: and the public RTP port");
	is_int(f->rtcp_port, 61001, "stun: RTCP's public port is given");
	ok(model_logged("sees 127.0.0.1:"), "stun: the mapping is logged");
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("invite"), 1, "stun: a second answer is ignored");
	end_all();

	/* Outgoing, STUN fails: the INVITE goes with the local address. */
	id = dial("bob");
	memset(&r, 0, sizeof r);
	util_strlcpy(r.why, "STUN server 192.0.2.9:3478 did not answer",
	    sizeof r.why);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("invite"), 1, "stun failed: the INVITE goes");
	is_str(sipof(id)->public_addr, "", "stun failed: no public address");
	is_int(sipof(id)->port, fake_media_of(id) != NULL ?
	    media_local_port(fake_media_of(id)) : -1,
	    "stun failed: the local port");
	ok(model_logged("STUN server 192.0.2.9:3478 did not answer; the SDP "
	    "carries the local address 127.0.0.1"), "stun failed: the reason "
	    "is logged in plain words");
	end_all();

	/* Outgoing, RTCP's binding failed: no a=rtcp, and it is said. */
	id = dial("bob");
	r = stun_ok("203.0.113.5", 61000, 0);
	fake_media_stun_answer(id, &r);
	is_int(sipof(id)->rtcp_port, 0, "stun, RTCP unknown: no RTCP port");
	ok(model_logged("the SDP gives no RTCP address"), "stun, RTCP "
	    "unknown: logged");
	end_all();

	/* Hung up while waiting: nothing goes out, the call ends. */
	id = dial("bob");
	is_int(call_hangup(call_find(id), &cause), 0, "stun: hang up while "
	    "waiting");
	ok(call_find(id) != NULL, "stun: the call waits for the binding");
	r = stun_ok("203.0.113.5", 61000, 61001);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("invite"), 0, "stun: no INVITE after a hang-up");
	ok(call_find(id) == NULL && model_call(id) != NULL &&
	    model_call(id)->state == CALL_TERMINATED, "stun: the call ended");
	end_all();

	/* Incoming: it rings, and can be answered, only once it is known. */
	id = ring_in("<sip:bob@x>");
	ok(id > 0, "stun: an incoming call");
	is_int(fake_sip_count("ring"), 0, "stun: no 180 before the binding");
	is_int(call_answer(call_find(id), &cause), -1, "stun: it cannot be "
	    "answered yet");
	ok(cause != NULL && strstr(cause, "STUN") != NULL, "stun: and that "
	    "says why");
	free(cause);
	cause = NULL;
	r = stun_ok("203.0.113.5", 62000, 62007);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("ring"), 1, "stun: then it rings");
	is_int(sipof(id)->port, 62000, "stun: its answer has the public port");
	is_int(sipof(id)->rtcp_port, 62007, "stun: and RTCP's");
	answer(id);
	is_int(model_call(id)->state, CALL_ESTABLISHED, "stun: answered");
	end_all();

	/* Incoming, the caller gives up while we wait. */
	id = ring_in("<sip:bob@x>");
	ended(id, 487, "Request Terminated");
	ok(call_find(id) == NULL, "stun: a cancelled call is gone");
	r = stun_ok("203.0.113.5", 62000, 62001);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("ring"), 0, "stun: its late binding does nothing");
	end_all();

	/* Auto-answer waits too. */
	ca->auto_answer = true;
	id = ring_in("<sip:bob@x>");
	is_int(fake_sip_count("answer"), 0, "stun: auto_answer waits");
	r = stun_ok("203.0.113.5", 62000, 62001);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("answer"), 1, "stun: then answers");
	ca->auto_answer = false;
	end_all();

	/* A server by name: looked up first, per call. */
	free(ca->stun_host);
	ca->stun_host = xstrdup("stun.example.net");
	ca->stun_port = 3479;
	id = dial("bob");
	is_str(fake_sip_dns_pending(), "sip:stun.example.net:3479",
	    "stun by name: looked up");
	ok(!fake_media_stun_asked(id, server, sizeof server),
	    "stun by name: not asked before the address is known");
	fake_sip_dns_answer("198.51.100.3", NULL);
	ok(fake_media_stun_asked(id, server, sizeof server) &&
	    strcmp(server, "198.51.100.3:3479") == 0, "stun by name: then "
	    "asked at its address");
	r = stun_ok("203.0.113.5", 61000, 61001);
	fake_media_stun_answer(id, &r);
	is_int(fake_sip_count("invite"), 1, "stun by name: the INVITE goes");
	end_all();

	id = dial("bob");
	fake_sip_dns_answer(NULL, "cannot resolve stun.example.net: no such "
	    "host");
	is_int(fake_sip_count("invite"), 1, "stun name unknown: the INVITE "
	    "goes at once");
	ok(model_logged("cannot resolve stun.example.net: no such host; the "
	    "SDP carries the local address"), "stun name unknown: logged");
	end_all();

	id = dial("bob");
	is_int(call_hangup(call_find(id), &cause), 0, "stun by name: hang up "
	    "during the lookup");
	fake_sip_dns_answer("198.51.100.3", NULL);
	ok(!fake_media_stun_asked(id, server, sizeof server) &&
	    call_find(id) == NULL && fake_sip_count("invite") == 0,
	    "stun by name: then the call ends, nothing asked or sent");
	end_all();

	id = dial("bob");
	ok(fake_sip_dns_pending() != NULL, "stun by name: a lookup is out");
	ended(id, 500, "gone");
	ok(fake_sip_dns_pending() == NULL, "stun by name: a freed call "
	    "cancels its lookup");
	end_all();

	/* An IPv6 server for an IPv4 socket: not asked, the call goes on. */
	free(ca->stun_host);
	ca->stun_host = xstrdup("2001:db8::9");
	id = dial("bob");
	is_int(fake_sip_count("invite"), 1, "stun unusable: the INVITE goes");
	ok(model_logged("the SDP carries the local address"), "stun "
	    "unusable: logged");
	end_all();

	free(ca->stun_host);
	ca->stun_host = NULL;
}

int
main(void)
{
	static const struct media_handlers mh = {
		call_media_dtmf, call_media_timeout, call_media_stats,
		call_media_stun, NULL,
	};

	model_start_recording();
	ca = model_conf_account("alice", "sip:alice@127.0.0.1", 0);
	acct = account_new(1, ca);
	media_init(NULL, &mh, NULL);
	sip_call_set_incoming(incoming, acct);
	call_set_timeouts(60, 30);

	test_outgoing();
	test_incoming();
	test_limit();
	test_one_active();
	test_hold_details();
	test_timeouts_dtmf_mute();
	test_record();
	test_transferor();
	test_transferee();
	test_conference();
	test_replaces();
	test_attended();
	test_refer_policy();
	test_display();
	test_resolve();
	test_dnd_forward();
	test_outcome();
	test_stun();

	account_free(acct);
	model_conf_account_free(ca);
	sip_ua_free();
	fake_loop_run();
	free(model_ev);
	return done_testing();
}
