/*
 * tls-check.c: an independent look at a TLS server's certificate with
 * OpenSSL, in a thread of its own so the loop never waits on a network
 * handshake. Its verdict is OpenSSL's: chain to the trusted CAs, dates,
 * and RFC 6125 name matching, IP addresses included (which Sofia-SIP's
 * own check cannot do).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "loop.h"
#include "tls-check.h"
#include "util.h"

#define TLS_CHECK_TIMEOUT_MS	4000
#define TLS_CHECK_REASON	256

struct tls_check {
	char			*host;
	int			 port;
	char			*ca_file;
	tls_check_h		 done;
	void			*arg;
	atomic_bool		 cancelled;

	pthread_t		 thread;
	int			 pipe[2];
	int			 fd_id;
	int			 result;
	char			 reason[TLS_CHECK_REASON];
	struct tls_check	*next;		/* checks not yet reaped */
};

static struct tls_check	*tls_check_live;	/* loop thread only */

static int
tls_check_ms_left(const struct timespec *deadline)
{
	struct timespec	 now;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

static int
tls_check_connect(const char *host, int port, const struct timespec *deadline,
    char *reason, size_t len)
{
	struct addrinfo	 hints, *ai, *a;
	struct pollfd	 pfd;
	char		 ps[16];
	int		 fd = -1, err, rc;
	socklen_t	 el = sizeof err;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof ps, "%d", port);
	if ((rc = getaddrinfo(host, ps, &hints, &ai)) != 0) {
		snprintf(reason, len, "TLS: cannot resolve %s: %s", host,
		    gai_strerror(rc));
		return -1;
	}
	for (a = ai; a != NULL; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, tls_check_ms_left(deadline)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
			    err == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd == -1)
		snprintf(reason, len, "TLS: cannot connect to %s:%d", host, port);
	return fd;
}

/* Plain words for what OpenSSL found wrong with the certificate. */
static void
tls_check_verdict(long v, const char *host, char *reason, size_t len)
{
	switch (v) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		snprintf(reason, len, "TLS: the certificate of %s has expired", host);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(reason, len, "TLS: the certificate of %s is not valid yet",
		    host);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		snprintf(reason, len, "TLS: the certificate of %s is self-signed "
		    "and not trusted", host);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		snprintf(reason, len, "TLS: the certificate of %s is from an "
		    "unknown issuer", host);
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(reason, len, "TLS: the certificate does not match host %s",
		    host);
		break;
	case X509_V_ERR_CERT_REVOKED:
		snprintf(reason, len, "TLS: the certificate of %s is revoked", host);
		break;
	default:
		snprintf(reason, len, "TLS: certificate of %s refused: %s", host,
		    X509_verify_cert_error_string(v));
		break;
	}
}

int
tls_check_run(const char *host, int port, const char *ca_file, int timeout_ms,
    char *reason, size_t len)
{
	struct timespec		 deadline;
	struct in6_addr		 ip6;
	struct in_addr		 ip4;
	struct pollfd		 pfd;
	SSL_CTX			*ctx = NULL;
	SSL			*ssl = NULL;
	X509_VERIFY_PARAM	*vp;
	X509			*cert;
	long			 v;
	bool			 ip;
	int			 fd, rc = -1, r, e;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	ip = inet_pton(AF_INET, host, &ip4) == 1 || inet_pton(AF_INET6, host, &ip6) == 1;
	if ((fd = tls_check_connect(host, port, &deadline, reason, len)) == -1)
		return TLS_CHECK_UNREACHABLE;

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		goto fail_ssl;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(reason, len, "TLS: cannot load the CA certificates%s%s",
		    ca_file != NULL ? " from " : "", ca_file != NULL ? ca_file : "");
		goto out;
	}
	/* Verify after the handshake, to say exactly what is wrong. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if ((ssl = SSL_new(ctx)) == NULL)
		goto fail_ssl;
	vp = SSL_get0_param(ssl);
	if (ip)
		X509_VERIFY_PARAM_set1_ip_asc(vp, host);
	else {
		X509_VERIFY_PARAM_set1_host(vp, host, 0);
		SSL_set_tlsext_host_name(ssl, host);
	}
	SSL_set_fd(ssl, fd);
	for (;;) {
		r = SSL_connect(ssl);
		if (r == 1)
			break;
		e = SSL_get_error(ssl, r);
		pfd.fd = fd;
		pfd.events = e == SSL_ERROR_WANT_READ ? POLLIN :
		    e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
		if (pfd.events == 0) {
			snprintf(reason, len, "TLS: handshake with %s:%d failed",
			    host, port);
			rc = TLS_CHECK_UNREACHABLE;
			goto out;
		}
		if (poll(&pfd, 1, tls_check_ms_left(&deadline)) != 1) {
			snprintf(reason, len, "TLS: no handshake with %s:%d (timeout)",
			    host, port);
			rc = TLS_CHECK_UNREACHABLE;
			goto out;
		}
	}
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL) {
		snprintf(reason, len, "TLS: %s sent no certificate", host);
		goto out;
	}
	X509_free(cert);
	v = SSL_get_verify_result(ssl);
	if (v != X509_V_OK) {
		tls_check_verdict(v, host, reason, len);
		goto out;
	}
	rc = TLS_CHECK_OK;
	*reason = '\0';
	goto out;

fail_ssl:
	snprintf(reason, len, "TLS: %s", ERR_reason_error_string(ERR_get_error()));
out:
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return rc;
}

static void *
tls_check_main(void *arg)
{
	struct tls_check	*tc = arg;
	char			 one = 1;

	pthread_setname_np(pthread_self(), "tsp-tls-check");
	tc->result = tls_check_run(tc->host, tc->port, tc->ca_file,
	    TLS_CHECK_TIMEOUT_MS, tc->reason, sizeof tc->reason);
	if (write(tc->pipe[1], &one, 1) < 0) {
		/* The loop side is gone; nothing to tell. */
	}
	return NULL;
}

static void
tls_check_free(struct tls_check *tc)
{
	struct tls_check	**pp;

	for (pp = &tls_check_live; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == tc) {
			*pp = tc->next;
			break;
		}
	}
	free(tc->host);
	free(tc->ca_file);
	close(tc->pipe[0]);
	close(tc->pipe[1]);
	free(tc);
}

/* Loop thread: the checker is done. */
static void
tls_check_ready(int fd, void *arg)
{
	struct tls_check	*tc = arg;
	char			 c;

	if (read(fd, &c, 1) < 0 && errno == EAGAIN)
		return;
	loop_fd_remove(tc->fd_id);
	pthread_join(tc->thread, NULL);
	if (!atomic_load(&tc->cancelled))
		tc->done(tc->arg, tc->result, tc->reason);
	tls_check_free(tc);
}

struct tls_check *
tls_check_start(const char *host, int port, const char *ca_file,
    tls_check_h done, void *arg, char **cause)
{
	struct tls_check	*tc = xcalloc(1, sizeof *tc);
	int			 rc;

	tc->host = xstrdup(host);
	tc->port = port;
	tc->ca_file = ca_file != NULL ? xstrdup(ca_file) : NULL;
	tc->done = done;
	tc->arg = arg;
	atomic_init(&tc->cancelled, false);
	if (pipe2(tc->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		xasprintf(cause, "tls check: %s", strerror(errno));
		free(tc->host);
		free(tc->ca_file);
		free(tc);
		return NULL;
	}
	tc->fd_id = loop_fd_add(tc->pipe[0], tls_check_ready, tc);
	if (tc->fd_id < 0) {
		xasprintf(cause, "tls check: %s", strerror(-tc->fd_id));
		tls_check_free(tc);
		return NULL;
	}
	if ((rc = pthread_create(&tc->thread, NULL, tls_check_main, tc)) != 0) {
		xasprintf(cause, "tls check: %s", strerror(rc));
		loop_fd_remove(tc->fd_id);
		tls_check_free(tc);
		return NULL;
	}
	tc->next = tls_check_live;
	tls_check_live = tc;
	return tc;
}

void
tls_check_shutdown(void)
{
	struct tls_check	*tc;

	/* Each checker ends within its own timeout. */
	while ((tc = tls_check_live) != NULL) {
		loop_fd_remove(tc->fd_id);
		pthread_join(tc->thread, NULL);
		tls_check_free(tc);
	}
}

void
tls_check_cancel(struct tls_check *tc)
{
	if (tc != NULL)
		atomic_store(&tc->cancelled, true);
}
