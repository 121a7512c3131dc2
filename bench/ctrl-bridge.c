/*
 * ctrl-bridge.c: benchmark helper. Lets a shell script drive baresip
 * through its ctrl_tcp module the way tests/lib.sh drives tsphone's line
 * mode: each line read on stdin is sent as one netstring ("LEN:TEXT,", the
 * module's framing; the text is a JSON command), and each netstring
 * baresip sends (responses and events, JSON) is printed as one line.
 *
 *   ctrl-bridge PORT [TIMEOUT_MS]
 *
 * Connects to 127.0.0.1:PORT, retrying for up to TIMEOUT_MS (5000) while
 * baresip starts. Ends on end of input or when baresip closes the
 * connection; exit status 1 if it could not connect or the framing broke.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BRIDGE_MAX	65536		/* longest message either way */

static double
bridge_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
bridge_connect(int port, double timeout_ms)
{
	struct sockaddr_in	 sin;
	double			 end = bridge_now_ms() + timeout_ms;
	int			 s;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		if (connect(s, (struct sockaddr *)&sin, sizeof sin) == 0)
			return s;
		close(s);
		if (bridge_now_ms() >= end)
			return -1;
		poll(NULL, 0, 50);
	}
}

static int
bridge_write(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Print every whole netstring at the start of buf; keep the rest. */
static int
bridge_frames(char *buf, size_t *len)
{
	size_t	i, n, start;

	for (;;) {
		n = 0;
		for (i = 0; i < *len && buf[i] >= '0' && buf[i] <= '9'; i++) {
			n = n * 10 + (size_t)(buf[i] - '0');
			if (n > BRIDGE_MAX)
				return -1;
		}
		if (i == *len)
			return 0;		/* the length is not all here */
		if (i == 0 || buf[i] != ':')
			return -1;
		start = i + 1;
		if (*len < start + n + 1)
			return 0;
		if (buf[start + n] != ',')
			return -1;
		fwrite(buf + start, 1, n, stdout);
		putchar('\n');
		fflush(stdout);
		memmove(buf, buf + start + n + 1, *len - start - n - 1);
		*len -= start + n + 1;
	}
}

int
main(int argc, char **argv)
{
	static char	 in[BRIDGE_MAX], net[BRIDGE_MAX + 16], frame[BRIDGE_MAX + 16];
	size_t		 inlen = 0, netlen = 0, m;
	struct pollfd	 p[2];
	char		*nl;
	ssize_t		 n;
	int		 s;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: ctrl-bridge PORT [TIMEOUT_MS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	s = bridge_connect(atoi(argv[1]), argc > 2 ? atof(argv[2]) : 5000);
	if (s < 0) {
		fprintf(stderr, "ctrl-bridge: cannot connect to 127.0.0.1:%s\n",
		    argv[1]);
		return 1;
	}
	p[0].fd = 0;
	p[1].fd = s;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents != 0) {
			n = read(s, net + netlen, sizeof net - netlen);
			if (n <= 0)
				return 0;
			netlen += (size_t)n;
			if (bridge_frames(net, &netlen) != 0) {
				fprintf(stderr, "ctrl-bridge: bad netstring\n");
				return 1;
			}
		}
		if (p[0].revents != 0) {
			n = read(0, in + inlen, sizeof in - inlen);
			if (n <= 0)
				return 0;
			inlen += (size_t)n;
			while ((nl = memchr(in, '\n', inlen)) != NULL) {
				m = (size_t)(nl - in);
				n = snprintf(frame, sizeof frame, "%zu:", m);
				memcpy(frame + n, in, m);
				frame[n + m] = ',';
				if (m > 0 && bridge_write(s, frame,
				    (size_t)n + m + 1) != 0)
					return 1;
				memmove(in, nl + 1, inlen - m - 1);
				inlen -= m + 1;
			}
			if (inlen == sizeof in) {
				fprintf(stderr, "ctrl-bridge: line too long\n");
				return 1;
			}
		}
	}
}
