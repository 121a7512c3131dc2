/*
 * test-history.c: the store and the call history (store.c, history.c)
 * in a temporary directory: rows written before the front ends see the
 * event, outcomes and the missed counter across a reopen, calls left
 * under way by a crash, the queries of the view, redial and completion,
 * and databases that must be left alone: garbage, a newer schema, a
 * directory that cannot be made.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "fakes.h"
#include "history.h"
#include "tap.h"
#include "util.h"

static char	 dir[64];
static char	 path[192];

static time_t
clock_fixed(void)
{
	return 1764945000;	/* 2025-12-05T14:30:00Z */
}

static void
call_ev(int id, bool out, const char *remote, enum call_state st,
    enum call_outcome o, int code, int duration)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_CALL;
	ev.u.call.id = id;
	util_strlcpy(ev.u.call.account, "alice", sizeof ev.u.call.account);
	ev.u.call.outgoing = out;
	util_strlcpy(ev.u.call.remote, remote, sizeof ev.u.call.remote);
	ev.u.call.state = st;
	ev.u.call.outcome = o;
	ev.u.call.code = code;
	ev.u.call.duration = duration;
	event_emit(&ev);
	fake_loop_run();
}

/* An observer joined after the history, as the front ends are. */
static long long	 seen_rows = -1;

static void
front_end(const struct event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == EVENT_CALL && ev->u.call.state == CALL_INCOMING)
		seen_rows = history_count();
}

/* The whole file, for before/after comparisons. */
static char *
slurp(const char *p, size_t *len)
{
	FILE	*f = fopen(p, "rb");
	char	*buf;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static void
spit(const char *p, const void *buf, size_t len)
{
	FILE	*f = fopen(p, "wb");

	if (f != NULL) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
}

static void
test_basics(void)
{
	struct event_history	 h[8];
	struct stat		 st;
	char			*cause = NULL, sub[128], buf[256];
	int			 obs, n;

	snprintf(sub, sizeof sub, "%s/tsphone", dir);
	snprintf(path, sizeof path, "%s/tsphone.db", sub);
	is_int(history_open(path, &cause), 0, "a new database opens");
	ok(history_error() == NULL, "and the history is on");
	ok(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700,
	    "its directory is 0700");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the file is 0600");
	is_int(history_count(), 0, "empty");

	obs = event_observe(front_end, NULL);
	call_ev(1, false, "\"Bob \\\"B\\\"\" <sip:bob@example.com>",
	    CALL_INCOMING, CALL_OUTCOME_NONE, 180, 0);
	is_int(seen_rows, 1, "the row is there when a front end sees the call");
	is_int(history_list(0, 8, h, &cause), 1, "one entry");
	ok(h[0].n > 0 && !h[0].outgoing && h[0].outcome == CALL_OUTCOME_NONE,
	    "incoming, under way");
	is_str(h[0].display, "Bob \"B\"", "the display name from the remote");
	is_str(h[0].account, "alice", "the account");
	ok(h[0].time == clock_fixed(), "the time from the clock");
	call_ev(1, false, "\"Bob Brown\" <sip:bob@example.com>", CALL_TERMINATED,
	    CALL_OUTCOME_MISSED, 487, 0);
	is_int(history_missed(), 1, "the caller gave up: one missed");
	history_get(h[0].n, &h[1], &cause);
	ok(h[1].outcome == CALL_OUTCOME_MISSED && h[1].code == 487,
	    "the entry says missed, 487");
	call_ev(1, false, "\"Bob Brown\" <sip:bob@example.com>", CALL_TERMINATED,
	    CALL_OUTCOME_MISSED, 487, 0);
	is_int(history_count(), 1, "a second end of the same call (ids are "
	    "not reused) is no new entry");
	is_int(history_missed(), 1, "and no second missed call");
	history_seen();
	is_int(history_missed(), 0, "looking clears the counter");
	call_ev(3, false, "\"Bob Brown\" <sip:bob@example.com>", CALL_TERMINATED,
	    CALL_OUTCOME_MISSED, 487, 0);
	is_int(history_missed(), 1, "a missed call that never rang counts once");
	is_int(history_count(), 2, "and has its entry");
	event_unobserve(obs);

	call_ev(2, true, "sip:carol@example.com", CALL_CALLING,
	    CALL_OUTCOME_NONE, 0, 0);
	call_ev(2, true, "sip:carol@example.com", CALL_ESTABLISHED,
	    CALL_OUTCOME_NONE, 200, 0);
	history_list(0, 1, h, &cause);
	ok(h[0].outcome == CALL_OUTCOME_ANSWERED && h[0].outgoing,
	    "answered as soon as it is up");
	call_ev(2, true, "sip:carol@example.com", CALL_HELD,
	    CALL_OUTCOME_NONE, 200, 3);
	call_ev(2, true, "sip:carol@example.com", CALL_TERMINATED,
	    CALL_OUTCOME_ANSWERED, 200, 42);
	history_list(0, 1, h, &cause);
	ok(h[0].outcome == CALL_OUTCOME_ANSWERED && h[0].duration == 42,
	    "its duration at the end");
	is_int(history_count(), 3, "one row per call");
	is_int(history_last_target(buf, sizeof buf, &cause), 0, "redial");
	is_str(buf, "sip:carol@example.com", "redial: the last outgoing target");

	n = history_list(1, 8, h, &cause);
	is_int(n, 2, "skipping the newest");
	ok(h[0].n > h[1].n, "newest first");
	ok(history_get(999, h, &cause) == -1 && strstr(cause, "999") != NULL,
	    "no entry 999, and it says so");
	free(cause);
	cause = NULL;
	history_close();
}

static int	 ntargets;
static char	 target0[128];

static void
target(const char *uri, const char *display, void *arg)
{
	(void)display;
	(void)arg;
	if (ntargets++ == 0)
		util_strlcpy(target0, uri, sizeof target0);
}

static void
test_targets(void)
{
	char	*cause = NULL;

	is_int(history_open(path, &cause), 0, "reopen");
	ntargets = 0;
	is_int(history_targets("", 10, target, NULL), 2,
	    "two addresses, bob's two calls once");
	is_str(target0, "sip:carol@example.com", "the newest first");
	ntargets = 0;
	history_targets("OB", 10, target, NULL);
	is_int(ntargets, 1, "matched anywhere, any case");
	is_str(target0, "sip:bob@example.com", "by its address");
	ntargets = 0;
	history_targets("BROWN", 10, target, NULL);
	is_int(ntargets, 1, "or its name");
	ntargets = 0;
	history_targets("%", 10, target, NULL);
	is_int(ntargets, 0, "LIKE's characters are literal");
	history_close();
}

static void
test_reopen(void)
{
	struct event_history	 h;
	char			*cause = NULL, buf[128];

	is_int(history_open(path, &cause), 0, "reopen");
	is_int(history_missed(), 1, "the unseen missed call is still counted");
	is_int(history_count(), 3, "every entry is still there");
	history_last_target(buf, sizeof buf, &cause);
	is_str(buf, "sip:carol@example.com", "redial survives a restart");

	/* A call under way when the process dies. */
	call_ev(1, false, "<sip:dave@example.com>", CALL_INCOMING,
	    CALL_OUTCOME_NONE, 180, 0);
	call_ev(2, true, "sip:erin@example.com", CALL_CALLING,
	    CALL_OUTCOME_NONE, 0, 0);
	history_close();
	is_int(history_open(path, &cause), 0, "reopen after a crash");
	is_int(history_count(), 5, "the calls under way were kept");
	history_get(4, &h, &cause);
	ok(h.outcome == CALL_OUTCOME_MISSED && strcmp(h.remote,
	    "<sip:dave@example.com>") == 0, "the ringing call: missed");
	history_get(5, &h, &cause);
	is_int(h.outcome, CALL_OUTCOME_FAILED, "the outgoing one: failed");
	is_int(history_missed(), 2, "and the missed one is counted");
	history_close();
}

static void
test_bad_files(void)
{
	char	*cause = NULL, *before, *after, bad[160], *p;
	size_t	 blen, alen;
	int	 fd;

	/* Garbage where the database should be. */
	snprintf(bad, sizeof bad, "%s/garbage.db", dir);
	before = xmalloc(8192);
	for (fd = 0; fd < 8192; fd++)
		before[fd] = (char)(fd * 7 + 3);
	spit(bad, before, 8192);
	free(before);
	before = slurp(bad, &blen);
	is_int(history_open(bad, &cause), -1, "garbage does not open");
	ok(cause != NULL && strstr(cause, "damaged") != NULL &&
	    strstr(cause, "without history") != NULL,
	    "it says the file is damaged and the phone goes on: %s", cause);
	ok(history_error() != NULL, "the history is off");
	after = slurp(bad, &alen);
	ok(blen == alen && memcmp(before, after, blen) == 0,
	    "the file is left byte for byte");
	free(before);
	free(after);
	free(cause);
	cause = NULL;
	ok(history_list(0, 1, NULL, &cause) == -1 &&
	    strstr(cause, "history is off") != NULL,
	    "asking for the history says it is off");
	free(cause);
	cause = NULL;
	call_ev(1, false, "<sip:x@y>", CALL_INCOMING, CALL_OUTCOME_NONE, 180, 0);
	call_ev(1, false, "<sip:x@y>", CALL_TERMINATED, CALL_OUTCOME_MISSED,
	    487, 0);
	is_int(history_missed(), 1, "missed calls are still counted");
	call_ev(2, true, "sip:z@y", CALL_CALLING, CALL_OUTCOME_NONE, 0, 0);
	{
		char	 buf[64];

		ok(history_last_target(buf, sizeof buf, &cause) == 0 &&
		    strcmp(buf, "sip:z@y") == 0, "and redial still works");
	}
	history_close();

	/* A database from a newer tsphone. */
	before = slurp(path, &blen);
	ok(before != NULL && blen > 100, "the good database is on disk");
	p = before + 60;	/* the header's user_version, big-endian */
	p[0] = 0; p[1] = 0; p[2] = 0; p[3] = 99;
	spit(path, before, blen);
	is_int(history_open(path, &cause), -1, "a newer schema does not open");
	ok(cause != NULL && strstr(cause, "newer tsphone") != NULL,
	    "it says so: %s", cause);
	free(cause);
	cause = NULL;
	after = slurp(path, &alen);
	ok(blen == alen && memcmp(before, after, blen) == 0,
	    "and the file is left byte for byte");
	free(before);
	free(after);
	history_close();

	/* Nowhere to make the directory. */
	snprintf(bad, sizeof bad, "%s/garbage.db/sub/tsphone.db", dir);
	is_int(history_open(bad, &cause), -1, "no directory: no history");
	ok(cause != NULL && strstr(cause, "cannot create") != NULL,
	    "it says why: %s", cause);
	free(cause);
	history_close();
}

int
main(void)
{
	char	 cmd[128];

	snprintf(dir, sizeof dir, "/tmp/test-history.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	history_set_clock(clock_fixed);
	test_basics();
	test_targets();
	test_reopen();
	test_bad_files();
	fake_loop_run();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "cleanup");
	return done_testing();
}
