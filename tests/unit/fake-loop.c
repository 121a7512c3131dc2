/*
 * fake-loop.c: loop.h with a manual clock (fakes.h). Timers fire only
 * when the test advances time; deferred jobs run when the test says so,
 * or after each timer, as the real loop runs them after each callback.
 */
#include "config.h"

#include <stdlib.h>

#include "fakes.h"
#include "loop.h"
#include "util.h"

struct loop_timer {
	loop_timer_h		 cb;
	void			*arg;
	int			 pending;
	unsigned long		 due;
	struct loop_timer	*next;
};

struct fake_job {
	loop_defer_h		 fn;
	void			*arg;
	struct fake_job		*next;
};

static struct loop_timer	*timers;
static struct fake_job		*jobs, **jobs_tail = &jobs;
static unsigned long		 now_ms;
int				 fake_loop_breaks;
bool				 fake_loop_abandoned;

int	loop_init(char **cause) { (void)cause; return 0; }
void	loop_free(void) { loop_defer_run(); }
void   *loop_root(void) { return NULL; }
void	loop_run(void) { }
void	loop_break(void) { fake_loop_breaks++; }
/* The last descriptor watched, for fake_loop_fd_ready. */
static loop_fd_h		 fd_cb;
static void			*fd_arg;
static int			 fd_fd = -1;

int
loop_fd_add(int fd, loop_fd_h cb, void *arg)
{
	fd_cb = cb;
	fd_arg = arg;
	fd_fd = fd;
	return 1;
}

void
loop_fd_remove(int id)
{
	(void)id;
	fd_cb = NULL;
	fd_fd = -1;
}

bool
fake_loop_fd_ready(void)
{
	if (fd_cb == NULL)
		return false;
	fd_cb(fd_fd, fd_arg);
	loop_defer_run();
	return true;
}
int	loop_signal(int sig, loop_signal_h cb, void *arg) { (void)sig; (void)cb; (void)arg; return 0; }
void	loop_abandon(void) { fake_loop_abandoned = true; }

struct loop_timer *
loop_timer_new(loop_timer_h cb, void *arg)
{
	struct loop_timer	*t = xcalloc(1, sizeof *t);

	t->cb = cb;
	t->arg = arg;
	t->next = timers;
	timers = t;
	return t;
}

void
loop_timer_start(struct loop_timer *t, unsigned int ms)
{
	t->pending = 1;
	t->due = now_ms + ms;
}

void
loop_timer_stop(struct loop_timer *t)
{
	t->pending = 0;
}

int
loop_timer_pending(const struct loop_timer *t)
{
	return t->pending;
}

void
loop_timer_free(struct loop_timer *t)
{
	struct loop_timer	**pp;

	if (t == NULL)
		return;
	for (pp = &timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	free(t);
}

void
loop_defer(loop_defer_h fn, void *arg)
{
	struct fake_job	*j;

	for (j = jobs; j != NULL; j = j->next) {
		if (j->fn == fn && j->arg == arg)
			return;
	}
	j = xcalloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	*jobs_tail = j;
	jobs_tail = &j->next;
}

void
loop_defer_run(void)
{
	struct fake_job	*j;

	while ((j = jobs) != NULL) {
		jobs = j->next;
		if (jobs == NULL)
			jobs_tail = &jobs;
		j->fn(j->arg);
		free(j);
	}
}

void
fake_loop_run(void)
{
	loop_defer_run();
}

void
fake_loop_advance(unsigned int ms)
{
	unsigned long		 end = now_ms + ms;
	struct loop_timer	*t, *first;

	fake_loop_run();
	for (;;) {
		first = NULL;
		for (t = timers; t != NULL; t = t->next) {
			if (t->pending && t->due <= end &&
			    (first == NULL || t->due < first->due))
				first = t;
		}
		if (first == NULL)
			break;
		now_ms = first->due;
		first->pending = 0;
		first->cb(first->arg);
		fake_loop_run();
	}
	now_ms = end;
}
