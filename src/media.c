/*
 * media.c: media streams and the media thread (work in progress: sockets
 * and the thread; the RTP engine is being integrated).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "media.h"
#include "util.h"

struct media {
	int			 id;
	int			 rtp_fd;
	int			 rtcp_fd;
	char			 addr[64];
	int			 port;
	struct media_params	 params;
	bool			 active;
	bool			 muted;
};

int
media_init(const struct conf *conf, char **cause)
{
	return 0;
}

void
media_shutdown(void)
{
}

/* Bind a UDP socket on ADDR:PORT. */
static int
media_bind(const char *addr, int port)
{
	struct addrinfo	 hints, *ai;
	char		 ps[16];
	int		 fd;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	snprintf(ps, sizeof ps, "%d", port);
	if (getaddrinfo(addr, ps, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1 && bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

struct media *
media_new(int call_id, const char *addr, char **cause)
{
	struct media	*m;
	int		 tries, port;

	m = xcalloc(1, sizeof *m);
	m->id = call_id;
	util_strlcpy(m->addr, addr, sizeof m->addr);
	for (tries = 0; tries < 100; tries++) {
		port = 16384 + 2 * (int)(random() % 8192);
		m->rtp_fd = media_bind(addr, port);
		if (m->rtp_fd == -1)
			continue;
		m->rtcp_fd = media_bind(addr, port + 1);
		if (m->rtcp_fd != -1) {
			m->port = port;
			return m;
		}
		close(m->rtp_fd);
	}
	xasprintf(cause, "cannot bind RTP/RTCP ports on %s", addr);
	free(m);
	return NULL;
}

int
media_local_port(const struct media *m)
{
	return m->port;
}

const char *
media_local_addr(const struct media *m)
{
	return m->addr;
}

int
media_update(struct media *m, const struct media_params *p, char **cause)
{
	m->params = *p;
	return 0;
}

void
media_set_active(struct media *m, bool active)
{
	m->active = active;
}

void
media_set_mute(struct media *m, bool mute)
{
	m->muted = mute;
}

int
media_send_dtmf(struct media *m, const char *digits, char **cause)
{
	*cause = xstrdup("RFC 4733 sending is not integrated yet");
	return -1;
}

void
media_free(struct media *m)
{
	close(m->rtp_fd);
	close(m->rtcp_fd);
	free(m);
}

void
media_set_tone(enum media_tone tone)
{
}
