/*
 * history.c: the call history (history.h): the calls table of the store,
 * the missed-call counter, and the observer that fills them from call
 * events.
 *
 * A call gets its row with its first event (ringing in, or dialled) and
 * the row is updated when it is answered and when it ends; each write is
 * its own committed transaction, done before the event reaches the front
 * ends (this observer joins the bus first). A row still under way when
 * the history is opened was left by a tsphone that died during the call:
 * it is closed as missed (incoming) or failed (outgoing).
 */
#include "config.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "history.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* Calls under way at once: more than call.c's CALL_MAX can ever make. */
#define HISTORY_LIVE_MAX	32

struct history_live {
	int		 id;		/* the call's; 0: a free slot */
	sqlite3_int64	 row;
	bool		 answered;
};

enum {
	HS_INSERT,
	HS_ANSWER,
	HS_END,
	HS_LIST,
	HS_GET,
	HS_COUNT,
	HS_MISSED,
	HS_SEEN,
	HS_LAST,
	HS_TARGETS,
	HS_MAX
};

static const char *const history_sql[HS_MAX] = {
	[HS_INSERT] = "INSERT INTO calls (time, outgoing, remote, uri, display, "
	    "account, outcome, code, duration, call_id, seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?7 <> '' AND ?7 <> 'missed')",
	[HS_ANSWER] = "UPDATE calls SET outcome = 'answered' WHERE id = ?",
	/* Only a missed call waits to be seen: the others leave the
	 * unseen index as they end, so that looking costs what was
	 * missed, not every call since the last look. */
	[HS_END] = "UPDATE calls SET outcome = ?1, code = ?2, duration = ?3, "
	    "seen = (?1 <> 'missed') WHERE id = ?4",
	[HS_LIST] = "SELECT id, time, outgoing, remote, display, account, "
	    "outcome, code, duration FROM calls ORDER BY id DESC "
	    "LIMIT ? OFFSET ?",
	[HS_GET] = "SELECT id, time, outgoing, remote, display, account, "
	    "outcome, code, duration FROM calls WHERE id = ?",
	[HS_COUNT] = "SELECT count(*) FROM calls",
	[HS_MISSED] = "SELECT count(*) FROM calls "
	    "WHERE seen = 0 AND outcome = 'missed'",
	[HS_SEEN] = "UPDATE calls SET seen = 1 "
	    "WHERE seen = 0 AND outcome = 'missed'",
	[HS_LAST] = "SELECT uri FROM calls WHERE outgoing = 1 "
	    "ORDER BY id DESC LIMIT 1",
	/* Each address once, newest first (the remotes table). */
	[HS_TARGETS] = "SELECT uri, display FROM remotes "
	    "WHERE ?1 = '' OR uri LIKE ?2 ESCAPE '\\' "
	    "OR display LIKE ?2 ESCAPE '\\' "
	    "ORDER BY last DESC LIMIT ?3",
};

static struct store		*history_store;
static sqlite3_stmt		*history_stmt[HS_MAX];
static char			*history_why;	/* the history is off */
static bool			 history_failing; /* a write failed */
static int			 history_observer;
static int			 history_nmissed;
static char			 history_last[EVENT_TEXT_MAX];
static struct history_live	 history_live[HISTORY_LIVE_MAX];
/* Calls that ended lately: call ids are not reused while the process
 * runs, so a later event about one of them (a duplicate) is no new
 * call and no second missed call. */
static int			 history_ended[HISTORY_LIVE_MAX];
static int			 history_nended;

static time_t
history_clock_real(void)
{
	return time(NULL);
}

static time_t (*history_now)(void) = history_clock_real;

void
history_set_clock(time_t (*fn)(void))
{
	history_now = fn != NULL ? fn : history_clock_real;
}

const char *
history_error(void)
{
	return history_why;
}

int
history_missed(void)
{
	return history_nmissed;
}

void
history_time(time_t t, char *buf, size_t len)
{
	struct tm	 tm;
	char		 date[32];
	long		 off;

	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%s%c%02ld:%02ld", date, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
}

void
history_split(const char *remote, char *uri, size_t ulen, char *display,
    size_t dlen)
{
	const char	*lt, *gt, *s, *e;
	size_t		 n = 0;

	lt = strchr(remote, '<');
	gt = lt != NULL ? strchr(lt, '>') : NULL;
	if (lt == NULL || gt == NULL) {
		for (s = remote; isspace((unsigned char)*s); s++)
			;
		util_strlcpy(uri, s, ulen);
		if (dlen > 0)
			display[0] = '\0';
		return;
	}
	snprintf(uri, ulen, "%.*s", (int)(gt - lt - 1), lt + 1);
	for (s = remote; s < lt && isspace((unsigned char)*s); s++)
		;
	for (e = lt; e > s && isspace((unsigned char)e[-1]); e--)
		;
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	/* A quoted name may escape its quotes (RFC 3261 quoted-pair). */
	for (; s < e && n + 1 < dlen; s++) {
		if (*s == '\\' && s + 1 < e)
			s++;
		display[n++] = *s;
	}
	if (dlen > 0)
		display[n] = '\0';
}

/* A write failed: say so once, until one works again. */
static void
history_write_failed(int rc, const char *what)
{
	char	*why = NULL;

	if (history_failing)
		return;
	history_failing = true;
	store_why(history_store, rc, &why);
	log_warn("history: %s: %s", what, why);
	event_error("history", "%s: the call history is not being saved", why);
	free(why);
}

static void
history_write_ok(void)
{
	if (history_failing) {
		history_failing = false;
		log_info("history: saving again");
	}
}

/* Step a write statement once and reset it; 0 or the SQLite code. */
static int
history_step(sqlite3_stmt *s)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

static struct history_live *
history_live_find(int id)
{
	int	 i;

	for (i = 0; i < HISTORY_LIVE_MAX; i++) {
		if (history_live[i].id == id)
			return &history_live[i];
	}
	return NULL;
}

static sqlite3_int64
history_insert(const struct event_call *e, const char *uri,
    const char *display)
{
	sqlite3_stmt	*s = history_stmt[HS_INSERT];
	const char	*outcome = "";
	int		 rc;

	if (e->state == CALL_TERMINATED)
		outcome = event_call_outcome_name(e->outcome);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)history_now());
	sqlite3_bind_int(s, 2, e->outgoing);
	sqlite3_bind_text(s, 3, e->remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, display, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, e->code);
	sqlite3_bind_int(s, 9, e->duration);
	sqlite3_bind_text(s, 10, e->call_id, -1, SQLITE_STATIC);
	if ((rc = history_step(s)) != 0) {
		history_write_failed(rc, "recording a call");
		return 0;
	}
	history_write_ok();
	return sqlite3_last_insert_rowid(store_db(history_store));
}

static void
history_answer(sqlite3_int64 row)
{
	sqlite3_stmt	*s = history_stmt[HS_ANSWER];
	int		 rc;

	sqlite3_bind_int64(s, 1, row);
	if ((rc = history_step(s)) != 0)
		history_write_failed(rc, "recording an answer");
	else
		history_write_ok();
}

static void
history_end(sqlite3_int64 row, const struct event_call *e)
{
	sqlite3_stmt	*s = history_stmt[HS_END];
	int		 rc;

	sqlite3_bind_text(s, 1, event_call_outcome_name(e->outcome), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 2, e->code);
	sqlite3_bind_int(s, 3, e->duration);
	sqlite3_bind_int64(s, 4, row);
	if ((rc = history_step(s)) != 0)
		history_write_failed(rc, "recording the end of a call");
	else
		history_write_ok();
}

static bool
history_was_ended(int id)
{
	int	 i;

	for (i = 0; i < HISTORY_LIVE_MAX; i++) {
		if (history_ended[i] == id)
			return true;
	}
	return false;
}

static void
history_call(const struct event_call *e)
{
	struct history_live	*l = history_live_find(e->id);
	char			 uri[EVENT_TEXT_MAX], display[EVENT_TEXT_MAX];
	sqlite3_int64		 row = 0;

	if (l == NULL && history_was_ended(e->id))
		return;
	if (e->state == CALL_TERMINATED) {
		history_ended[history_nended] = e->id;
		history_nended = (history_nended + 1) % HISTORY_LIVE_MAX;
	}
	if (l == NULL) {
		history_split(e->remote, uri, sizeof uri, display,
		    sizeof display);
		if (e->display[0] != '\0')
			util_strlcpy(display, e->display, sizeof display);
		if (e->outgoing)
			util_strlcpy(history_last, uri, sizeof history_last);
		if (history_store != NULL)
			row = history_insert(e, uri, display);
		if (e->state != CALL_TERMINATED &&
		    (l = history_live_find(0)) != NULL) {
			l->id = e->id;
			l->row = row;
			l->answered = false;
		}
	} else if (e->state == CALL_TERMINATED) {
		if (history_store != NULL && l->row != 0)
			history_end(l->row, e);
		l->id = 0;
	} else if ((e->state == CALL_ESTABLISHED || e->state == CALL_HELD) &&
	    !l->answered) {
		l->answered = true;
		if (history_store != NULL && l->row != 0)
			history_answer(l->row);
	}
	if (e->state == CALL_TERMINATED && e->outcome == CALL_OUTCOME_MISSED)
		history_nmissed++;
}

static void
history_event(const struct event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == EVENT_CALL)
		history_call(&ev->u.call);
}

/* One integer from a one-row query, or -1. */
static long long
history_scalar(sqlite3_stmt *s)
{
	long long	 v = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

static int
history_prepare(char **cause)
{
	sqlite3	*db = store_db(history_store);
	int	 i, rc;

	for (i = 0; i < HS_MAX; i++) {
		rc = sqlite3_prepare_v3(db, history_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &history_stmt[i], NULL);
		if (rc != SQLITE_OK) {
			store_why(history_store, rc, cause);
			return -1;
		}
	}
	return 0;
}

/* Rows a dead tsphone left under way: closed, as the user found them. */
static int
history_recover(char **cause)
{
	sqlite3	*db = store_db(history_store);
	int	 rc;

	rc = sqlite3_exec(db, "UPDATE calls SET outcome = CASE outgoing "
	    "WHEN 1 THEN 'failed' ELSE 'missed' END, seen = outgoing "
	    "WHERE outcome = ''",
	    NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_why(history_store, rc, cause);
		return -1;
	}
	if (sqlite3_changes(db) > 0)
		log_warn("history: %d call(s) under way when tsphone last "
		    "stopped, closed", sqlite3_changes(db));
	return 0;
}

static void
history_finalize(void)
{
	int	 i;

	for (i = 0; i < HS_MAX; i++) {
		sqlite3_finalize(history_stmt[i]);
		history_stmt[i] = NULL;
	}
	store_close(history_store);
	history_store = NULL;
}

int
history_open(const char *path, char **cause)
{
	long long	 n;
	char		*why = NULL;

	history_close();
	history_observer = event_observe(history_event, NULL);
	if (store_open(path, &history_store, &why) != 0 ||
	    history_prepare(&why) != 0 || history_recover(&why) != 0)
		goto fail;
	if ((n = history_scalar(history_stmt[HS_MISSED])) > 0)
		history_nmissed = (int)n;
	if (sqlite3_step(history_stmt[HS_LAST]) == SQLITE_ROW)
		util_strlcpy(history_last, (const char *)
		    sqlite3_column_text(history_stmt[HS_LAST], 0),
		    sizeof history_last);
	sqlite3_reset(history_stmt[HS_LAST]);
	log_info("history: %s, %d missed", store_path(history_store),
	    history_nmissed);
	return 0;

fail:
	history_finalize();
	history_why = why;
	*cause = xstrdup(why);
	return -1;
}

void
history_close(void)
{
	if (history_observer != 0)
		event_unobserve(history_observer);
	history_observer = 0;
	history_finalize();
	free(history_why);
	history_why = NULL;
	history_failing = false;
	history_nmissed = 0;
	history_last[0] = '\0';
	memset(history_live, 0, sizeof history_live);
	memset(history_ended, 0, sizeof history_ended);
	history_nended = 0;
}

void
history_seen(void)
{
	int	 rc;

	history_nmissed = 0;
	if (history_store == NULL)
		return;
	if ((rc = history_step(history_stmt[HS_SEEN])) != 0)
		history_write_failed(rc, "clearing the missed calls");
}

long long
history_count(void)
{
	if (history_store == NULL)
		return 0;
	return history_scalar(history_stmt[HS_COUNT]);
}

static enum call_outcome
history_outcome(const char *s)
{
	enum call_outcome	 o;

	for (o = CALL_OUTCOME_ANSWERED; o <= CALL_OUTCOME_FAILED; o++) {
		if (strcmp(s, event_call_outcome_name(o)) == 0)
			return o;
	}
	return CALL_OUTCOME_NONE;
}

static const char *
history_text(sqlite3_stmt *s, int col)
{
	const unsigned char	*t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : "";
}

static void
history_row(sqlite3_stmt *s, struct event_history *h)
{
	memset(h, 0, sizeof *h);
	h->n = sqlite3_column_int64(s, 0);
	h->time = (time_t)sqlite3_column_int64(s, 1);
	h->outgoing = sqlite3_column_int(s, 2) != 0;
	util_strlcpy(h->remote, history_text(s, 3), sizeof h->remote);
	util_strlcpy(h->display, history_text(s, 4), sizeof h->display);
	util_strlcpy(h->account, history_text(s, 5), sizeof h->account);
	h->outcome = history_outcome(history_text(s, 6));
	h->code = sqlite3_column_int(s, 7);
	h->duration = sqlite3_column_int(s, 8);
}

static int
history_off(char **cause)
{
	if (history_store != NULL)
		return 0;
	xasprintf(cause, "the history is off: %s", history_why != NULL ?
	    history_why : "not opened");
	return -1;
}

int
history_list(long long skip, int max, struct event_history *out,
    char **cause)
{
	sqlite3_stmt	*s = history_stmt[HS_LIST];
	int		 n = 0, rc = SQLITE_DONE;

	if (history_off(cause) != 0)
		return -1;
	sqlite3_bind_int(s, 1, max);
	sqlite3_bind_int64(s, 2, skip);
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		history_row(s, &out[n++]);
	if (n < max && rc != SQLITE_DONE) {
		store_why(history_store, rc, cause);
		n = -1;
	}
	sqlite3_reset(s);
	return n;
}

int
history_get(long long n, struct event_history *h, char **cause)
{
	sqlite3_stmt	*s = history_stmt[HS_GET];
	int		 rc;

	if (history_off(cause) != 0)
		return -1;
	sqlite3_bind_int64(s, 1, n);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		history_row(s, h);
	else if (rc == SQLITE_DONE)
		xasprintf(cause, "no history entry %lld", n);
	else
		store_why(history_store, rc, cause);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
history_last_target(char *buf, size_t len, char **cause)
{
	if (history_last[0] == '\0') {
		xasprintf(cause, "no outgoing call to dial again");
		return -1;
	}
	util_strlcpy(buf, history_last, len);
	return 0;
}

int
history_targets(const char *text, int max,
    void (*fn)(const char *, const char *, void *), void *arg)
{
	sqlite3_stmt	*s = history_stmt[HS_TARGETS];
	char		*pat, *p;
	const char	*t;
	int		 n = 0;

	if (history_store == NULL)
		return -1;
	/* %TEXT%, with LIKE's own characters taken literally. */
	p = pat = xmalloc(strlen(text) * 2 + 3);
	*p++ = '%';
	for (t = text; *t != '\0'; t++) {
		if (*t == '%' || *t == '_' || *t == '\\')
			*p++ = '\\';
		*p++ = *t;
	}
	*p++ = '%';
	*p = '\0';
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pat, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, max);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fn(history_text(s, 0), history_text(s, 1), arg);
		n++;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(pat);
	return n;
}
