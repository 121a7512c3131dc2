/*
 * messages-bench.c: what many messages cost. Fills a database in a
 * temporary directory with N received messages (default 10,000) from
 * 500 peers through the event bus, as the phone does, then times, over
 * many runs, what the screen asks of it: opening the store (start-up,
 * with the unread count), the conversations view (the count for the
 * title and a screenful of 50), a conversation (a screenful of 40 and
 * reading it) and finding a peer by its user name. The budget is 20 ms
 * each; exit status 1 if a median is over it.
 *
 * Usage: messages-bench [N]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "fakes.h"
#include "messages-store.h"
#include "util.h"

#define RUNS		21
#define BUDGET_MS	20.0

static const char		*dbpath;
static struct messages_peer	 peers[50];
static struct event_message	 talk[40];

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
received(struct event *ev, int id, int who)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = EVENT_MESSAGE;
	ev->u.message.id = id;
	ev->u.message.time = 1764945000 + id;
	snprintf(ev->u.message.peer, sizeof ev->u.message.peer,
	    "\"User %d\" <sip:user%d@example.com>", who, who);
	snprintf(ev->u.message.display, sizeof ev->u.message.display,
	    "User %d", who);
	util_strlcpy(ev->u.message.account, "work",
	    sizeof ev->u.message.account);
	snprintf(ev->u.message.text, sizeof ev->u.message.text,
	    "message %d: a line of text as people send them, with a few "
	    "words more than a greeting", id);
	ev->u.message.state = MESSAGE_RECEIVED;
	ev->u.message.code = 200;
	event_emit(ev);
	fake_loop_run();
}

static void
reopen(void)
{
	char	*cause = NULL;

	messages_store_close();
	if (messages_store_open(dbpath, &cause) != 0) {
		fprintf(stderr, "messages-bench: %s\n", cause);
		exit(2);
	}
	(void)messages_store_unread();
}

/* What opening the view asks: the count (title), a screenful. */
static void
view(void)
{
	char	*cause = NULL;

	(void)messages_store_npeers();
	if (messages_store_peers(0, 50, peers, &cause) != 50)
		abort();
}

/* A conversation opened: read, its count (title), a screenful. */
static void
conversation(void)
{
	char	*cause = NULL;

	messages_store_read("sip:user7@example.com");
	(void)messages_store_count("sip:user7@example.com");
	if (messages_store_list("sip:user7@example.com", 0, 40, talk,
	    &cause) != 20)
		abort();
}

static void
find(void)
{
	char	*cause = NULL, peer[EVENT_TEXT_MAX];

	if (messages_store_find_peer("user123", peer, sizeof peer,
	    &cause) != 0)
		abort();
}

static int
measure(const char *what, void (*fn)(void))
{
	double	 t[RUNS], t0;
	int	 i;

	for (i = 0; i < RUNS; i++) {
		t0 = now_ms();
		fn();
		t[i] = now_ms() - t0;
	}
	qsort(t, RUNS, sizeof t[0], cmp);
	printf("%-38s median %7.3f ms  max %7.3f ms  %s\n", what,
	    t[RUNS / 2], t[RUNS - 1], t[RUNS / 2] <= BUDGET_MS ? "ok" :
	    "OVER 20 ms");
	return t[RUNS / 2] <= BUDGET_MS ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char		 dir[] = "/tmp/messages-bench.XXXXXX", path[64], cmd[96];
	char		*cause = NULL;
	struct event	*ev;
	double		 t0;
	int		 n = argc > 1 ? atoi(argv[1]) : 10000, i, bad = 0;

	if (n < 10000 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: messages-bench [N >= 10000]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/tsphone.db", dir);
	dbpath = path;
	if (messages_store_open(path, &cause) != 0) {
		fprintf(stderr, "messages-bench: %s\n", cause);
		return 2;
	}
	ev = xcalloc(1, sizeof *ev);
	t0 = now_ms();
	for (i = 1; i <= n; i++)
		received(ev, i, i % 500);
	printf("%d messages, 500 peers: %.0f ms to write (%.3f ms a "
	    "message, one commit each)\n", n, now_ms() - t0,
	    (now_ms() - t0) / n);
	free(ev);
	bad |= measure("open the store (start-up, unread)", reopen);
	bad |= measure("open the view (count, 50 peers)", view);
	bad |= measure("open a conversation (read, 40)", conversation);
	bad |= measure("find \"user123\"", find);
	messages_store_close();
	fake_loop_run();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		bad = 1;
	return bad;
}
