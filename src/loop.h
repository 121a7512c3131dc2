/*
 * loop.h: the one event loop of the process. It is Sofia's su_root (the
 * SIP stack's callbacks must run there), wrapped so that nothing outside
 * loop.c and sip-*.c needs a Sofia header: file descriptors, one-shot
 * timers and signals, all delivered on the loop thread.
 */
#ifndef TSP_LOOP_H
#define TSP_LOOP_H

typedef void (*loop_fd_h)(int fd, void *arg);
typedef void (*loop_timer_h)(void *arg);
typedef void (*loop_signal_h)(int sig, void *arg);

struct loop_timer;

int	 loop_init(char **cause);
void	 loop_free(void);
/* The su_root_t, for sip-ua.c. */
void	*loop_root(void);
void	 loop_run(void);
void	 loop_break(void);

/* Watch FD for input; returns an id > 0, or -errno. */
int	 loop_fd_add(int fd, loop_fd_h, void *arg);
void	 loop_fd_remove(int id);

struct loop_timer *loop_timer_new(loop_timer_h, void *arg);
/* (Re)arm to fire once after MS milliseconds. */
void	 loop_timer_start(struct loop_timer *, unsigned int ms);
void	 loop_timer_stop(struct loop_timer *);
int	 loop_timer_pending(const struct loop_timer *);
void	 loop_timer_free(struct loop_timer *);

/* Deliver SIG to HANDLER on the loop thread (self-pipe). */
int	 loop_signal(int sig, loop_signal_h, void *arg);

/*
 * Run FN(ARG) on the loop thread once the current callback has returned:
 * work found inside a SIP callback is queued here and done after it, so
 * nothing is re-entered or freed under the caller's feet. Pending jobs run
 * in the order queued; queueing a (FN, ARG) pair that is already pending
 * does nothing. Loop thread only.
 */
typedef void (*loop_defer_h)(void *arg);
void	 loop_defer(loop_defer_h, void *arg);
/* Run every pending job now (at exit, and by tests). */
void	 loop_defer_run(void);

/*
 * The SIP stack could not be shut down (its thread is stuck): leave the
 * root alone at loop_free, since destroying it under a live stack thread
 * would abort. The process is exiting anyway.
 */
void	 loop_abandon(void);

#endif
