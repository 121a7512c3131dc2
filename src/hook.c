/*
 * hook.c: the [hooks] commands. The command line is split into words once,
 * at load (util_argv_split), and run with posix_spawnp: never through a
 * shell, so what the remote party chose (a display name such as
 * "$(touch pwned)") is only ever the value of a TSPHONE_* variable.
 *
 * The loop never waits for a hook. posix_spawn (glibc: clone with a
 * shared address space, the parent thread paused until exec) copies no
 * page tables and allocates nothing in the child, so the media thread
 * goes on undisturbed while a hook starts. Each hook runs in a process
 * group of its own, with stdin from /dev/null and stdout and stderr into
 * one pipe the loop reads (logged line by line, up to HOOK_OUTPUT_MAX
 * bytes a run). Its end is seen through a pidfd on the loop (no SIGCHLD
 * handler that might take another child's status, such as
 * password_cmd's); where there is no pidfd, a 100 ms timer polls while a
 * hook runs. A hook running past [hooks] timeout gets SIGTERM, its group
 * SIGKILL HOOK_KILL_GRACE_MS later. At most HOOK_MAX_RUNNING run at once:
 * a burst of calls must not become a burst of processes; and they run
 * niced, so that on a busy machine their CPU comes after the call's.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "hook.h"
#include "log.h"
#include "loop.h"
#include "util.h"

extern char **environ;

/* Calls remembered so a hook fires once per call, however often the
 * call is published again (status, focus changes). */
#define HOOK_SEEN_MAX	64
/* The niceness hooks run at. */
#define HOOK_NICE	10
/* Polling for the end of a hook where there is no pidfd. */
#define HOOK_POLL_MS	100

static const char *const hook_names[] = {
	[HOOK_INCOMING] = "incoming",
	[HOOK_MISSED] = "missed",
	[HOOK_MESSAGE] = "message",
};

struct hook_proc {
	bool			 used;
	enum hook_event		 ev;
	pid_t			 pid;
	int			 out_fd;	/* -1 once closed */
	int			 out_id;
	int			 pid_fd;	/* -1 without a pidfd */
	int			 pid_id;
	bool			 termed;	/* SIGTERM sent */
	struct loop_timer	*kill;		/* timeout, then grace */
	char			 line[HOOK_LINE_MAX + 1];
	size_t			 len;
	size_t			 logged;	/* bytes of output logged */
	bool			 cut;		/* said "output dropped" */
};

struct hook_seen {
	int			 id;		/* call id, 0: free */
	bool			 incoming;
	bool			 missed;
};

static char			**hook_argv[3];
static int			  hook_timeout_ms;
static int			  hook_observer;
static struct hook_proc		  hook_procs[HOOK_MAX_RUNNING];
static struct hook_seen		  hook_seen[HOOK_SEEN_MAX];
static int			  hook_seen_next;
static struct loop_timer	 *hook_poll;

static void	 hook_reap(struct hook_proc *);

int
hook_running(void)
{
	int	 i, n = 0;

	for (i = 0; i < HOOK_MAX_RUNNING; i++)
		n += hook_procs[i].used;
	return n;
}

void
hook_split_remote(const char *remote, char *uri, size_t urisz, char *display,
    size_t displaysz)
{
	const char	*lt, *gt, *p;
	size_t		 n = 0;

	*display = '\0';
	lt = strchr(remote, '<');
	gt = lt != NULL ? strchr(lt, '>') : NULL;
	if (lt == NULL || gt == NULL) {
		util_strlcpy(uri, remote, urisz);
		return;
	}
	if (urisz > 0) {
		n = (size_t)(gt - lt - 1) < urisz - 1 ?
		    (size_t)(gt - lt - 1) : urisz - 1;
		memcpy(uri, lt + 1, n);
		uri[n] = '\0';
	}
	for (p = remote; p < lt && (*p == ' ' || *p == '\t'); p++)
		;
	n = 0;
	if (*p == '"') {
		/* A quoted-string: \x stands for x (RFC 3261 25.1). */
		for (p++; p < lt && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < lt)
				p++;
			if (n + 1 < displaysz)
				display[n++] = *p;
		}
	} else {
		for (; p < lt; p++) {
			if (n + 1 < displaysz)
				display[n++] = *p;
		}
		while (n > 0 && (display[n - 1] == ' ' ||
		    display[n - 1] == '\t'))
			n--;
	}
	if (displaysz > 0)
		display[n] = '\0';
}

/* One line of a hook's output into the log, control characters made
 * harmless (the log reaches a terminal). */
static void
hook_log_line(struct hook_proc *hp)
{
	size_t	 i;

	if (hp->len == 0)
		return;
	hp->line[hp->len] = '\0';
	for (i = 0; i < hp->len; i++) {
		if ((unsigned char)hp->line[i] < 0x20 || hp->line[i] == 0x7f)
			hp->line[i] = '?';
	}
	log_info("hook %s: %s", hook_names[hp->ev], hp->line);
	hp->len = 0;
}

static void
hook_output_bytes(struct hook_proc *hp, const char *buf, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (hp->logged >= HOOK_OUTPUT_MAX) {
			if (!hp->cut) {
				hook_log_line(hp);
				log_warn("hook %s: more output than %d bytes; the "
				    "rest is dropped", hook_names[hp->ev],
				    HOOK_OUTPUT_MAX);
				hp->cut = true;
			}
			return;
		}
		hp->logged++;
		if (buf[i] == '\n') {
			hook_log_line(hp);
			continue;
		}
		if (hp->len < HOOK_LINE_MAX)
			hp->line[hp->len++] = buf[i];
	}
}

static void
hook_close_output(struct hook_proc *hp)
{
	if (hp->out_fd == -1)
		return;
	loop_fd_remove(hp->out_id);
	close(hp->out_fd);
	hp->out_fd = -1;
	hook_log_line(hp);
}

/* Read what there is; at end of file stop watching. */
static void
hook_output(int fd, void *arg)
{
	struct hook_proc	*hp = arg;
	char			 buf[1024];
	ssize_t			 n;

	(void)fd;
	for (;;) {
		n = read(hp->out_fd, buf, sizeof buf);
		if (n > 0) {
			hook_output_bytes(hp, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		hook_close_output(hp);
		return;
	}
}

static void
hook_finish(struct hook_proc *hp, int status)
{
	/* What the hook wrote before it ended is still in the pipe. */
	if (hp->out_fd != -1)
		hook_output(hp->out_fd, hp);
	hook_close_output(hp);
	if (hp->pid_fd != -1) {
		loop_fd_remove(hp->pid_id);
		close(hp->pid_fd);
		hp->pid_fd = -1;
	}
	/* (A hook we killed was logged when it was.) */
	if (!hp->termed && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warn("hook %s: exit status %d", hook_names[hp->ev],
		    WEXITSTATUS(status));
	else if (!hp->termed && WIFSIGNALED(status))
		log_warn("hook %s: killed by signal %d", hook_names[hp->ev],
		    WTERMSIG(status));
	loop_timer_free(hp->kill);
	memset(hp, 0, sizeof *hp);
	hp->out_fd = hp->pid_fd = -1;
}

static void
hook_reap(struct hook_proc *hp)
{
	int	 status;
	pid_t	 r;

	do
		r = waitpid(hp->pid, &status, WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r == hp->pid)
		hook_finish(hp, status);
	else if (r == -1) {
		/* Not ours any more (reaped elsewhere): let it go. */
		log_warn("hook %s: lost track of pid %ld: %s",
		    hook_names[hp->ev], (long)hp->pid, strerror(errno));
		hook_finish(hp, 0);
	}
}

static void
hook_pidfd(int fd, void *arg)
{
	(void)fd;
	hook_reap(arg);
}

static void
hook_poll_fire(void *arg)
{
	int	 i;
	bool	 more = false;

	(void)arg;
	for (i = 0; i < HOOK_MAX_RUNNING; i++) {
		if (hook_procs[i].used && hook_procs[i].pid_fd == -1) {
			hook_reap(&hook_procs[i]);
			more |= hook_procs[i].used;
		}
	}
	if (more)
		loop_timer_start(hook_poll, HOOK_POLL_MS);
}

static void
hook_kill_fire(void *arg)
{
	struct hook_proc	*hp = arg;

	if (!hp->termed) {
		log_warn("hook %s: still running after %d s: killed (pid %ld)",
		    hook_names[hp->ev], hook_timeout_ms / 1000, (long)hp->pid);
		hp->termed = true;
		kill(-hp->pid, SIGTERM);
		loop_timer_start(hp->kill, HOOK_KILL_GRACE_MS);
		return;
	}
	kill(-hp->pid, SIGKILL);
}

/* ENV with TSPHONE_* replaced by VARS; the strings are allocated here. */
static char **
hook_env(enum hook_event ev, const struct hook_vars *v, char ***own)
{
	const char	*names[] = { "TSPHONE_EVENT", "TSPHONE_ACCOUNT",
			    "TSPHONE_REMOTE", "TSPHONE_DISPLAY",
			    "TSPHONE_CALL_ID", "TSPHONE_TEXT" };
	const char	*values[6];
	char		**env, **mine;
	size_t		 n = 0, i, k = 0;

	values[0] = hook_names[ev];
	values[1] = v->account;
	values[2] = v->remote;
	values[3] = v->display;
	values[4] = v->call_id;
	values[5] = v->text;
	while (environ != NULL && environ[n] != NULL)
		n++;
	env = xcalloc(n + nitems(names) + 1, sizeof *env);
	mine = xcalloc(nitems(names) + 1, sizeof *mine);
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "TSPHONE_", 8) != 0)
			env[k++] = environ[i];
	}
	for (i = 0; i < nitems(names); i++) {
		xasprintf(&mine[i], "%s=%s", names[i],
		    values[i] != NULL ? values[i] : "");
		env[k++] = mine[i];
	}
	*own = mine;
	return env;
}

static int
hook_spawn(struct hook_proc *hp, char **argv, char **env)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, def;
	int				 fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* Our sockets and files are none of the hook's business. */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);	/* we ignore it; the hook should not */
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawnp(&hp->pid, argv[0], &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return rc;
	}
	/* A hook waits; the call's audio does not. Lowered at once (the
	 * child has just exec'd), so a burst of hooks on a busy machine
	 * takes its CPU after the media thread. */
	setpriority(PRIO_PROCESS, (id_t)hp->pid, HOOK_NICE);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	hp->out_fd = fds[0];
	return 0;
}

int
hook_run(enum hook_event ev, const struct hook_vars *vars)
{
	struct hook_proc	*hp = NULL;
	char			**env, **own;
	int			 i, rc;

	if (hook_argv[ev] == NULL)
		return 1;
	for (i = 0; i < HOOK_MAX_RUNNING; i++) {
		if (!hook_procs[i].used) {
			hp = &hook_procs[i];
			break;
		}
	}
	if (hp == NULL) {
		log_warn("hook %s: not run: %d hooks are running already",
		    hook_names[ev], HOOK_MAX_RUNNING);
		return -1;
	}
	memset(hp, 0, sizeof *hp);
	hp->out_fd = hp->pid_fd = -1;
	env = hook_env(ev, vars, &own);
	rc = hook_spawn(hp, hook_argv[ev], env);
	free(env);
	util_argv_free(own);
	if (rc != 0) {
		log_warn("hook %s: cannot run %s: %s", hook_names[ev],
		    hook_argv[ev][0], strerror(rc));
		return -1;
	}
	hp->used = true;
	hp->ev = ev;
	log_debug("hook %s: started %s (pid %ld)", hook_names[ev],
	    hook_argv[ev][0], (long)hp->pid);
	hp->out_id = loop_fd_add(hp->out_fd, hook_output, hp);
	if (hp->out_id < 0) {
		close(hp->out_fd);
		hp->out_fd = -1;
	}
#ifdef SYS_pidfd_open
	hp->pid_fd = (int)syscall(SYS_pidfd_open, hp->pid, 0);
	if (hp->pid_fd != -1) {
		fcntl(hp->pid_fd, F_SETFD, FD_CLOEXEC);
		hp->pid_id = loop_fd_add(hp->pid_fd, hook_pidfd, hp);
		if (hp->pid_id < 0) {
			close(hp->pid_fd);
			hp->pid_fd = -1;
		}
	}
#endif
	if (hp->pid_fd == -1 && !loop_timer_pending(hook_poll))
		loop_timer_start(hook_poll, HOOK_POLL_MS);
	hp->kill = loop_timer_new(hook_kill_fire, hp);
	loop_timer_start(hp->kill, (unsigned int)hook_timeout_ms);
	return 0;
}

/* The record of call ID (made if new; the oldest goes when full). */
static struct hook_seen *
hook_seen_call(int id)
{
	struct hook_seen	*s;
	int			 i;

	for (i = 0; i < HOOK_SEEN_MAX; i++) {
		if (hook_seen[i].id == id)
			return &hook_seen[i];
	}
	s = &hook_seen[hook_seen_next];
	hook_seen_next = (hook_seen_next + 1) % HOOK_SEEN_MAX;
	memset(s, 0, sizeof *s);
	s->id = id;
	return s;
}

static void
hook_call(const struct event_call *c)
{
	struct hook_vars	 v;
	struct hook_seen	*s;
	enum hook_event		 ev;
	char			 uri[EVENT_TEXT_MAX], display[EVENT_TEXT_MAX];

	if (c->outgoing)
		return;
	if (c->state == CALL_INCOMING && c->replaces == 0)
		ev = HOOK_INCOMING;
	else if (c->state == CALL_TERMINATED &&
	    c->outcome == CALL_OUTCOME_MISSED)
		ev = HOOK_MISSED;
	else
		return;
	s = hook_seen_call(c->id);
	if (ev == HOOK_INCOMING ? s->incoming : s->missed)
		return;
	if (ev == HOOK_INCOMING)
		s->incoming = true;
	else
		s->missed = true;
	hook_split_remote(c->remote, uri, sizeof uri, display, sizeof display);
	v.account = c->account;
	v.remote = uri;
	/* A contact's name when there is one (the event says), else the
	 * name the caller sent. */
	v.display = c->display[0] != '\0' ? c->display : display;
	v.call_id = c->call_id;
	v.text = NULL;
	hook_run(ev, &v);
}

/* A message that came in (not one refused, nor one printed from the
 * store): its text goes in TSPHONE_TEXT, never through a shell. */
static void
hook_message(const struct event_message *m)
{
	struct hook_vars	 v;
	char			 uri[EVENT_TEXT_MAX], display[EVENT_TEXT_MAX];

	if (m->outgoing || m->stored || m->state != MESSAGE_RECEIVED)
		return;
	hook_split_remote(m->peer, uri, sizeof uri, display, sizeof display);
	memset(&v, 0, sizeof v);
	v.account = m->account;
	v.remote = uri;
	v.display = m->display[0] != '\0' ? m->display : display;
	v.text = m->text;
	hook_run(HOOK_MESSAGE, &v);
}

static void
hook_event(const struct event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == EVENT_CALL)
		hook_call(&ev->u.call);
	else if (ev->kind == EVENT_MESSAGE)
		hook_message(&ev->u.message);
}

int
hook_start(const struct conf *conf, char **cause)
{
	const char	*lines[3];
	char		*why;
	int		 i, argc;

	lines[HOOK_INCOMING] = conf->hook_incoming;
	lines[HOOK_MISSED] = conf->hook_missed;
	lines[HOOK_MESSAGE] = conf->hook_message;
	hook_timeout_ms = conf->hook_timeout * 1000;
	for (i = 0; i < HOOK_MAX_RUNNING; i++)
		hook_procs[i].out_fd = hook_procs[i].pid_fd = -1;
	for (i = 0; i < 3; i++) {
		if (lines[i] == NULL)
			continue;
		if (util_argv_split(lines[i], &hook_argv[i], &argc, &why)
		    != 0) {
			xasprintf(cause, "[hooks] %s: %s", hook_names[i], why);
			free(why);
			hook_stop();
			return -1;
		}
	}
	hook_poll = loop_timer_new(hook_poll_fire, NULL);
	hook_observer = event_observe(hook_event, NULL);
	return 0;
}

void
hook_stop(void)
{
	struct hook_proc	*hp;
	int			 i;

	if (hook_observer != 0)
		event_unobserve(hook_observer);
	hook_observer = 0;
	for (i = 0; i < HOOK_MAX_RUNNING; i++) {
		hp = &hook_procs[i];
		if (!hp->used)
			continue;
		/* Not waited for: quitting must not hang on a hook. */
		kill(-hp->pid, SIGTERM);
		hook_reap(hp);
		if (hp->used) {
			hp->termed = true;
			hook_finish(hp, 0);
		}
	}
	for (i = 0; i < 3; i++) {
		util_argv_free(hook_argv[i]);
		hook_argv[i] = NULL;
	}
	loop_timer_free(hook_poll);
	hook_poll = NULL;
	memset(hook_seen, 0, sizeof hook_seen);
	hook_seen_next = 0;
}
