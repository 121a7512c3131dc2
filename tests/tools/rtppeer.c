/*
 * rtppeer.c: test tool: a symmetric RTP peer as a NAT makes it look, for
 * the latching tests. For SECONDS it sends a PCMU sine of FREQ Hz, one
 * 20 ms packet at a time with one SSRC, from ADDR:PORT to DST:DPORT,
 * and an RTCP receiver report every second from PORT+1 to DPORT+1; what
 * comes back to PORT is decoded and written to OUT.wav (8 kHz, mono,
 * packets in arrival order). With -q SDPPORT it also binds that port (the
 * one its SDP names, which it does not send from) and counts what
 * arrives there. Each received RTP packet whose payload type is not
 * PCMU and that has no payload (a keep-alive) is printed as
 * "keepalive MS" (milliseconds since the start); at the end one line
 * "rtp N rtcp N sdp N keepalive N" counts what came to each port.
 *
 *   rtppeer [-s SSRC] [-f FREQ] [-q SDPPORT] ADDR PORT DST DPORT SECONDS OUT.wav
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RATE	8000
#define FRAME	160

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* G.711 mu-law, from the definition (ITU-T G.711): bias 0x84, 8
 * segments, bits inverted. */
static uint8_t
ulaw_enc(int16_t s)
{
	int	 sign = 0, v = s, seg, mask;

	if (v < 0) {
		v = -v;
		sign = 0x80;
	}
	if (v > 32635)
		v = 32635;
	v += 0x84;
	for (seg = 0, mask = 0x4000; seg < 7 && !(v & mask); seg++)
		mask >>= 1;
	seg = 7 - seg;
	return (uint8_t)~(sign | (seg << 4) | ((v >> (seg + 3)) & 0x0f));
}

static int16_t
ulaw_dec(uint8_t u)
{
	int	 v, seg;

	u = (uint8_t)~u;
	seg = (u >> 4) & 7;
	v = (((u & 0x0f) << 3) + 0x84) << seg;
	v -= 0x84;
	return (int16_t)((u & 0x80) ? -v : v);
}

static int
bind_udp(const char *addr, int port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
wav_header(FILE *f, uint32_t samples)
{
	uint8_t	 h[44];
	uint32_t data = samples * 2, v[] = { 36 + data, 16, RATE, RATE * 2 };

	memcpy(h, "RIFF", 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	memcpy(h + 36, "data", 4);
#define LE32(o, x) do { h[o] = (uint8_t)(x); h[o + 1] = (uint8_t)((x) >> 8); \
	h[o + 2] = (uint8_t)((x) >> 16); h[o + 3] = (uint8_t)((x) >> 24); } while (0)
	LE32(4, v[0]);
	LE32(16, v[1]);
	h[20] = 1; h[21] = 0;		/* PCM */
	h[22] = 1; h[23] = 0;		/* mono */
	LE32(24, v[2]);
	LE32(28, v[3]);
	h[32] = 2; h[33] = 0;
	h[34] = 16; h[35] = 0;
	LE32(40, data);
#undef LE32
	fseek(f, 0, SEEK_SET);
	fwrite(h, 1, sizeof h, f);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 dst, dstc;
	struct pollfd		 pfd[3];
	uint8_t			 pkt[1500];
	int16_t			 pcm;
	uint32_t		 ssrc = 0x5eed1234, ts = 1000, written = 0;
	uint16_t		 seq = 4000;
	uint64_t		 start, next, next_rr, end;
	unsigned long		 n_rtp = 0, n_rtcp = 0, n_sdp = 0, n_ka = 0;
	double			 freq = 1500, phase = 0;
	FILE			*out;
	ssize_t			 n;
	int			 sdp_port = 0, fd, cfd, sfd = -1, c, i, nfd, t;

	while ((c = getopt(argc, argv, "s:f:q:")) != -1) {
		switch (c) {
		case 's':
			ssrc = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			freq = atof(optarg);
			break;
		case 'q':
			sdp_port = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 6) {
usage:
		fprintf(stderr, "usage: rtppeer [-s SSRC] [-f FREQ] [-q SDPPORT] "
		    "ADDR PORT DST DPORT SECONDS OUT.wav\n");
		return 2;
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1)
		goto usage;
	dstc = dst;
	dstc.sin_port = htons((uint16_t)(atoi(argv[3]) + 1));
	fd = bind_udp(argv[0], atoi(argv[1]));
	cfd = bind_udp(argv[0], atoi(argv[1]) + 1);
	if (sdp_port != 0)
		sfd = bind_udp(argv[0], sdp_port);
	if (fd == -1 || cfd == -1 || (sdp_port != 0 && sfd == -1)) {
		perror("rtppeer: bind");
		return 1;
	}
	if ((out = fopen(argv[5], "wb")) == NULL) {
		perror(argv[5]);
		return 1;
	}
	wav_header(out, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	start = next = next_rr = now_ms();
	end = start + (uint64_t)(atof(argv[4]) * 1000);
	for (;;) {
		uint64_t now = now_ms();

		if (now >= end)
			break;
		while (now >= next) {
			/* One packet: header, then 160 mu-law samples. */
			pkt[0] = 0x80;
			pkt[1] = 0;
			pkt[2] = (uint8_t)(seq >> 8);
			pkt[3] = (uint8_t)seq;
			put32(pkt + 4, ts);
			put32(pkt + 8, ssrc);
			for (i = 0; i < FRAME; i++) {
				pkt[12 + i] = ulaw_enc((int16_t)(16000 *
				    sin(phase)));
				phase += 2 * M_PI * freq / RATE;
			}
			sendto(fd, pkt, 12 + FRAME, 0, (struct sockaddr *)&dst,
			    sizeof dst);
			seq++;
			ts += FRAME;
			next += 20;
		}
		if (now >= next_rr) {
			/* An empty receiver report: V=2, RC=0, PT=201, length 1. */
			pkt[0] = 0x80;
			pkt[1] = 201;
			pkt[2] = 0;
			pkt[3] = 1;
			put32(pkt + 4, ssrc);
			sendto(cfd, pkt, 8, 0, (struct sockaddr *)&dstc,
			    sizeof dstc);
			next_rr += 1000;
		}
		pfd[0].fd = fd;
		pfd[1].fd = cfd;
		pfd[2].fd = sfd;
		nfd = sfd != -1 ? 3 : 2;
		for (i = 0; i < nfd; i++)
			pfd[i].events = POLLIN;
		t = (int)((next < next_rr ? next : next_rr) - now);
		if (poll(pfd, (nfds_t)nfd, t > 0 ? t : 0) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			n = recv(fd, pkt, sizeof pkt, 0);
			if (n >= 12) {
				n_rtp++;
				if ((pkt[1] & 0x7f) != 0 && n == 12) {
					n_ka++;
					printf("keepalive %llu\n",
					    (unsigned long long)(now_ms() - start));
				} else if ((pkt[1] & 0x7f) == 0) {
					for (i = 12; i < n; i++) {
						pcm = ulaw_dec(pkt[i]);
						fwrite(&pcm, sizeof pcm, 1, out);
						written++;
					}
				}
			}
		}
		if ((pfd[1].revents & POLLIN) && recv(cfd, pkt, sizeof pkt, 0) >= 0)
			n_rtcp++;
		if (nfd == 3 && (pfd[2].revents & POLLIN) &&
		    recv(sfd, pkt, sizeof pkt, 0) >= 0)
			n_sdp++;
	}
	wav_header(out, written);
	fclose(out);
	printf("rtp %lu rtcp %lu sdp %lu keepalive %lu\n", n_rtp, n_rtcp, n_sdp,
	    n_ka);
	return 0;
}
