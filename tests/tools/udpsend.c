/*
 * udpsend.c: test tool: send COUNT UDP datagrams from SRC to DST:PORT,
 * all on loopback. Without -f each is LEN bytes: an RTP version-2 header
 * and pseudo-random bytes (forged or tampered media). With -f, each is the
 * content of FILE with every "@N@" replaced by the datagram's number
 * (hostile SIP messages; unique Call-IDs for floods).
 *
 *   udpsend [-f FILE] SRC DST PORT [COUNT [LEN]]
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
	unsigned char		 buf[65536];
	char			*file = NULL, *tmpl = NULL, *p;
	size_t			 tlen = 0;
	int			 fd, count, len, i, j;

	if (argc > 2 && strcmp(argv[1], "-f") == 0) {
		FILE *f = fopen(argv[2], "rb");

		if (f == NULL) {
			perror(argv[2]);
			return 2;
		}
		tmpl = malloc(sizeof buf);
		tlen = tmpl != NULL ? fread(tmpl, 1, sizeof buf - 1, f) : 0;
		fclose(f);
		if (tmpl == NULL)
			return 2;
		tmpl[tlen] = '\0';
		file = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: udpsend [-f FILE] SRC DST PORT [COUNT [LEN]]\n");
		return 2;
	}
	count = argc > 4 ? atoi(argv[4]) : 1;
	len = argc > 5 ? atoi(argv[5]) : 172;
	if (len < 12 || len > 1500)
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
		if (file != NULL) {
			/* The template with @N@ replaced by i (binary-safe). */
			len = 0;
			for (p = tmpl; p < tmpl + tlen && len < (int)sizeof buf - 16; ) {
				if (p + 3 <= tmpl + tlen && memcmp(p, "@N@", 3) == 0) {
					len += snprintf((char *)buf + len, 16, "%d", i);
					p += 3;
				} else
					buf[len++] = (unsigned char)*p++;
			}
		} else {
			for (j = 0; j < len; j++)
				buf[j] = (unsigned char)rand();
			buf[0] = 0x80;		/* RTP version 2 */
			buf[1] = 0;		/* PCMU */
			buf[2] = (unsigned char)(i >> 8);
			buf[3] = (unsigned char)i;
		}
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&dst,
		    sizeof dst) != len) {
			perror("udpsend");
			return 1;
		}
	}
	close(fd);
	free(tmpl);
	return 0;
}
