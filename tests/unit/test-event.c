/*
 * test-event.c: the event bus: delivery after the emitter has returned,
 * in order, to every observer; observers that emit or leave while events
 * are delivered.
 */
#include "config.h"

#include <string.h>

#include "event.h"
#include "fakes.h"
#include "tap.h"

static int	 seen_a[16], na;
static int	 seen_b[16], nb;
static int	 obs_b;

static void
obs_a(const struct event *ev, void *arg)
{
	(void)arg;
	if (na < 16)
		seen_a[na++] = ev->u.call.id;
	/* An observer that emits: its event goes to the back. */
	if (ev->u.call.id == 2) {
		struct event	 e;

		memset(&e, 0, sizeof e);
		e.kind = EVENT_CALL;
		e.u.call.id = 9;
		event_emit(&e);
	}
}

static void
obs_bf(const struct event *ev, void *arg)
{
	(void)arg;
	if (nb < 16)
		seen_b[nb++] = ev->u.call.id;
	if (ev->u.call.id == 9)
		event_unobserve(obs_b);
}

static void
emit(int id)
{
	struct event	 e;

	memset(&e, 0, sizeof e);
	e.kind = EVENT_CALL;
	e.u.call.id = id;
	event_emit(&e);
}

int
main(void)
{
	event_observe(obs_a, NULL);
	obs_b = event_observe(obs_bf, NULL);
	emit(1);
	emit(2);
	emit(3);
	is_int(na + nb, 0, "nothing is delivered inside the emitter");
	fake_loop_run();
	is_int(na, 4, "the first observer got every event, its own included");
	ok(seen_a[0] == 1 && seen_a[1] == 2 && seen_a[2] == 3 && seen_a[3] == 9,
	    "in order, an observer's event last");
	is_int(nb, 4, "the second observer got the same");
	ok(seen_b[0] == 1 && seen_b[3] == 9, "in the same order");
	emit(4);
	event_flush();
	is_int(na, 5, "event_flush delivers at once");
	is_int(nb, 4, "an observer that left gets nothing more");
	is_str(event_transfer_state_name(TRANSFER_RINGING), "ringing",
	    "transfer state names");
	is_str(event_call_state_name(CALL_HELD), "held", "call state names");
	is_str(event_reg_state_name(REG_FAILED), "failed", "registration names");
	is_str(event_log_level_name(LOG_LEVEL_WARN), "warning", "level names");
	event_error("dial", "no %s", "account");
	event_flush();
	return done_testing();
}
