/*
 * loop.c: the process's event loop, a thin layer over Sofia's su_root.
 *
 * su_root must be the main loop because Sofia's sockets cannot be put in
 * a poll() of ours; so instead everything else (stdin, signals, timers,
 * wake-ups from other threads) is registered with su_root through here.
 * Signal handlers only write the signal number to a self-pipe.
 */
#include "config.h"

#define SU_ROOT_MAGIC_T		void
#define SU_WAKEUP_ARG_T		void
#define SU_TIMER_ARG_T		struct loop_timer

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "loop.h"
#include "util.h"

struct loop_fd {
	int		 id;
	int		 fd;
	loop_fd_h	 cb;
	void		*arg;
	struct loop_fd	*next;
};

struct loop_timer {
	su_timer_t	*timer;
	loop_timer_h	 cb;
	void		*arg;
	int		 pending;
};

struct loop_sig {
	int		 sig;
	loop_signal_h	 cb;
	void		*arg;
};

static su_root_t	*loop_su_root;
static struct loop_fd	*loop_fds;
static int		 loop_sig_pipe[2] = { -1, -1 };
static int		 loop_sig_id;
static bool		 loop_abandoned;

/* Deferred jobs: a FIFO and an eventfd that wakes the root for them. */
struct loop_job {
	loop_defer_h	 fn;
	void		*arg;
	struct loop_job	*next;
};
static struct loop_job	*loop_jobs;
static struct loop_job	**loop_jobs_tail = &loop_jobs;
static int		 loop_job_fd = -1;
static int		 loop_job_id;
static struct loop_sig	 loop_sigs[8];
static int		 loop_nsigs;

int
loop_init(char **cause)
{
	if (su_init() != 0) {
		*cause = xstrdup("cannot initialise the Sofia-SIP runtime");
		return -1;
	}
	loop_su_root = su_root_create(NULL);
	if (loop_su_root == NULL) {
		*cause = xstrdup("cannot create the event loop");
		su_deinit();
		return -1;
	}
	return 0;
}

void *
loop_root(void)
{
	return loop_su_root;
}

void
loop_run(void)
{
	su_root_run(loop_su_root);
}

void
loop_break(void)
{
	su_root_break(loop_su_root);
}

static int
loop_fd_wakeup(void *magic, su_wait_t *w, void *arg)
{
	struct loop_fd	*lf = arg;

	(void)magic;
	(void)w;
	lf->cb(lf->fd, lf->arg);
	return 0;
}

int
loop_fd_add(int fd, loop_fd_h cb, void *arg)
{
	struct loop_fd	*lf;
	su_wait_t	 w[1];
	int		 id;

	if (su_wait_create(w, fd, SU_WAIT_IN) != 0)
		return -errno;
	lf = xcalloc(1, sizeof *lf);
	lf->fd = fd;
	lf->cb = cb;
	lf->arg = arg;
	id = su_root_register(loop_su_root, w, loop_fd_wakeup, lf, 0);
	if (id <= 0) {
		int	 err = errno ? errno : EINVAL;

		su_wait_destroy(w);
		free(lf);
		return -err;
	}
	lf->id = id;
	lf->next = loop_fds;
	loop_fds = lf;
	return id;
}

void
loop_fd_remove(int id)
{
	struct loop_fd	**pp, *lf;

	for (pp = &loop_fds; (lf = *pp) != NULL; pp = &lf->next) {
		if (lf->id == id) {
			*pp = lf->next;
			su_root_deregister(loop_su_root, id);
			free(lf);
			return;
		}
	}
}

static void
loop_timer_fire(void *magic, su_timer_t *t, struct loop_timer *lt)
{
	(void)magic;
	(void)t;
	lt->pending = 0;
	lt->cb(lt->arg);
}

struct loop_timer *
loop_timer_new(loop_timer_h cb, void *arg)
{
	struct loop_timer	*lt = xcalloc(1, sizeof *lt);

	/* The default duration is never used (set_interval gives one) but
	 * must be non-zero: su_timer asserts on zero-length timers. */
	lt->timer = su_timer_create(su_root_task(loop_su_root), 1000);
	if (lt->timer == NULL)
		abort();
	lt->cb = cb;
	lt->arg = arg;
	return lt;
}

void
loop_timer_start(struct loop_timer *lt, unsigned int ms)
{
	su_timer_reset(lt->timer);
	su_timer_set_interval(lt->timer, loop_timer_fire, lt, ms);
	lt->pending = 1;
}

void
loop_timer_stop(struct loop_timer *lt)
{
	su_timer_reset(lt->timer);
	lt->pending = 0;
}

int
loop_timer_pending(const struct loop_timer *lt)
{
	return lt->pending;
}

void
loop_timer_free(struct loop_timer *lt)
{
	if (lt == NULL)
		return;
	su_timer_destroy(lt->timer);
	free(lt);
}

static void
loop_sig_handler(int sig)
{
	int		 saved = errno;
	unsigned char	 c = (unsigned char)sig;

	if (write(loop_sig_pipe[1], &c, 1) < 0) {
		/* Pipe full: a signal is already pending; nothing to do. */
	}
	errno = saved;
}

static void
loop_sig_read(int fd, void *arg)
{
	unsigned char	 buf[64];
	ssize_t		 n;
	int		 i, j;

	(void)arg;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			for (j = 0; j < loop_nsigs; j++) {
				if (loop_sigs[j].sig == buf[i])
					loop_sigs[j].cb(buf[i], loop_sigs[j].arg);
			}
		}
	}
}

int
loop_signal(int sig, loop_signal_h cb, void *arg)
{
	struct sigaction	 sa;
	int			 i;

	if (loop_nsigs == (int)nitems(loop_sigs))
		return -ENOSPC;
	if (loop_sig_pipe[0] == -1) {
		if (pipe(loop_sig_pipe) != 0)
			return -errno;
		for (i = 0; i < 2; i++) {
			fcntl(loop_sig_pipe[i], F_SETFL,
			    fcntl(loop_sig_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(loop_sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
		loop_sig_id = loop_fd_add(loop_sig_pipe[0], loop_sig_read, NULL);
		if (loop_sig_id < 0)
			return loop_sig_id;
	}
	loop_sigs[loop_nsigs].sig = sig;
	loop_sigs[loop_nsigs].cb = cb;
	loop_sigs[loop_nsigs].arg = arg;
	loop_nsigs++;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	return sigaction(sig, &sa, NULL) == 0 ? 0 : -errno;
}

void
loop_defer_run(void)
{
	struct loop_job	*j;

	while ((j = loop_jobs) != NULL) {
		loop_jobs = j->next;
		if (loop_jobs == NULL)
			loop_jobs_tail = &loop_jobs;
		j->fn(j->arg);
		free(j);
	}
}

static void
loop_job_read(int fd, void *arg)
{
	uint64_t	 v;

	(void)arg;
	if (read(fd, &v, sizeof v) < 0) {
		/* EAGAIN: a job run from elsewhere emptied the queue. */
	}
	loop_defer_run();
}

void
loop_defer(loop_defer_h fn, void *arg)
{
	struct loop_job	*j;
	uint64_t	 one = 1;

	for (j = loop_jobs; j != NULL; j = j->next) {
		if (j->fn == fn && j->arg == arg)
			return;
	}
	j = xcalloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	*loop_jobs_tail = j;
	loop_jobs_tail = &j->next;
	if (loop_job_fd == -1 && loop_su_root != NULL) {
		loop_job_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (loop_job_fd == -1 ||
		    (loop_job_id = loop_fd_add(loop_job_fd, loop_job_read,
		    NULL)) < 0)
			abort();	/* no fd: the phone could not work */
	}
	if (loop_job_fd != -1 && write(loop_job_fd, &one, sizeof one) < 0) {
		/* Saturated counter: the loop will wake anyway. */
	}
}

void
loop_abandon(void)
{
	loop_abandoned = true;
}

void
loop_free(void)
{
	int	 i;

	loop_defer_run();
	while (loop_fds != NULL)
		loop_fd_remove(loop_fds->id);
	if (loop_job_fd != -1)
		close(loop_job_fd);
	loop_job_fd = -1;
	loop_job_id = 0;
	for (i = 0; i < 2; i++) {
		if (loop_sig_pipe[i] != -1)
			close(loop_sig_pipe[i]);
		loop_sig_pipe[i] = -1;
	}
	for (i = 0; i < loop_nsigs; i++)
		signal(loop_sigs[i].sig, SIG_DFL);
	loop_nsigs = 0;
	if (loop_abandoned)
		return;		/* the stack thread may still use the root */
	if (loop_su_root != NULL)
		su_root_destroy(loop_su_root);
	loop_su_root = NULL;
	su_deinit();
}
