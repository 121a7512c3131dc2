/*
 * fuzz-conf.c: the configuration file parser (src/conf.c, with the key
 * names of key-string.c, the URI checks of sip-uri.c and the command
 * table of cmd.c that [keys] refers to).
 *
 * conf_load takes a path, so the input goes into a memfd with mode 0600
 * (the permission rule would otherwise turn every file with a password
 * into the same error) and is loaded as /proc/self/fd/N. The memfd is
 * made once and rewritten for each input; nothing touches the disk.
 *
 * A load must succeed with a configuration or fail with at least one
 * error, each with a message and a line within the file; errors are
 * printed (to /dev/null) as the program would print them.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#include "fuzz.h"

static int	 fuzz_conf_fd = -1;
static char	 fuzz_conf_path[64];
static FILE	*fuzz_conf_null;

static void
fuzz_conf_setup(void)
{
	fuzz_conf_fd = memfd_create("fuzz-conf", MFD_CLOEXEC);
	if (fuzz_conf_fd == -1 || fchmod(fuzz_conf_fd, 0600) != 0) {
		perror("fuzz-conf: memfd_create");
		abort();
	}
	snprintf(fuzz_conf_path, sizeof fuzz_conf_path, "/proc/self/fd/%d",
	    fuzz_conf_fd);
	if ((fuzz_conf_null = fopen("/dev/null", "w")) == NULL)
		abort();
}

static void
fuzz_conf_check(const struct conf *conf)
{
	const struct conf_account	*a;
	int				 n = 0, i;

	for (a = conf->accounts; a != NULL; a = a->next, n++) {
		FUZZ_CHECK(a->name != NULL && a->uri != NULL);
		FUZZ_CHECK(a->ncodecs >= 1 && a->ncodecs <= CONF_MAX_CODECS);
		FUZZ_CHECK(conf_find_account(conf, a->name) != NULL);
	}
	FUZZ_CHECK(n == conf->naccounts && n >= 1);
	FUZZ_CHECK(conf->nbindings >= 0);
	for (i = 0; i < conf->nbindings; i++)
		FUZZ_CHECK(conf->bindings[i].name != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf		*conf = NULL;
	struct conf_error	*errs = NULL, *e;
	int			 rc, lines = 1;
	size_t			 i;

	if (fuzz_conf_fd == -1)
		fuzz_conf_setup();
	if (ftruncate(fuzz_conf_fd, 0) != 0 ||
	    pwrite(fuzz_conf_fd, data, size, 0) != (ssize_t)size) {
		perror("fuzz-conf: write");
		abort();
	}
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';

	rc = conf_load(fuzz_conf_path, &conf, &errs);
	if (rc == 0) {
		FUZZ_CHECK(conf != NULL && errs == NULL);
		fuzz_conf_check(conf);
		conf_free(conf);
	} else {
		FUZZ_CHECK(rc == -1 && conf == NULL && errs != NULL);
		for (e = errs; e != NULL; e = e->next) {
			FUZZ_CHECK(e->message != NULL && *e->message != '\0');
			FUZZ_CHECK(e->line >= 0 && e->line <= lines);
		}
		conf_errors_print(errs, fuzz_conf_null);
		conf_errors_free(errs);
	}
	return 0;
}
