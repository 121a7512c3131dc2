/*
 * messages-store.c: the messages table of the store (messages-store.h),
 * the unread counter, and the observer that fills them from "message"
 * events.
 *
 * A message gets its row with its first event: ours as it is sent
 * ("sending"), updated when its answer comes; theirs as it arrives,
 * unread. Each write is its own committed transaction, done before the
 * event reaches the front ends (this observer joins the bus before them).
 * Events printed from the store ("messages") are no news and are left
 * alone. The table has a connection of its own: the history's is the
 * history's business, and SQLite in WAL mode serializes the two writers
 * of this one thread without waiting.
 */
#include "config.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "history.h"
#include "log.h"
#include "messages-store.h"
#include "store.h"
#include "util.h"

/* Ours waiting for an answer at once: more than message.h allows. */
#define MS_LIVE_MAX	128

struct ms_live {
	int		 id;		/* the message's; 0: a free slot */
	sqlite3_int64	 row;
};

enum {
	MS_INSERT,
	MS_END,
	MS_LIST,
	MS_LIST_PEER,
	MS_COUNT,
	MS_COUNT_PEER,
	MS_UNREAD,
	MS_READ,
	MS_READ_ALL,
	MS_PEERS,
	MS_NPEERS,
	MS_FIND,
	MS_MAX
};

#define MS_COLUMNS "id, time, account, direction, remote, display, text, " \
	"state, code, reason, read"

static const char *const ms_sql[MS_MAX] = {
	[MS_INSERT] = "INSERT INTO messages (time, account, direction, peer, "
	    "remote, display, text, state, code, reason, read) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[MS_END] = "UPDATE messages SET state = ?1, code = ?2, reason = ?3 "
	    "WHERE id = ?4",
	[MS_LIST] = "SELECT " MS_COLUMNS " FROM messages "
	    "ORDER BY id DESC LIMIT ?1 OFFSET ?2",
	[MS_LIST_PEER] = "SELECT " MS_COLUMNS " FROM messages WHERE peer = ?3 "
	    "ORDER BY id DESC LIMIT ?1 OFFSET ?2",
	[MS_COUNT] = "SELECT count(*) FROM messages",
	[MS_COUNT_PEER] = "SELECT count(*) FROM messages WHERE peer = ?1",
	[MS_UNREAD] = "SELECT total(unread) FROM conversations",
	[MS_READ] = "UPDATE messages SET read = 1 WHERE read = 0 AND peer = ?1",
	[MS_READ_ALL] = "UPDATE messages SET read = 1 WHERE read = 0",
	/* Each conversation with its newest message, latest first: the
	 * conversations table, one row each, and one message per row. */
	[MS_PEERS] = "SELECT c.peer, c.count, c.unread, m.time, m.direction, "
	    "m.state, substr(m.text, 1, 120), c.display "
	    "FROM conversations c JOIN messages m ON m.id = c.last "
	    "ORDER BY c.last DESC LIMIT ?1 OFFSET ?2",
	[MS_NPEERS] = "SELECT count(*) FROM conversations",
	/* Peers whose address, user or name is TEXT. */
	[MS_FIND] = "SELECT peer FROM conversations WHERE peer = ?1 "
	    "OR peer LIKE ?2 ESCAPE '\\' OR peer LIKE ?3 ESCAPE '\\' "
	    "OR display = ?1 COLLATE NOCASE ORDER BY last DESC LIMIT 3",
};

static struct store	*ms_store;
static sqlite3_stmt	*ms_stmt[MS_MAX];
static char		*ms_why;		/* nothing is kept */
static bool		 ms_failing;		/* a write failed */
static int		 ms_observer;
static int		 ms_nunread;
static struct ms_live	 ms_live[MS_LIVE_MAX];

const char *
messages_store_error(void)
{
	return ms_why;
}

int
messages_store_unread(void)
{
	return ms_nunread;
}

void
messages_store_key(const char *remote, char *out, size_t len)
{
	char	*at, *p;

	history_split(remote, out, len, NULL, 0);
	/* The parameters and headers of the address are not the peer:
	 * sip:bob@host;transport=tcp is still bob. */
	at = strchr(out, '@');
	p = at != NULL ? at : strchr(out, ':');
	if (p != NULL)
		p[strcspn(p, ";?>")] = '\0';
	/* A user part's parameters ("sip:123;phone-context=x@host") stay. */
}

static void
ms_write_failed(int rc, const char *what)
{
	char	*why = NULL;

	if (ms_failing)
		return;
	ms_failing = true;
	store_why(ms_store, rc, &why);
	log_warn("messages: %s: %s", what, why);
	event_error("messages", "%s: messages are not being saved", why);
	free(why);
}

static int
ms_step(sqlite3_stmt *s)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

static void
ms_written(int rc, const char *what)
{
	if (rc != 0)
		ms_write_failed(rc, what);
	else if (ms_failing) {
		ms_failing = false;
		log_info("messages: saving again");
	}
}

static struct ms_live *
ms_live_find(int id)
{
	int	 i;

	for (i = 0; i < MS_LIVE_MAX; i++) {
		if (ms_live[i].id == id)
			return &ms_live[i];
	}
	return NULL;
}

static sqlite3_int64
ms_insert(const struct event_message *e)
{
	sqlite3_stmt	*s = ms_stmt[MS_INSERT];
	char		 peer[EVENT_TEXT_MAX];
	int		 rc;

	messages_store_key(e->peer, peer, sizeof peer);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)e->time);
	sqlite3_bind_text(s, 2, e->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->outgoing ? "out" : "in", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->display, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, e->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, event_message_state_name(e->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 9, e->code);
	sqlite3_bind_text(s, 10, e->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 11, e->state != MESSAGE_RECEIVED);
	rc = ms_step(s);
	ms_written(rc, "saving a message");
	return rc == 0 ? sqlite3_last_insert_rowid(store_db(ms_store)) : 0;
}

static void
ms_end(sqlite3_int64 row, const struct event_message *e)
{
	sqlite3_stmt	*s = ms_stmt[MS_END];

	sqlite3_bind_text(s, 1, event_message_state_name(e->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 2, e->code);
	sqlite3_bind_text(s, 3, e->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, row);
	ms_written(ms_step(s), "saving a message's answer");
}

static void
ms_message(const struct event_message *e)
{
	struct ms_live	*l;
	sqlite3_int64	 row = 0;

	if (e->stored)
		return;
	if (e->state == MESSAGE_RECEIVED)
		ms_nunread++;
	l = e->outgoing && e->id != 0 ? ms_live_find(e->id) : NULL;
	if (l != NULL) {
		if (ms_store != NULL && l->row != 0)
			ms_end(l->row, e);
		if (e->state != MESSAGE_SENDING)
			l->id = 0;
		return;
	}
	if (ms_store != NULL)
		row = ms_insert(e);
	if (e->state == MESSAGE_SENDING && (l = ms_live_find(0)) != NULL) {
		l->id = e->id;
		l->row = row;
	}
}

static void
ms_event(const struct event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == EVENT_MESSAGE)
		ms_message(&ev->u.message);
}

static long long
ms_scalar(sqlite3_stmt *s)
{
	long long	 v = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return v;
}

static int
ms_prepare(char **cause)
{
	sqlite3	*db = store_db(ms_store);
	int	 i, rc;

	for (i = 0; i < MS_MAX; i++) {
		rc = sqlite3_prepare_v3(db, ms_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &ms_stmt[i], NULL);
		if (rc != SQLITE_OK) {
			store_why(ms_store, rc, cause);
			return -1;
		}
	}
	return 0;
}

/* Ours that a dead tsphone left waiting: failed, as nobody knows. */
static int
ms_recover(char **cause)
{
	sqlite3	*db = store_db(ms_store);
	int	 rc;

	rc = sqlite3_exec(db, "UPDATE messages SET state = 'failed', "
	    "reason = 'tsphone stopped before the answer came' "
	    "WHERE state = 'sending'", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_why(ms_store, rc, cause);
		return -1;
	}
	if (sqlite3_changes(db) > 0)
		log_warn("messages: %d message(s) waiting for an answer when "
		    "tsphone last stopped, marked failed", sqlite3_changes(db));
	return 0;
}

static void
ms_finalize(void)
{
	int	 i;

	for (i = 0; i < MS_MAX; i++) {
		sqlite3_finalize(ms_stmt[i]);
		ms_stmt[i] = NULL;
	}
	store_close(ms_store);
	ms_store = NULL;
}

int
messages_store_open(const char *path, char **cause)
{
	long long	 n;
	char		*why = NULL;

	messages_store_close();
	ms_observer = event_observe(ms_event, NULL);
	if (store_open(path, &ms_store, &why) != 0 ||
	    ms_prepare(&why) != 0 || ms_recover(&why) != 0) {
		ms_finalize();
		ms_why = why;
		*cause = xstrdup(why);
		return -1;
	}
	if ((n = ms_scalar(ms_stmt[MS_UNREAD])) > 0)
		ms_nunread = (int)n;
	log_info("messages: %s, %d unread", store_path(ms_store), ms_nunread);
	return 0;
}

void
messages_store_close(void)
{
	if (ms_observer != 0)
		event_unobserve(ms_observer);
	ms_observer = 0;
	ms_finalize();
	free(ms_why);
	ms_why = NULL;
	ms_failing = false;
	ms_nunread = 0;
	memset(ms_live, 0, sizeof ms_live);
}

void
messages_store_read(const char *peer)
{
	sqlite3_stmt	*s;
	long long	 n;

	if (ms_store == NULL) {
		ms_nunread = 0;
		return;
	}
	s = ms_stmt[peer != NULL ? MS_READ : MS_READ_ALL];
	if (peer != NULL)
		sqlite3_bind_text(s, 1, peer, -1, SQLITE_STATIC);
	ms_written(ms_step(s), "marking messages read");
	if ((n = ms_scalar(ms_stmt[MS_UNREAD])) >= 0)
		ms_nunread = (int)n;
}

long long
messages_store_count(const char *peer)
{
	sqlite3_stmt	*s;

	if (ms_store == NULL)
		return 0;
	s = ms_stmt[peer != NULL ? MS_COUNT_PEER : MS_COUNT];
	if (peer != NULL)
		sqlite3_bind_text(s, 1, peer, -1, SQLITE_STATIC);
	return ms_scalar(s);
}

long long
messages_store_npeers(void)
{
	if (ms_store == NULL)
		return 0;
	return ms_scalar(ms_stmt[MS_NPEERS]);
}

static int
ms_off(char **cause)
{
	if (ms_store != NULL)
		return 0;
	xasprintf(cause, "messages are not kept: %s", ms_why != NULL ?
	    ms_why : "not opened");
	return -1;
}

static const char *
ms_text(sqlite3_stmt *s, int col)
{
	const unsigned char	*t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : "";
}

static enum message_state
ms_state(const char *s)
{
	enum message_state	 st;

	for (st = MESSAGE_RECEIVED; st <= MESSAGE_SENDING; st++) {
		if (strcmp(s, event_message_state_name(st)) == 0)
			return st;
	}
	return MESSAGE_FAILED;
}

static void
ms_row(sqlite3_stmt *s, struct event_message *m)
{
	memset(m, 0, sizeof *m);
	m->stored = true;
	m->n = sqlite3_column_int64(s, 0);
	m->time = (time_t)sqlite3_column_int64(s, 1);
	util_strlcpy(m->account, ms_text(s, 2), sizeof m->account);
	m->outgoing = strcmp(ms_text(s, 3), "out") == 0;
	util_strlcpy(m->peer, ms_text(s, 4), sizeof m->peer);
	util_strlcpy(m->display, ms_text(s, 5), sizeof m->display);
	util_strlcpy(m->text, ms_text(s, 6), sizeof m->text);
	m->state = ms_state(ms_text(s, 7));
	m->code = sqlite3_column_int(s, 8);
	util_strlcpy(m->reason, ms_text(s, 9), sizeof m->reason);
	m->read = sqlite3_column_int(s, 10) != 0;
}

int
messages_store_list(const char *peer, long long skip, int max,
    struct event_message *out, char **cause)
{
	sqlite3_stmt	*s;
	int		 n = 0, rc = SQLITE_DONE;

	if (ms_off(cause) != 0)
		return -1;
	s = ms_stmt[peer != NULL ? MS_LIST_PEER : MS_LIST];
	sqlite3_bind_int(s, 1, max);
	sqlite3_bind_int64(s, 2, skip);
	if (peer != NULL)
		sqlite3_bind_text(s, 3, peer, -1, SQLITE_STATIC);
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ms_row(s, &out[n++]);
	if (n < max && rc != SQLITE_DONE) {
		store_why(ms_store, rc, cause);
		n = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return n;
}

int
messages_store_peers(long long skip, int max, struct messages_peer *out,
    char **cause)
{
	sqlite3_stmt		*s = ms_stmt[MS_PEERS];
	struct messages_peer	*p;
	int			 n = 0, rc = SQLITE_DONE;

	if (ms_off(cause) != 0)
		return -1;
	sqlite3_bind_int(s, 1, max);
	sqlite3_bind_int64(s, 2, skip);
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		p = &out[n++];
		memset(p, 0, sizeof *p);
		util_strlcpy(p->peer, ms_text(s, 0), sizeof p->peer);
		p->count = sqlite3_column_int64(s, 1);
		p->unread = sqlite3_column_int(s, 2);
		p->time = (time_t)sqlite3_column_int64(s, 3);
		p->outgoing = strcmp(ms_text(s, 4), "out") == 0;
		p->state = ms_state(ms_text(s, 5));
		util_strlcpy(p->preview, ms_text(s, 6), sizeof p->preview);
		util_strlcpy(p->display, ms_text(s, 7), sizeof p->display);
	}
	if (n < max && rc != SQLITE_DONE) {
		store_why(ms_store, rc, cause);
		n = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return n;
}

/* TEXT with LIKE's own characters escaped, between PRE and POST. */
static char *
ms_like(const char *pre, const char *text, const char *post)
{
	char		*pat, *p;
	const char	*t;

	p = pat = xmalloc(strlen(pre) + strlen(text) * 2 + strlen(post) + 1);
	p += sprintf(p, "%s", pre);
	for (t = text; *t != '\0'; t++) {
		if (*t == '%' || *t == '_' || *t == '\\')
			*p++ = '\\';
		*p++ = *t;
	}
	sprintf(p, "%s", post);
	return pat;
}

int
messages_store_find_peer(const char *text, char *peer, size_t len,
    char **cause)
{
	sqlite3_stmt	*s = ms_stmt[MS_FIND];
	char		 key[EVENT_TEXT_MAX], *sip, *sips, found[3][EVENT_TEXT_MAX];
	int		 n = 0;

	if (ms_off(cause) != 0)
		return -1;
	messages_store_key(text, key, sizeof key);
	sip = ms_like("sip:", text, "@%");
	sips = ms_like("sips:", text, "@%");
	sqlite3_bind_text(s, 1, strchr(text, ':') != NULL ? key : text, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 2, sip, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, sips, -1, SQLITE_STATIC);
	while (n < 3 && sqlite3_step(s) == SQLITE_ROW) {
		util_strlcpy(found[n], ms_text(s, 0), sizeof found[n]);
		n++;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(sip);
	free(sips);
	if (n == 1) {
		util_strlcpy(peer, found[0], len);
		return 0;
	}
	if (n == 0)
		xasprintf(cause, "no messages with \"%s\"", text);
	else
		xasprintf(cause, "\"%s\" is ambiguous: %s, %s%s", text,
		    found[0], found[1], n > 2 ? ", ..." : "");
	return -1;
}
