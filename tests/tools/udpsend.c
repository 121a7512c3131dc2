/*
 * udpsend.c: test tool: send COUNT UDP datagrams of LEN bytes (an RTP
 * version-2 header, then pseudo-random bytes) from SRC to DST:PORT, all
 * on loopback. Used to throw forged or tampered packets at a call.
 *
 *   udpsend SRC DST PORT [COUNT [LEN]]
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
	struct sockaddr_in	 src, dst;
	unsigned char		 buf[1500];
	int			 fd, count, len, i, j;

	if (argc < 4) {
		fprintf(stderr, "usage: udpsend SRC DST PORT [COUNT [LEN]]\n");
		return 2;
	}
	count = argc > 4 ? atoi(argv[4]) : 1;
	len = argc > 5 ? atoi(argv[5]) : 172;
	if (len < 12 || len > (int)sizeof buf)
		len = 172;
	memset(&src, 0, sizeof src);
	memset(&dst, 0, sizeof dst);
	src.sin_family = dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[1], &src.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1 ||
	    (ntohl(src.sin_addr.s_addr) >> 24) != 127 ||
	    (ntohl(dst.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "udpsend: loopback (127/8) addresses only\n");
		return 2;
	}
	dst.sin_port = htons((unsigned short)atoi(argv[3]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
		perror("udpsend");
		return 1;
	}
	srand(3711);
	for (i = 0; i < count; i++) {
		for (j = 0; j < len; j++)
			buf[j] = (unsigned char)rand();
		buf[0] = 0x80;		/* RTP version 2 */
		buf[1] = 0;		/* PCMU */
		buf[2] = (unsigned char)(i >> 8);
		buf[3] = (unsigned char)i;
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&dst,
		    sizeof dst) != len) {
			perror("udpsend");
			return 1;
		}
	}
	close(fd);
	return 0;
}
