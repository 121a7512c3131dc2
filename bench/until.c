/*
 * until.c: benchmark helper. Runs a command with a pipe on its stdin and
 * stdout, prints the milliseconds from fork to the first output line
 * containing PATTERN, then sends "quit", closes stdin and waits for it.
 *
 *   until TIMEOUT_MS PATTERN CMD [ARGS...]
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	int	 in[2], out[2], status, found = 0;
	char	 buf[65536];
	size_t	 len = 0;
	double	 t0, deadline;
	pid_t	 pid;

	if (argc < 4) {
		fprintf(stderr, "usage: until TIMEOUT_MS PATTERN CMD [ARGS...]\n");
		return 2;
	}
	if (pipe(in) != 0 || pipe(out) != 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	t0 = now_ms();
	deadline = t0 + atof(argv[1]);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	while (!found && now_ms() < deadline) {
		struct pollfd	 p = { out[0], POLLIN, 0 };
		ssize_t		 n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = read(out[0], buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, argv[2]) != NULL) {
			printf("%.2f\n", now_ms() - t0);
			found = 1;
		}
		if (len > sizeof buf / 2) {
			/* keep the tail only */
			memmove(buf, buf + len - 1024, 1024);
			len = 1024;
		}
	}
	if (write(in[1], "quit\n", 5) < 0)
		perror("write");
	close(in[1]);
	while (read(out[0], buf, sizeof buf) > 0)
		;
	waitpid(pid, &status, 0);
	return found ? 0 : 1;
}
