/*
 * history-bench.c: what a long history costs. Fills a database in a
 * temporary directory with N calls (default 10,000) through the event
 * bus, as the phone does, then times, over many runs, what the screen
 * and the prompt ask of it: opening the history (history_open, as at
 * start-up), opening the history view (the missed calls marked seen, the
 * count, the first screenful), a page deep in it, and completion
 * queries (every address, a few letters, a miss: the whole table). The
 * budget is 20 ms each; exit status 1 if a median is over it.
 *
 * Usage: history-bench [N]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "fakes.h"
#include "history.h"
#include "util.h"

#define RUNS		21
#define BUDGET_MS	20.0

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
call(int id, int who, enum call_state st, enum call_outcome o)
{
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_CALL;
	ev.u.call.id = id;
	ev.u.call.outgoing = id % 3 == 0;
	snprintf(ev.u.call.remote, sizeof ev.u.call.remote,
	    "\"User %d\" <sip:user%d@example.com>", who, who);
	util_strlcpy(ev.u.call.account, "work", sizeof ev.u.call.account);
	ev.u.call.state = st;
	ev.u.call.outcome = o;
	ev.u.call.code = o == CALL_OUTCOME_ANSWERED ? 200 : 487;
	ev.u.call.duration = o == CALL_OUTCOME_ANSWERED ? id % 600 : 0;
	event_emit(&ev);
	fake_loop_run();
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
nothing(const char *uri, const char *display, void *arg)
{
	(*(int *)arg)++;
}

static struct event_history	 page[50];

/* What opening the view asks: seen, the count (title), a screenful. */
static void
view(void)
{
	char	*cause = NULL;

	history_seen();
	(void)history_count();
	if (history_list(0, 50, page, &cause) != 50)
		abort();
}

static void
deep(void)
{
	char	*cause = NULL;

	if (history_list(history_count() - 50, 50, page, &cause) != 50)
		abort();
}

static int	 hits;

static void
complete_all(void)
{
	history_targets("", 20, nothing, &hits);
}

static void
complete_some(void)
{
	history_targets("ser12", 20, nothing, &hits);
}

static void
complete_miss(void)
{
	history_targets("nobody", 20, nothing, &hits);
}

static const char	*dbpath;

static void
reopen(void)
{
	char	*cause = NULL;

	history_close();
	if (history_open(dbpath, &cause) != 0) {
		fprintf(stderr, "history-bench: %s\n", cause);
		exit(2);
	}
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
	printf("%-34s median %7.3f ms  max %7.3f ms  %s\n", what,
	    t[RUNS / 2], t[RUNS - 1], t[RUNS / 2] <= BUDGET_MS ? "ok" :
	    "OVER 20 ms");
	return t[RUNS / 2] <= BUDGET_MS ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char	 dir[] = "/tmp/history-bench.XXXXXX", path[64], cmd[96];
	char	*cause = NULL;
	double	 t0;
	int	 n = argc > 1 ? atoi(argv[1]) : 10000, i, bad = 0;

	if (n < 100 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: history-bench [N >= 100]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/tsphone.db", dir);
	dbpath = path;
	if (history_open(path, &cause) != 0) {
		fprintf(stderr, "history-bench: %s\n", cause);
		return 2;
	}
	t0 = now_ms();
	for (i = 1; i <= n; i++) {
		call(i, i % 500, CALL_INCOMING, CALL_OUTCOME_NONE);
		call(i, i % 500, CALL_TERMINATED, i % 4 == 0 ?
		    CALL_OUTCOME_MISSED : CALL_OUTCOME_ANSWERED);
	}
	printf("%d calls, 500 addresses: %.0f ms to write (%.3f ms a call, "
	    "two commits each)\n", n, now_ms() - t0, (now_ms() - t0) / n);
	bad |= measure("open the history (start-up)", reopen);
	bad |= measure("open the view (seen, count, 50)", view);
	bad |= measure("the oldest page of 50", deep);
	bad |= measure("complete \"\" (20 newest addresses)", complete_all);
	bad |= measure("complete \"ser12\" (anywhere)", complete_some);
	bad |= measure("complete \"nobody\" (no match)", complete_miss);
	history_close();
	fake_loop_run();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		bad = 1;
	return bad;
}
