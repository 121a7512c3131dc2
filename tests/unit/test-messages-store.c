/*
 * test-messages-store.c: the messages table (messages-store.c) in a
 * temporary directory: rows written before the front ends see the event,
 * ours from sending to sent or failed under one row, theirs unread until
 * read (per conversation or all), events printed from the store left
 * alone, the conversations and their counts, finding a peer by address,
 * user or name (the conversations table kept by triggers), a 4 KB text
 * whole, and ours left "sending" by a crash
 * closed as failed at the next open; a version 1 database (history only)
 * migrated with its calls kept.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "fakes.h"
#include "history.h"
#include "messages-store.h"
#include "store.h"
#include "tap.h"
#include "util.h"

static char	 dir[64];
static char	 path[192];

static void
msg_ev(int id, bool out, const char *peer, const char *text,
    enum message_state st, int code, const char *reason)
{
	struct event	*ev = xcalloc(1, sizeof *ev);

	ev->kind = EVENT_MESSAGE;
	ev->u.message.id = id;
	ev->u.message.time = 1764945000 + id;
	util_strlcpy(ev->u.message.account, "alice",
	    sizeof ev->u.message.account);
	ev->u.message.outgoing = out;
	util_strlcpy(ev->u.message.peer, peer, sizeof ev->u.message.peer);
	util_strlcpy(ev->u.message.text, text, sizeof ev->u.message.text);
	ev->u.message.state = st;
	ev->u.message.code = code;
	util_strlcpy(ev->u.message.reason, reason, sizeof ev->u.message.reason);
	event_emit(ev);
	free(ev);
	fake_loop_run();
}

/* An observer joined after the store, as the front ends are. */
static long long	 seen_rows = -1;

static void
front_end(const struct event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == EVENT_MESSAGE && !ev->u.message.stored)
		seen_rows = messages_store_count(NULL);
}

static void
test_basics(void)
{
	struct event_message	*m = xcalloc(8, sizeof *m);
	struct messages_peer	 p[4];
	struct event		*ev;
	char			*cause = NULL, peer[EVENT_TEXT_MAX], big[4097];
	int			 obs;

	snprintf(path, sizeof path, "%s/tsphone/tsphone.db", dir);
	is_int(messages_store_open(path, &cause), 0, "a new database opens");
	ok(messages_store_error() == NULL, "and the store is on");
	is_int(messages_store_count(NULL), 0, "empty");
	is_int(messages_store_unread(), 0, "nothing unread");

	obs = event_observe(front_end, NULL);
	msg_ev(1, false, "\"Bob\" <sip:bob@example.com;transport=tcp>",
	    "Grüße, 你好", MESSAGE_RECEIVED, 200, "received");
	is_int(seen_rows, 1, "the row is there when a front end sees it");
	is_int(messages_store_unread(), 1, "one unread");
	is_int(messages_store_list(NULL, 0, 8, m, &cause), 1, "one message");
	ok(m[0].stored && m[0].n > 0 && !m[0].outgoing && !m[0].read,
	    "stored, theirs, unread");
	is_str(m[0].text, "Grüße, 你好", "the UTF-8 text");
	is_str(m[0].peer, "\"Bob\" <sip:bob@example.com;transport=tcp>",
	    "the peer as SIP gave it");
	ok(m[0].time == 1764945001, "its time");

	msg_ev(2, true, "sip:bob@example.com", "hi", MESSAGE_SENDING, 0, "");
	is_int(seen_rows, 2, "ours has its row as it goes");
	messages_store_list(NULL, 0, 1, m, &cause);
	ok(m[0].outgoing && m[0].state == MESSAGE_SENDING && m[0].read,
	    "ours, sending, not counted as unread");
	msg_ev(2, true, "sip:bob@example.com", "hi", MESSAGE_SENT, 200, "");
	is_int(messages_store_count(NULL), 2, "its answer is no new row");
	messages_store_list(NULL, 0, 1, m, &cause);
	ok(m[0].state == MESSAGE_SENT && m[0].code == 200, "sent, 200");
	event_unobserve(obs);

	msg_ev(3, true, "sip:carol@example.com", "anyone?", MESSAGE_SENDING, 0,
	    "");
	msg_ev(3, true, "sip:carol@example.com", "anyone?", MESSAGE_FAILED,
	    480, "the user is not online (480 Temporarily Unavailable)");
	messages_store_list(NULL, 0, 1, m, &cause);
	ok(m[0].state == MESSAGE_FAILED && m[0].code == 480, "failed, 480");
	ok(strstr(m[0].reason, "not online") != NULL, "with the reason");

	memset(big, 'x', 4096);
	big[4096] = '\0';
	msg_ev(4, false, "sip:carol@example.com", big, MESSAGE_RECEIVED, 200,
	    "received");
	messages_store_list(NULL, 0, 1, m, &cause);
	is_int((int)strlen(m[0].text), 4096, "a 4 KB text comes back whole");

	/* "messages" prints from the store: no news, no row. */
	ev = xcalloc(1, sizeof *ev);
	ev->kind = EVENT_MESSAGE;
	ev->u.message = m[0];
	event_emit(ev);
	free(ev);
	fake_loop_run();
	is_int(messages_store_count(NULL), 4, "a printed message is no new row");
	is_int(messages_store_unread(), 2, "nor unread again");

	is_int(messages_store_npeers(), 2, "two conversations");
	is_int(messages_store_peers(0, 4, p, &cause), 2, "listed");
	is_str(p[0].peer, "sip:carol@example.com", "the latest first");
	is_int(p[0].unread, 1, "carol's: one unread");
	ok(p[0].count == 2 && !p[0].outgoing, "two messages, the last theirs");
	is_str(p[1].peer, "sip:bob@example.com",
	    "bob's, his parameters not part of the peer");
	is_str(p[1].display, "", "no name sent with ours, none kept");
	is_int(p[1].unread, 1, "bob's: one unread");
	is_str(p[1].preview, "hi", "its last text");
	is_int((int)messages_store_count("sip:bob@example.com"), 2,
	    "bob's has two");

	is_int(messages_store_find_peer("bob", peer, sizeof peer, &cause), 0,
	    "found by user name");
	is_str(peer, "sip:bob@example.com", "bob's address");
	is_int(messages_store_find_peer("sip:bob@example.com;transport=tcp",
	    peer, sizeof peer, &cause), 0, "and by address with parameters");
	is_int(messages_store_find_peer("Bob", peer, sizeof peer, &cause), 0,
	    "and by name");
	is_int(messages_store_find_peer("dave", peer, sizeof peer, &cause), -1,
	    "nobody else");
	ok(strstr(cause, "no messages with \"dave\"") != NULL, "saying so");
	free(cause);
	cause = NULL;
	is_int(messages_store_find_peer("%", peer, sizeof peer, &cause), -1,
	    "LIKE's characters are literal");
	free(cause);
	cause = NULL;

	messages_store_read("sip:bob@example.com");
	is_int(messages_store_unread(), 1, "bob's read: one left");
	messages_store_list("sip:bob@example.com", 0, 8, m, &cause);
	ok(m[1].read, "and it is marked read");
	messages_store_peers(0, 4, p, &cause);
	ok(p[0].unread == 1 && p[1].unread == 0,
	    "the conversations' counts follow (carol 1, bob 0)");
	messages_store_close();

	is_int(messages_store_open(path, &cause), 0, "reopen");
	is_int(messages_store_unread(), 1, "the count survives");
	messages_store_read(NULL);
	is_int(messages_store_unread(), 0, "all read");
	messages_store_close();
	free(m);
}

/* A row left sending, as a tsphone killed before the answer leaves it. */
static void
test_crash(void)
{
	struct event_message	*m = xcalloc(2, sizeof *m);
	char			*cause = NULL;

	is_int(messages_store_open(path, &cause), 0, "open");
	msg_ev(9, true, "sip:dave@example.com", "lost?", MESSAGE_SENDING, 0,
	    "");
	/* No answer: the process dies (the row is committed already). */
	messages_store_close();
	is_int(messages_store_open(path, &cause), 0, "open after the crash");
	messages_store_list("sip:dave@example.com", 0, 1, m, &cause);
	ok(m[0].state == MESSAGE_FAILED, "the message left sending is failed");
	ok(strstr(m[0].reason, "stopped before the answer") != NULL, "saying why");
	messages_store_close();
	free(m);
}

/* A database of schema 1 (calls only) gets its messages table. */
static void
test_migrate(void)
{
	char		 p1[192], *cause = NULL;
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 v = 0;
	struct event	 ev;

	snprintf(p1, sizeof p1, "%s/v1.db", dir);
	is_int(history_open(p1, &cause), 0, "a database");
	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_CALL;
	ev.u.call.id = 1;
	util_strlcpy(ev.u.call.remote, "sip:x@y", sizeof ev.u.call.remote);
	ev.u.call.state = CALL_TERMINATED;
	ev.u.call.outcome = CALL_OUTCOME_ANSWERED;
	event_emit(&ev);
	fake_loop_run();
	history_close();
	/* Back to version 1, as a tsphone before messages left it. */
	if (sqlite3_open(p1, &db) == SQLITE_OK) {
		sqlite3_exec(db, "DROP TABLE messages; DROP TABLE conversations; "
		    "PRAGMA user_version = 1",
		    NULL, NULL, NULL);
		sqlite3_close(db);
	}
	is_int(messages_store_open(p1, &cause), 0, "a version 1 database opens");
	is_int(messages_store_count(NULL), 0, "with an empty messages table");
	messages_store_close();
	if (sqlite3_open(p1, &db) == SQLITE_OK) {
		if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
		    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	is_int(v, STORE_VERSION, "now at the current schema");
	is_int(history_open(p1, &cause), 0, "the history opens too");
	is_int((int)history_count(), 1, "its call kept");
	history_close();
}

/* Without a database: nothing kept, the counter still counts. */
static void
test_off(void)
{
	char	 bad[192], *cause = NULL;

	snprintf(bad, sizeof bad, "%s/nodir/../../x/y/z.db", "/proc/self");
	is_int(messages_store_open(bad, &cause), -1, "an unusable path");
	ok(cause != NULL && messages_store_error() != NULL, "says why: %s",
	    cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	msg_ev(1, false, "sip:bob@example.com", "hi", MESSAGE_RECEIVED, 200,
	    "received");
	is_int(messages_store_unread(), 1, "the counter counts for this run");
	ok(messages_store_list(NULL, 0, 1, NULL, &cause) == -1 &&
	    strstr(cause, "not kept") != NULL, "listing says it is off");
	free(cause);
	messages_store_read(NULL);
	is_int(messages_store_unread(), 0, "and reading clears it");
	messages_store_close();
}

static void
test_key(void)
{
	char	 k[EVENT_TEXT_MAX];

	messages_store_key("\"B\" <sip:bob@h:5060;transport=tcp>", k, sizeof k);
	is_str(k, "sip:bob@h:5060", "key: parameters dropped, port kept");
	messages_store_key("sip:123;phone-context=x@h;user=phone", k, sizeof k);
	is_str(k, "sip:123;phone-context=x@h", "key: the user's own kept");
	messages_store_key("sip:h?subject=x", k, sizeof k);
	is_str(k, "sip:h", "key: headers dropped");
}

int
main(void)
{
	char	 cmd[128];

	snprintf(dir, sizeof dir, "/tmp/test-messages.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_key();
	test_basics();
	test_crash();
	test_migrate();
	test_off();
	fake_loop_run();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "cleanup");
	return done_testing();
}
