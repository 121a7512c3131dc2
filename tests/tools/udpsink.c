/*
 * udpsink.c: test tool: a UDP server that never answers (a silent DNS
 * server). Binds ADDR:PORT, then reads and drops datagrams until killed,
 * printing one line per datagram so a test can see it was asked.
 *
 *   udpsink ADDR PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	unsigned char		 buf[65536];
	ssize_t			 n;
	int			 fd;

	if (argc != 3) {
		fprintf(stderr, "usage: udpsink ADDR PORT\n");
		return 2;
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "udpsink: bad address %s\n", argv[1]);
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("udpsink");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n >= 0)
			printf("datagram %zd bytes\n", n);
	}
}
