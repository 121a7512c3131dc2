/*
 * test-tui.c: the pure parts of the full-screen interface, without a
 * terminal: which keys the hint line offers in each call state
 * (tui-hints.c), and the call list's words, flags, timer and columns
 * (tui-calls.c). tests/tui.sh and tests/tui-calls.sh check the screen.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tui-int.h"
#include "util.h"

/* NAME's label in the hints for CUR, LIVE and ENDED, or NULL. */
static const char *
offered(const struct tui_call *cur, int live, int ended, const char *name)
{
	static struct tui_hint	 v[TUI_HINTS_MAX];
	int			 n, i;

	n = tui_hints_list(cur, live, ended, TUI_VIEW_LOG, v, TUI_HINTS_MAX);
	for (i = 0; i < n; i++) {
		if ((v[i].name != NULL && strcmp(v[i].name, name) == 0) ||
		    (v[i].fixed != NULL && strcmp(v[i].fixed, name) == 0))
			return v[i].label;
	}
	return NULL;
}

static void
test_hints(void)
{
	struct tui_call	 c;

	ok(offered(NULL, 0, 0, "0-9") != NULL, "idle: digits dial");
	ok(offered(NULL, 0, 0, "dial") != NULL, "idle: d dials");
	ok(offered(NULL, 0, 0, "hangup") == NULL, "idle: no hang up");
	ok(offered(NULL, 0, 0, "hold_toggle") == NULL, "idle: no hold");
	ok(offered(NULL, 0, 0, "mute_toggle") == NULL, "idle: no mute");
	ok(offered(NULL, 0, 0, "transfer") == NULL, "idle: no transfer");
	ok(offered(NULL, 0, 0, "switch") == NULL, "idle: no next call");
	ok(offered(NULL, 0, 0, "clear") == NULL, "nothing ended: no clear");
	ok(offered(NULL, 0, 1, "clear") != NULL, "a call ended: clear");

	memset(&c, 0, sizeof c);
	c.outgoing = true;
	c.state = CALL_RINGING;
	is_str(offered(&c, 1, 0, "hangup"), "cancel", "ringing out: h cancels");
	ok(offered(&c, 1, 0, "hold_toggle") == NULL, "ringing out: no hold");
	ok(offered(&c, 1, 0, "0-9*#") == NULL, "ringing out: no DTMF");
	ok(offered(&c, 1, 0, "transfer") == NULL, "ringing out: no transfer");
	ok(offered(&c, 1, 0, "mute_toggle") != NULL, "ringing out: mute");
	ok(offered(&c, 1, 0, "0-9") == NULL, "in a call: digits do not dial");

	c.state = CALL_EARLY;
	ok(offered(&c, 1, 0, "0-9*#") != NULL, "early media: DTMF");
	ok(offered(&c, 1, 0, "hold_toggle") == NULL, "early media: no hold");

	c.state = CALL_ESTABLISHED;
	is_str(offered(&c, 1, 0, "hangup"), "hang up", "established: hang up");
	is_str(offered(&c, 1, 0, "hold_toggle"), "hold", "established: hold");
	ok(offered(&c, 1, 0, "0-9*#") != NULL, "established: DTMF");
	ok(offered(&c, 1, 0, "transfer") != NULL, "established: transfer");
	ok(offered(&c, 1, 0, "switch") == NULL, "one call: no next call");
	ok(offered(&c, 2, 0, "switch") != NULL, "two calls: next call");
	c.muted = true;
	is_str(offered(&c, 1, 0, "mute_toggle"), "unmute", "muted: unmute");

	c.muted = false;
	ok(offered(&c, 1, 0, "conference_toggle") == NULL,
	    "one call: no conference");
	is_str(offered(&c, 2, 0, "conference_toggle"), "conference",
	    "two calls: conference");
	c.conference = true;
	is_str(offered(&c, 2, 0, "conference_toggle"), "split",
	    "in a conference: split");
	c.conference = false;
	c.muted = true;

	c.state = CALL_HELD;
	is_str(offered(&c, 1, 0, "hold_toggle"), "resume", "on hold: resume");
	ok(offered(&c, 1, 0, "0-9*#") == NULL, "on hold: no DTMF");
	ok(offered(&c, 1, 0, "transfer") != NULL, "on hold: transfer");
	ok(offered(&c, 1, 0, "refer_accept") == NULL, "nothing asked: no y");
	snprintf(c.refer_to, sizeof c.refer_to, "sip:carol@x");
	is_str(offered(&c, 1, 0, "refer_accept"), "accept transfer",
	    "a transfer asked: y accepts");
	is_str(offered(&c, 1, 0, "refer_refuse"), "refuse transfer",
	    "and n refuses");
}

static void
test_words(void)
{
	struct tui_call	 c;
	enum tui_style	 st;
	char		 buf[128];

	memset(&c, 0, sizeof c);
	c.state = CALL_HELD;
	is_str(tui_calls_state(&c, &st), "on hold", "our hold: on hold");
	c.held_by_remote = true;
	c.muted = true;
	c.srtp = true;
	tui_calls_flags(&c, buf, sizeof buf);
	is_str(buf, "HOLD HELD-BY-REMOTE MUTE SRTP", "every flag, spelled");
	c.state = CALL_ESTABLISHED;
	tui_calls_flags(&c, buf, sizeof buf);
	is_str(buf, "HELD-BY-REMOTE MUTE SRTP", "their hold is not HOLD");
	c.recording = true;
	tui_calls_flags(&c, buf, sizeof buf);
	is_str(buf, "HELD-BY-REMOTE MUTE REC SRTP", "a recorded call: REC");
	c.recording = false;
	c.conference = true;
	tui_calls_flags(&c, buf, sizeof buf);
	is_str(buf, "HELD-BY-REMOTE CONF MUTE SRTP", "in a conference: CONF");
	c.conference = false;
	c.muted = false;
	c.held_by_remote = false;
	c.transfer = TRANSFER_RINGING;
	snprintf(c.refer_to, sizeof c.refer_to, "sip:carol@x");
	c.replaces = 3;
	tui_calls_flags(&c, buf, sizeof buf);
	is_str(buf, "XFER-RINGING XFER? REPLACES-3 SRTP",
	    "transfer under way, asked of us, and a replacing call");
	c.transfer = TRANSFER_DONE;
	c.refer_to[0] = '\0';
	c.replaces = 0;
	c.muted = true;
	c.held_by_remote = true;

	c.state = CALL_TERMINATED;
	c.ended_ms = 9000;
	c.code = 487;
	is_str(tui_calls_state(&c, &st), "missed", "unanswered, cancelled: missed");
	ok(st == TUI_S_DIM, "and dimmed");
	c.code = 486;
	is_str(tui_calls_state(&c, &st), "rejected", "486 of ours: rejected");
	c.outcome = CALL_OUTCOME_MISSED;
	is_str(tui_calls_state(&c, &st), "missed",
	    "486 by do-not-disturb: the outcome says missed");
	ok(st == TUI_S_BAD, "and a missed call stands out until seen");
	c.outcome = CALL_OUTCOME_NONE;
	c.answered_ms = 3000;
	is_str(tui_calls_state(&c, &st), "ended", "answered: ended");
	c.outgoing = true;
	c.answered_ms = 0;
	is_str(tui_calls_state(&c, &st), "ended", "outgoing, unanswered: ended");
	tui_calls_flags(&c, buf, sizeof buf);
	is_str(buf, "SRTP", "an ended call keeps only SRTP");

	memset(&c, 0, sizeof c);
	c.started_ms = 1000;
	is_int(tui_calls_secs(&c, 6500), 5, "ringing: the time since it rang");
	c.answered_ms = 3000;
	is_int(tui_calls_secs(&c, 6500), 3, "answered: since the answer");
	c.ended_ms = 5000;
	is_int(tui_calls_secs(&c, 60000), 2, "ended: frozen at the end");

	tui.utf8 = true;
	tui_calls_cut("Bob <sip:bob@example.com>", 10, buf, sizeof buf);
	is_str(buf, "Bob <sip:\xe2\x80\xa6", "cut to 10 columns with an ellipsis");
	tui_calls_cut("Bob", 10, buf, sizeof buf);
	is_str(buf, "Bob", "what fits is not cut");
	tui_calls_cut("日本日本日本", 5, buf, sizeof buf);
	is_str(buf, "日本\xe2\x80\xa6", "wide characters cut by columns");
	tui.utf8 = false;
	tui_calls_cut("Bob <sip:bob@example.com>", 10, buf, sizeof buf);
	is_str(buf, "Bob <sip:~", "without UTF-8 the ellipsis is ~");
}

/* The mark column: the current call, and the one conferenced with it. */
static void
test_mark(void)
{
	struct tui_call	*v = tui.calls;

	memset(tui.calls, 0, sizeof tui.calls);
	tui.ncalls = 3;
	v[0].id = 1;
	v[1].id = 2;
	v[2].id = 3;
	v[1].current = true;
	ok(tui_calls_mark(&v[1]) == '>' && tui_calls_mark(&v[0]) == ' ' &&
	    tui_calls_mark(&v[2]) == ' ', "> marks the current call alone");
	v[1].conference = v[2].conference = true;
	ok(tui_calls_mark(&v[1]) == '>' && tui_calls_mark(&v[2]) == '+' &&
	    tui_calls_mark(&v[0]) == ' ', "+ marks the call in its conference");
	v[1].current = false;
	v[0].current = true;
	ok(tui_calls_mark(&v[1]) == ' ' && tui_calls_mark(&v[2]) == ' ',
	    "a conference on hold: no +");
	v[0].current = false;
	v[2].current = true;
	v[1].ended_ms = 5;
	ok(tui_calls_mark(&v[1]) == ' ', "an ended row: no mark");
	memset(tui.calls, 0, sizeof tui.calls);
	tui.ncalls = 0;
}

static void
test_layout(void)
{
	struct tui_call		 v[3];
	struct tui_calls_cols	 a, b;

	tui.utf8 = true;
	memset(v, 0, sizeof v);
	v[0].id = 1;
	v[0].state = CALL_ESTABLISHED;
	snprintf(v[0].remote, sizeof v[0].remote, "Bob <sip:bob@example.com>");
	snprintf(v[0].codec, sizeof v[0].codec, "opus");
	snprintf(v[0].account, sizeof v[0].account, "alice");
	v[1] = v[0];
	v[1].id = 2;
	snprintf(v[1].remote, sizeof v[1].remote, "\"%s\" <sip:x@example.com>",
	    "A Very Long Display Name Indeed, Longer Than Any Screen Is Wide");
	tui_calls_layout(80, v, 1, 1, &a);
	tui_calls_layout(80, v, 2, 1, &b);
	ok(a.state == b.state && a.timer == b.timer && a.codec == b.codec,
	    "a long party moves no column");
	is_int(a.accountw, 0, "one account: no account column");
	is_int(a.codec + a.codecw, 79, "the codec ends one column from the edge");

	v[1].state = CALL_HELD;
	v[1].held_by_remote = true;
	v[1].muted = true;
	v[1].srtp = true;
	snprintf(v[1].account, sizeof v[1].account, "office");
	tui_calls_layout(80, v, 2, 2, &b);
	is_int(b.accountw, 6, "two accounts: a column as wide as the names");
	ok(b.flagsw >= (int)strlen("HOLD HELD-BY-REMOTE MUTE SRTP"),
	    "the flags column holds every flag");
	ok(b.partyw >= TUI_CALLS_PARTY_MIN, "the party keeps %d columns",
	    TUI_CALLS_PARTY_MIN);
	ok(b.codecw == 0 || b.codec + b.codecw <= 79, "nothing past 80 columns");
	ok(b.flags + b.flagsw <= 79, "the flags end within 80 columns");

	v[0].have_stats = true;
	tui_calls_layout(80, v, 1, 1, &a);
	is_int(a.qualityw, 0, "no quality at 80 columns");
	tui_calls_layout(120, v, 1, 1, &a);
	ok(a.qualityw > 0, "the quality at 120 columns");

	v[2] = v[0];
	v[2].id = 3;
	v[2].state = CALL_TERMINATED;
	v[2].ended_ms = 1;
	v[2].code = 487;
	snprintf(v[2].reason, sizeof v[2].reason, "cancelled by the caller");
	tui_calls_layout(80, v, 1, 1, &a);
	tui_calls_layout(80, v + 2, 1, 1, &b);
	ok(79 - b.flags >= (int)strlen("487 cancelled by the caller"),
	    "an ended call has room for why");
}

static void
test_meter(void)
{
	char	 buf[64];

	tui.utf8 = false;
	tui_calls_meter(-90, buf, sizeof buf);
	is_str(buf, "........", "silence lights nothing");
	tui_calls_meter(-59, buf, sizeof buf);
	is_str(buf, "|.......", "-59 dBFS: the first step");
	tui_calls_meter(-30, buf, sizeof buf);
	is_str(buf, "|||||...", "-30 dBFS: about half");
	tui_calls_meter(-3, buf, sizeof buf);
	is_str(buf, "||||||||", "-3 dBFS: all of it");
	tui_calls_meter(0, buf, sizeof buf);
	is_str(buf, "||||||||", "full scale: all of it");
	tui.utf8 = true;
	tui_calls_meter(-30, buf, sizeof buf);
	is_str(buf, "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84\xe2\x96\x85   ",
	    "in UTF-8, rising blocks");
	tui.utf8 = false;
}

/* The title line's word for do not disturb and forwarding. */
static void
reg(const char *account, bool dnd, const char *forward)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_REGISTRATION;
	util_strlcpy(ev.u.reg.account, account, sizeof ev.u.reg.account);
	ev.u.reg.state = REG_REGISTERED;
	ev.u.reg.dnd = dnd;
	util_strlcpy(ev.u.reg.forward, forward, sizeof ev.u.reg.forward);
	tui_model_event(&ev);
}

static void
test_divert(void)
{
	char	 buf[192];

	tui.naccounts = 0;
	reg("home", false, "");
	tui_model_divert(buf, sizeof buf, false);
	is_str(buf, "", "divert: nothing when calls ring as usual");
	reg("home", true, "");
	tui_model_divert(buf, sizeof buf, false);
	is_str(buf, "DND", "divert: DND, one account");
	reg("work", false, "");
	tui_model_divert(buf, sizeof buf, false);
	is_str(buf, "DND:home", "divert: DND on some accounts names them");
	reg("work", true, "sip:bob@example.com");
	reg("home", true, "sip:bob@example.com");
	tui_model_divert(buf, sizeof buf, true);
	is_str(buf, "DND  FWD\xe2\x86\x92" "bob@example.com",
	    "divert: all alike: one word each, an arrow in UTF-8");
	reg("home", false, "");
	tui_model_divert(buf, sizeof buf, false);
	is_str(buf, "DND:work  FWD:work->bob@example.com",
	    "divert: per account otherwise");
	tui.naccounts = 0;
}

static void
pres(const char *uri, enum presence_state state, bool own)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_PRESENCE;
	util_strlcpy(ev.u.presence.account, "home", sizeof ev.u.presence.account);
	util_strlcpy(ev.u.presence.uri, uri, sizeof ev.u.presence.uri);
	ev.u.presence.state = state;
	ev.u.presence.own = own;
	tui_model_event(&ev);
}

/* A watched remote's state, for the call rows. */
static void
test_presence(void)
{
	const struct tui_presence	*p;

	tui.npresence = 0;
	ok(tui_model_presence("sip:bob@example.com") == NULL,
	    "presence: nothing watched, nothing known");
	pres("sip:bob@example.com", PRESENCE_UNKNOWN, false);
	ok(tui_model_presence("sip:bob@example.com") == NULL,
	    "presence: watched but unknown is not shown");
	pres("sip:bob@example.com", PRESENCE_BUSY, false);
	p = tui_model_presence("\"Bob\" <sip:bob@Example.COM:5060;transport=udp>");
	ok(p != NULL && p->state == PRESENCE_BUSY,
	    "presence: a call's remote finds the watched state");
	ok(tui_model_presence("<sip:bobby@example.com>") == NULL,
	    "presence: another user is not");
	pres("sip:carol@example.com", PRESENCE_ONLINE, true);
	ok(tui_model_presence("sip:carol@example.com") == NULL,
	    "presence: our own published state is no watch");
	pres("sip:bob@example.com", PRESENCE_OFFLINE, false);
	is_int(tui.npresence, 1, "presence: one entry per address");
	is_int(tui_model_presence("sip:bob@example.com")->state,
	    PRESENCE_OFFLINE, "presence: the last state");
}

int
main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	test_divert();
	test_presence();
	test_hints();
	test_words();
	test_mark();
	test_layout();
	test_meter();
	return done_testing();
}
