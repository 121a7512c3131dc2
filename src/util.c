/*
 * util.c: allocation wrappers (out of memory aborts here and nowhere else),
 * string helpers and secret wiping.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void
util_oom(void)
{
	fputs("tsphone: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void	*p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		util_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		util_oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = strndup(s, n);

	if (p == NULL)
		util_oom();
	return p;
}

int
xvasprintf(char **out, const char *fmt, va_list ap)
{
	int	 n = vasprintf(out, fmt, ap);

	if (n < 0)
		util_oom();
	return n;
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
util_wipe(void *p, size_t n)
{
	/* A volatile pointer keeps the compiler from dropping the stores. */
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}

void
util_free_secret(char *s)
{
	if (s == NULL)
		return;
	util_wipe(s, strlen(s));
	free(s);
}

uint64_t
util_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

char *
util_first_ipv4(void)
{
	struct ifaddrs		*ifa, *i;
	struct sockaddr_in	*sin;
	char			 buf[INET_ADDRSTRLEN];

	if (getifaddrs(&ifa) != 0)
		return xstrdup("127.0.0.1");
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		if ((i->ifa_flags & IFF_LOOPBACK) || (~i->ifa_flags & IFF_UP))
			continue;
		sin = (struct sockaddr_in *)i->ifa_addr;
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf) != NULL) {
			freeifaddrs(ifa);
			return xstrdup(buf);
		}
	}
	freeifaddrs(ifa);
	return xstrdup("127.0.0.1");
}

int
util_mkdir_p(const char *path, unsigned int mode)
{
	char	*copy = xstrdup(path), *p;
	int	 rc = 0;

	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) != 0 && errno != EEXIST) {
			rc = -errno;
			goto out;
		}
		*p = '/';
	}
	if (mkdir(copy, mode) != 0 && errno != EEXIST)
		rc = -errno;
out:
	free(copy);
	return rc;
}

/*
 * tsphone's directory under the XDG base directory ENV ("XDG_CONFIG_HOME"),
 * else under HOME_SUB (".config") of the home directory: a relative
 * $ENV is ignored, as the XDG spec says, and without $HOME the password
 * database says where home is. NULL without a home.
 */
char *
util_xdg_dir(const char *env, const char *home_sub)
{
	const char	*xdg = getenv(env);
	const char	*home = getenv("HOME");
	struct passwd	*pw;
	char		*path;

	if (xdg != NULL && xdg[0] == '/') {
		xasprintf(&path, "%s/tsphone", xdg);
		return path;
	}
	if (home == NULL || home[0] != '/') {
		pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] == '\0')
		return NULL;
	xasprintf(&path, "%s/%s/tsphone", home, home_sub);
	return path;
}

/* Where tsphone keeps what it writes (recordings, history). */
char *
util_data_dir(void)
{
	return util_xdg_dir("XDG_DATA_HOME", ".local/share");
}

int
util_argv_split(const char *s, char ***argvp, int *argcp, char **cause)
{
	char	**argv = NULL, *word;
	size_t	  len = strlen(s), n;
	int	  argc = 0;
	char	  quote;

	*argvp = NULL;
	*argcp = 0;
	word = xmalloc(len + 1);
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		n = 0;
		quote = '\0';
		while (*s != '\0' && (quote != '\0' || (*s != ' ' &&
		    *s != '\t'))) {
			if (quote == '\0' && (*s == '\'' || *s == '"')) {
				quote = *s++;
				continue;
			}
			if (quote != '\0' && *s == quote) {
				quote = '\0';
				s++;
				continue;
			}
			if (*s == '\\' && quote != '\'') {
				if (s[1] == '\0') {
					*cause = xstrdup("a backslash ends the "
					    "command");
					goto fail;
				}
				if (quote == '"' && s[1] != '"' &&
				    s[1] != '\\') {
					word[n++] = *s++;	/* kept as is */
					continue;
				}
				s++;
			}
			word[n++] = *s++;
		}
		if (quote != '\0') {
			xasprintf(cause, "unterminated %c quote",
			    quote);
			goto fail;
		}
		word[n] = '\0';
		argv = xrealloc(argv, (size_t)(argc + 2) * sizeof *argv);
		argv[argc++] = xstrdup(word);
		argv[argc] = NULL;
	}
	free(word);
	if (argc == 0) {
		*cause = xstrdup("no command");
		return -1;
	}
	*argvp = argv;
	*argcp = argc;
	return 0;

fail:
	free(word);
	util_argv_free(argv);
	return -1;
}

void
util_argv_free(char **argv)
{
	char	**p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}
