/*
 * model.h: what the model tests share: accounts built by hand (no config
 * parser), and a recorder on the event bus.
 */
#ifndef TSP_MODEL_H
#define TSP_MODEL_H

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "event.h"
#include "fakes.h"
#include "util.h"

#define MODEL_EVENTS_MAX	4096

static struct event	*model_ev;
static int		 model_nev;

static __attribute__((unused)) void
model_record(const struct event *ev, void *arg)
{
	(void)arg;
	if (model_nev < MODEL_EVENTS_MAX)
		model_ev[model_nev++] = *ev;
}

static __attribute__((unused)) void
model_start_recording(void)
{
	if (model_ev == NULL)
		model_ev = xcalloc(MODEL_EVENTS_MAX, sizeof *model_ev);
	model_nev = 0;
	event_observe(model_record, NULL);
}

static __attribute__((unused)) void
model_clear(void)
{
	fake_loop_run();
	model_nev = 0;
}

/* The last call event about call ID, or NULL. */
static __attribute__((unused)) const struct event_call *
model_call(int id)
{
	int	 i;

	fake_loop_run();	/* the bus delivers after the caller */

	for (i = model_nev - 1; i >= 0; i--) {
		if (model_ev[i].kind == EVENT_CALL && model_ev[i].u.call.id == id)
			return &model_ev[i].u.call;
	}
	return NULL;
}

/* How many events of KIND were recorded (since model_clear). */
static __attribute__((unused)) int
model_count(enum event_kind kind)
{
	int	 i, n = 0;

	fake_loop_run();	/* the bus delivers after the caller */

	for (i = 0; i < model_nev; i++)
		n += model_ev[i].kind == kind;
	return n;
}

/* The last event of KIND, or NULL. */
static __attribute__((unused)) const struct event *
model_last(enum event_kind kind)
{
	int	 i;

	fake_loop_run();	/* the bus delivers after the caller */

	for (i = model_nev - 1; i >= 0; i--) {
		if (model_ev[i].kind == kind)
			return &model_ev[i];
	}
	return NULL;
}

/* Was any log or error line containing TEXT recorded? */
static __attribute__((unused)) int
model_logged(const char *text)
{
	int	 i;

	fake_loop_run();	/* the bus delivers after the caller */

	for (i = 0; i < model_nev; i++) {
		if (model_ev[i].kind == EVENT_LOG &&
		    strstr(model_ev[i].u.log.text, text) != NULL)
			return 1;
		if (model_ev[i].kind == EVENT_ERROR &&
		    strstr(model_ev[i].u.error.message, text) != NULL)
			return 1;
	}
	return 0;
}

static __attribute__((unused)) struct conf_account *
model_conf_account(const char *name, const char *uri, int do_register)
{
	struct conf_account	*ca = xcalloc(1, sizeof *ca);

	ca->name = xstrdup(name);
	ca->uri = xstrdup(uri);
	ca->username = xstrdup(name);
	ca->password = xstrdup("secret");
	ca->registrar = xstrdup("sip:127.0.0.1");
	ca->do_register = do_register != 0;
	ca->expires = 600;
	ca->ncodecs = 1;
	return ca;
}

static __attribute__((unused)) void
model_conf_account_free(struct conf_account *ca)
{
	free(ca->name);
	free(ca->uri);
	free(ca->username);
	free(ca->password);
	free(ca->registrar);
	free(ca);
}

#endif
