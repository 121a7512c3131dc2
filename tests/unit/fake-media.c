/*
 * fake-media.c: media.h without sockets or threads (fakes.h). A stream
 * remembers what the call model set on it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "fakes.h"
#include "media.h"
#include "util.h"

struct media {
	int		 id;
	int		 port;
	bool		 active;
	bool		 muted;
	bool		 recording;
	int		 updates;
	bool		 stun;		/* media_stun was asked */
	char		 stun_server[80];
	struct media	*conf;		/* the other leg of the conference */
	struct media	*next;
};

static struct media		*streams;
static struct media_handlers	 handlers;
static enum media_tone		 tone;
static int			 next_port = 40000;
bool				 fake_media_fail_new, fake_media_fail_dtmf;

int
media_init(const struct conf *conf, const struct media_handlers *h,
    char **cause)
{
	(void)conf;
	(void)cause;
	handlers = *h;
	return 0;
}

void
media_shutdown(void)
{
	while (streams != NULL)
		media_free(streams);
}

struct media *
media_new(int id, const char *addr, char **cause)
{
	struct media	*m;

	(void)addr;
	if (fake_media_fail_new) {
		fake_media_fail_new = false;
		*cause = xstrdup("no port");
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->id = id;
	m->port = next_port += 2;
	m->next = streams;
	streams = m;
	return m;
}

int	 media_local_port(const struct media *m) { return m->port; }

int
media_stun(struct media *m, const char *addr, int port, char **cause)
{
	if (strchr(addr, ':') != NULL) {
		*cause = xstrdup("STUN server is IPv6, the media socket is not");
		return -1;
	}
	m->stun = true;
	snprintf(m->stun_server, sizeof m->stun_server, "%s:%d", addr, port);
	return 0;
}

bool
fake_media_stun_asked(int id, char *server, size_t len)
{
	struct media	*m = fake_media_of(id);

	if (m == NULL || !m->stun)
		return false;
	snprintf(server, len, "%s", m->stun_server);
	return true;
}

void
fake_media_stun_answer(int id, const struct media_stun_result *r)
{
	handlers.stun(id, r, handlers.arg);
	fake_loop_run();
}
const char *media_local_addr(const struct media *m) { (void)m; return "127.0.0.1"; }

int
media_update(struct media *m, const struct media_params *p, char **cause)
{
	(void)p;
	(void)cause;
	m->updates++;
	return 0;
}

void	 media_set_active(struct media *m, bool on) { m->active = on; }

/* One conference at a time, as the engine has. */
int
media_conference(struct media *a, struct media *b, char **cause)
{
	struct media	*m;

	if (a == NULL || b == NULL || a == b) {
		*cause = xstrdup("a conference needs two calls");
		return -1;
	}
	for (m = streams; m != NULL; m = m->next)
		m->conf = NULL;
	a->conf = b;
	b->conf = a;
	return 0;
}

void
media_split(struct media *m)
{
	if (m != NULL && m->conf != NULL) {
		m->conf->conf = NULL;
		m->conf = NULL;
	}
}
void	 media_set_mute(struct media *m, bool on) { m->muted = on; }

int
media_send_dtmf(struct media *m, const char *digits, char **cause)
{
	(void)m;
	(void)digits;
	if (fake_media_fail_dtmf) {
		*cause = xstrdup("no telephone-event");
		return -1;
	}
	return 0;
}

void
media_stats(struct media *m, struct event_stats *st)
{
	memset(st, 0, sizeof *st);
	st->id = m->id;
	st->rtt_ms = -1;
}

void
media_free(struct media *m)
{
	struct media	**pp;

	media_split(m);
	for (pp = &streams; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	free(m);
}

int	 media_list_devices(FILE *f, char **cause) { (void)f; (void)cause; return 0; }

/* Audio settings: remembered, as the engine would. */
static int	 fake_volume[2];
static bool	 fake_echotest;
bool		 fake_media_fail_device;

void	 media_levels(float *in, float *out) { *in = *out = -90.0f; }
void	 media_set_volume(bool input, int db) { fake_volume[input] = db; }
int	 media_volume(bool input) { return fake_volume[input]; }
bool	 media_echotest_running(void) { return fake_echotest; }

int
media_echotest(bool on, char **cause)
{
	struct media	*m;

	if (!on && !fake_echotest) {
		*cause = xstrdup("no echo test is running");
		return -1;
	}
	for (m = streams; on && m != NULL; m = m->next) {
		if (m->active) {
			*cause = xstrdup("a call has the audio device: hold it "
			    "first");
			return -1;
		}
	}
	fake_echotest = on;
	return 0;
}

int
media_record_start(struct media *m, const char *path, char **cause)
{
	(void)path;
	if (m->recording) {
		*cause = xstrdup("recording already");
		return -1;
	}
	m->recording = true;
	return 0;
}

int
media_record_stop(struct media *m, char **cause)
{
	if (!m->recording) {
		*cause = xstrdup("not recording");
		return -1;
	}
	m->recording = false;
	return 0;
}

bool	 media_recording(const struct media *m) { return m->recording; }

char *
media_record_path(const char *dir, int id, const char *remote, time_t now)
{
	char	*p;

	(void)now;
	xasprintf(&p, "%s/recordings/%d-%s.wav", dir, id, remote);
	return p;
}

int
media_set_device(bool input, const char *name, char **cause)
{
	(void)input;
	if (fake_media_fail_device) {
		xasprintf(cause, "no device \"%s\"", name);
		return -1;
	}
	return 0;
}
void	 media_set_tone(enum media_tone t) { tone = t; }

struct media *
fake_media_of(int id)
{
	struct media	*m;

	for (m = streams; m != NULL; m = m->next) {
		if (m->id == id)
			return m;
	}
	return NULL;
}

bool
fake_media_active(int id)
{
	struct media	*m = fake_media_of(id);

	return m != NULL && m->active;
}

bool
fake_media_muted(int id)
{
	struct media	*m = fake_media_of(id);

	return m != NULL && m->muted;
}

bool
fake_media_recording(int id)
{
	struct media	*m = fake_media_of(id);

	return m != NULL && m->recording;
}

int
fake_media_conference(int id)
{
	struct media	*m = fake_media_of(id);

	return m != NULL && m->conf != NULL ? m->conf->id : 0;
}

int
fake_media_updates(int id)
{
	struct media	*m = fake_media_of(id);

	return m != NULL ? m->updates : -1;
}

enum media_tone	 fake_media_tone(void) { return tone; }

int
fake_media_streams(void)
{
	struct media	*m;
	int		 n = 0;

	for (m = streams; m != NULL; m = m->next)
		n++;
	return n;
}

void
fake_media_timeout(int id)
{
	handlers.timeout(id, handlers.arg);
	fake_loop_run();
}

void
fake_media_dtmf(int id, char digit)
{
	handlers.dtmf(id, digit, handlers.arg);
	fake_loop_run();
}
