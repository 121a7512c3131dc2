/*
 * test-log.c: the log file cannot fill a disk. Identical lines are
 * collapsed into counted summaries (one line repeating, lines taking
 * turns, the summary once a minute by an injected clock, a line back
 * after a quiet minute), Sofia's lines as well as ours, but not the SIP
 * messages of --trace; the file is rotated to FILE.1 at the cap, both
 * 0600, with standard error following; secrets stay masked.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "loop.h"
#include "tap.h"
#include "util.h"

static char		 dir[256];
static uint64_t		 now_ms;

static uint64_t
fake_now(void)
{
	return now_ms;
}

static char *
path(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

/* The file's lines without their timestamps ("tag text\n" each). */
static char *
bodies(const char *file)
{
	FILE	*f = fopen(file, "r"), *out;
	char	*buf = NULL, line[1024], *p;
	size_t	 len = 0;
	int	 i;

	out = open_memstream(&buf, &len);
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		/* "YYYY-MM-DD HH:MM:SS.mmm " */
		for (p = line, i = 0; i < 2 && (p = strchr(p, ' ')) != NULL;
		    i++)
			p++;
		fputs(p != NULL ? p : "?\n", out);
	}
	if (f != NULL)
		fclose(f);
	fclose(out);
	return buf;
}

static long
file_size(const char *file)
{
	struct stat	 sb;

	return stat(file, &sb) == 0 ? (long)sb.st_size : -1;
}

static int
file_mode(const char *file)
{
	struct stat	 sb;

	return stat(file, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

static int
count_lines(const char *file, const char *needle)
{
	FILE	*f = fopen(file, "r");
	char	 line[1024];
	int	 n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* What Sofia's logger hands us. */
static void
sofia(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_sofia(fmt, ap);
	va_end(ap);
}

static void
open_log(const char *file)
{
	char	*cause = NULL;

	if (log_open(file, &cause) != 0) {
		printf("Bail out! cannot open %s: %s\n", file, cause);
		exit(1);
	}
}

static void
test_collapse(void)
{
	char	*f = path("collapse.log"), *got;
	int	 i;

	open_log(f);
	for (i = 0; i < 1000; i++)
		log_info("account alice: registration failed");
	event_flush();
	got = bodies(f);
	is_str(got, "info account alice: registration failed\n",
	    "a line repeated 1000 times is written once");
	free(got);
	log_info("account alice: registered");
	got = bodies(f);
	is_str(got, "info account alice: registration failed\n"
	    "info (repeated 999 more times: account alice: registration failed)\n"
	    "info account alice: registered\n",
	    "a different line brings the count first, then itself");
	free(got);
	log_warn("disk %s", "full");
	log_warn("disk full");
	log_info("disk full");
	log_info("disk full");
	log_close();
	got = bodies(f);
	ok(strstr(got, "info account alice: registered\n"
	    "warning disk full\n"
	    "warning (repeated 1 more time: disk full)\n"
	    "info disk full\n"
	    "info (repeated 1 more time: disk full)\n") != NULL,
	    "the level is part of the line; close writes what is held back");
	free(got);
	free(f);
}

static void
test_minute(void)
{
	char	*f = path("minute.log"), *got;
	int	 k;

	open_log(f);
	now_ms = 1000000;
	log_warn("dns: no answer from 10.255.255.1");
	for (k = 1; k < 600; k++) {
		now_ms += 100;
		log_warn("dns: no answer from 10.255.255.1");
	}
	is_int(count_lines(f, "dns:"), 1, "59.9 s of repeats: one line");
	for (; k <= 1200; k++) {
		now_ms += 100;
		log_warn("dns: no answer from 10.255.255.1");
	}
	got = bodies(f);
	is_str(got, "warning dns: no answer from 10.255.255.1\n"
	    "warning (repeated 600 more times: dns: no answer from "
	    "10.255.255.1)\n", "after a minute, one summary");
	free(got);
	/* Quiet for a minute: the line is news again. */
	now_ms += 60000;
	log_warn("dns: no answer from 10.255.255.1");
	got = bodies(f);
	is_str(got, "warning dns: no answer from 10.255.255.1\n"
	    "warning (repeated 600 more times: dns: no answer from "
	    "10.255.255.1)\n"
	    "warning (repeated 600 more times: dns: no answer from "
	    "10.255.255.1)\n"
	    "warning dns: no answer from 10.255.255.1\n",
	    "the rest is counted, and the line after a quiet minute written");
	free(got);
	log_close();
	free(f);
}

static void
test_alternating(void)
{
	char	*f = path("alternating.log"), *got;
	int	 i;

	open_log(f);
	now_ms = 5000000;
	for (i = 0; i < 30000; i++) {
		now_ms += i % 7 == 0;
		if (i % 3 == 0)
			log_warn("tport: cannot send to 10.0.0.1");
		else if (i % 3 == 1)
			log_info("account alice: retrying");
		else
			sofia("nta: sresolv: %s\n", "timeout");
		if (i % 1000 == 0)
			event_flush();
	}
	log_close();
	got = bodies(f);
	is_str(got, "warning tport: cannot send to 10.0.0.1\n"
	    "info account alice: retrying\n"
	    "sip nta: sresolv: timeout\n"
	    "warning (repeated 9999 more times: tport: cannot send to "
	    "10.0.0.1)\n"
	    "info (repeated 9999 more times: account alice: retrying)\n"
	    "sip (repeated 9999 more times: nta: sresolv: timeout)\n",
	    "three lines taking turns: three lines and three counts");
	free(got);
	free(f);
}

static void
test_sofia_flood(void)
{
	char	*f = path("flood.log"), *got;
	int	 i;

	open_log(f);
	now_ms = 9000000;
	for (i = 0; i < 100000; i++) {
		/* 100,000 lines in 10 s, in two fragments each, as Sofia
		 * writes them. */
		if (i % 10 == 0)
			now_ms++;
		sofia("sres_sockaddr2string: %s", "unknown address family");
		sofia(" (10.255.255.1:53)\n");
	}
	ok(file_size(f) < 4096, "100,000 identical Sofia lines: %ld bytes",
	    file_size(f));
	log_close();
	got = bodies(f);
	is_str(got, "sip sres_sockaddr2string: unknown address family "
	    "(10.255.255.1:53)\n"
	    "sip (repeated 99999 more times: sres_sockaddr2string: unknown "
	    "address family (10.255.255.1:53))\n", "and the count is right");
	free(got);
	free(f);

	/* SIP messages (--trace) repeat header lines by nature: not
	 * limited. */
	f = path("trace.log");
	open_log(f);
	for (i = 0; i < 2; i++) {
		sofia("send 380 bytes to udp/[127.0.0.1]:5060 at "
		    "12:00:0%d.000000:\n", i);
		sofia("   ------------------------------------------------\n");
		sofia("   REGISTER sip:127.0.0.1 SIP/2.0\n");
		sofia("   Max-Forwards: 70\n");
		sofia("   ------------------------------------------------\n");
	}
	log_close();
	is_int(count_lines(f, "Max-Forwards: 70"), 2,
	    "a repeated header line of traced messages is written each time");
	is_int(count_lines(f, "repeated"), 0, "and nothing is counted");
	free(f);
}

static void
test_rotate(void)
{
	char	*f = path("rotate.log"), *old = path("rotate.log.1"), *got;
	char	*cut;
	int	 i, last_old, first_new, saved_err, fd;

	setenv("TSPHONE_LOG_MAX_BYTES", "4096", 1);
	/* Standard error into the log, as the screen does. */
	fd = open(f, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	saved_err = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	open_log(f);
	for (i = 0; i < 200; i++)
		log_info("line %03d: %s", i, "a distinct line of some length, "
		    "so that forty of them fill four kilobytes");
	event_flush();
	ok(file_size(f) > 0 && file_size(f) <= 4096, "%s: %ld bytes, within "
	    "the cap", "FILE", file_size(f));
	fprintf(stderr, "written to standard error\n");
	fflush(stderr);
	dup2(saved_err, STDERR_FILENO);
	close(saved_err);
	ok(file_size(old) > 4096 - 200 && file_size(old) <= 4096,
	    "FILE.1: %ld bytes, the cap less at most a line", file_size(old));
	is_int(file_mode(f), 0600, "FILE is 0600");
	is_int(file_mode(old), 0600, "FILE.1 is 0600");
	got = bodies(old);
	cut = strrchr(got, '\n');
	*cut = '\0';
	cut = strrchr(got, '\n');
	last_old = cut != NULL ? atoi(cut + 1 + strlen("info line ")) : -1;
	free(got);
	got = bodies(f);
	first_new = atoi(got + strlen("info line "));
	is_int(first_new, last_old + 1, "no line lost between FILE.1 and FILE");
	ok(strstr(got, "info line 199:") != NULL, "the newest line is in FILE");
	ok(count_lines(f, "written to standard error") == 1,
	    "standard error followed the log into the new FILE");
	free(got);
	log_close();

	/* A file already over the cap is rotated at the first line. */
	setenv("TSPHONE_LOG_MAX_BYTES", "100", 1);
	open_log(f);
	log_info("the first line after a restart");
	log_close();
	got = bodies(f);
	is_str(got, "info the first line after a restart\n",
	    "a file over the cap at start is rotated before the first line");
	free(got);
	ok(count_lines(old, "info line 199:") == 1, "its lines are in FILE.1");

	/* Nonsense in the variable: the 10 MiB default. */
	setenv("TSPHONE_LOG_MAX_BYTES", "ten", 1);
	open_log(f);
	for (i = 0; i < 100; i++)
		log_info("line %03d: %s", i, "a distinct line of some length, "
		    "so that forty of them fill four kilobytes");
	log_close();
	is_int(count_lines(f, "info line"), 100,
	    "an unreadable cap falls back to the default");
	unsetenv("TSPHONE_LOG_MAX_BYTES");
	free(f);
	free(old);
}

static void
test_secrets(void)
{
	char	*f = path("secrets.log"), *got;
	int	 i;

	open_log(f);
	for (i = 0; i < 3; i++)
		sofia("Authorization: Digest username=\"alice\", "
		    "response=\"6629fae49393a05397450978507c4ef1\", "
		    "cnonce=\"0a4f113b\"\n");
	sofia("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\n");
	log_close();
	got = bodies(f);
	ok(strstr(got, "6629fae4") == NULL && strstr(got, "0a4f113b") == NULL,
	    "digest response and cnonce never reach the file");
	ok(strstr(got, "PS1uQCVee") == NULL, "nor an SDES key");
	is_str(got, "sip Authorization: Digest username=\"alice\", "
	    "response=\"*\", cnonce=\"*\"\n"
	    "sip (repeated 2 more times: Authorization: Digest "
	    "username=\"alice\", response=\"*\", cnonce=\"*\")\n"
	    "sip a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:*|2^20|1:32\n",
	    "the summary quotes the masked line");
	free(got);
	free(f);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		*p;

	snprintf(dir, sizeof dir, "%s/test-log.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s\n", dir);
		return 1;
	}
	unsetenv("TSPHONE_LOG_MAX_BYTES");
	log_set_clock(fake_now);

	test_collapse();
	test_minute();
	test_alternating();
	test_sofia_flood();
	test_rotate();
	test_secrets();

	log_set_clock(NULL);
	event_flush();
	loop_defer_run();
	xasprintf(&p, "rm -rf '%s'", dir);
	if (system(p) != 0)
		printf("# could not remove %s\n", dir);
	free(p);
	return done_testing();
}
