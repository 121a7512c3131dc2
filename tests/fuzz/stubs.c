/*
 * stubs.c: stand-ins for the running core (phone.c, call.c) in the
 * fuzzers that link cmd.c (fuzz-cmd, and fuzz-conf through the [keys]
 * table). Linking the real files would drag in Sofia's stack, the media
 * engine and the audio drivers, none of which a parser fuzzer may start.
 *
 * They behave as the real ones do before phone_start() or while quitting:
 * phone_running() is false, the phone_* commands fail with the same
 * cause, and there are no calls. The call_* commands are reachable only
 * with a call in hand, which no stub ever returns; reaching one means
 * cmd.c acted on a call without checking that the phone runs, so it
 * aborts and the fuzzer reports it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "history.h"
#include "loop.h"
#include "phone.h"
#include "util.h"

static int
stub_not_running(char **cause)
{
	*cause = xstrdup("the phone is not running");
	return -1;
}

static void
stub_unreachable(const char *fn)
{
	fprintf(stderr, "stubs.c: %s reached with no phone running\n", fn);
	abort();
}

bool
phone_running(void)
{
	return false;
}

int
phone_dial(const char *target, const char *account, char **cause)
{
	return stub_not_running(cause);
}

/* No accounts before phone_start. */
struct account *
phone_account(const char *name, char **cause)
{
	xasprintf(cause, "no account \"%s\"", name != NULL ? name : "");
	return NULL;
}

int
phone_set_default(const char *name, char **cause)
{
	return stub_not_running(cause);
}

int
phone_register(const char *account, char **cause)
{
	return stub_not_running(cause);
}

int
phone_unregister(const char *account, char **cause)
{
	return stub_not_running(cause);
}

/* No accounts and no calls: nothing to report. */
void
phone_status(void)
{
}

/* Before phone_start the real one only breaks the (unstarted) loop. */
void
phone_quit(void)
{
}

struct call *
call_first(void)
{
	return NULL;
}

struct call *
call_find(int id)
{
	return NULL;
}

struct call *
call_current(void)
{
	return NULL;
}

struct call *
call_resolve(const char *id, char **cause)
{
	*cause = xstrdup("no such call");
	return NULL;
}

int
call_switch(struct call *c, char **cause)
{
	stub_unreachable("call_switch");
	return -1;
}

int
call_answer(struct call *c, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_reject(struct call *c, int code, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_hangup(struct call *c, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_hold(struct call *c, bool hold, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_mute(struct call *c, bool mute, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_dtmf(struct call *c, const char *digits, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_transfer(struct call *c, const char *target, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_transfer_attended(struct call *c, struct call *to, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_refer_answer(struct call *c, bool accept, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_conference(struct call *held, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
call_split(struct call *c, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

/*
 * The event bus defers delivery to the loop; a fuzzer has no loop, so
 * deferred jobs run at once (nothing observes the bus here anyway).
 */
void
loop_defer(loop_defer_h fn, void *arg)
{
	fn(arg);
}

int
call_record(struct call *c, bool on, char **cause)
{
	stub_unreachable(__func__);
	return -1;
}

int
phone_echotest(const char *arg, char **cause)
{
	return stub_not_running(cause);
}

int
phone_volume(bool input, const char *spec, char **cause)
{
	return stub_not_running(cause);
}

int
phone_device(bool input, const char *name, char **cause)
{
	return stub_not_running(cause);
}

/*
 * contacts.c watches its files through the loop; no fuzzer starts that
 * (contacts_start), so reaching these is a bug.
 */
struct loop_timer *
loop_timer_new(loop_timer_h cb, void *arg)
{
	stub_unreachable(__func__);
	return NULL;
}

void
loop_timer_start(struct loop_timer *t, unsigned int ms)
{
	stub_unreachable(__func__);
}

void
loop_timer_free(struct loop_timer *t)
{
	stub_unreachable(__func__);
}

int
loop_fd_add(int fd, loop_fd_h cb, void *arg)
{
	stub_unreachable(__func__);
	return -1;
}

void
loop_fd_remove(int id)
{
	stub_unreachable(__func__);
}

int
phone_dnd(const char *arg, const char *account, char **cause)
{
	return stub_not_running(cause);
}

int
phone_forward(const char *target, const char *account, char **cause)
{
	return stub_not_running(cause);
}

int
phone_watch(const char *uri, const char *account, char **cause)
{
	return stub_not_running(cause);
}

int
phone_unwatch(const char *uri, const char *account, char **cause)
{
	return stub_not_running(cause);
}

int
phone_voicemail(const char *account, char **cause)
{
	return stub_not_running(cause);
}

int
phone_presence(const char *state, const char *note, char **cause)
{
	return stub_not_running(cause);
}

int
phone_message(const char *target, const char *account, const char *text,
    char **cause)
{
	return stub_not_running(cause);
}
