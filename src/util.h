/*
 * util.h: memory wrappers that abort on exhaustion, bounded string copies,
 * and the small helpers every file wants. Nothing here knows about SIP.
 */
#ifndef TSP_UTIL_H
#define TSP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list);

/* Copy with truncation; always terminates; returns strlen(src). */
size_t	 util_strlcpy(char *, const char *, size_t);
/* Overwrite then free a string holding a secret. */
void	 util_free_secret(char *);
void	 util_wipe(void *, size_t);
/* Monotonic milliseconds. */
uint64_t util_now_ms(void);
/* The first IPv4 address of an interface that is up and not loopback,
 * else "127.0.0.1". Caller frees. */
char	*util_first_ipv4(void);
/* Create a directory and its parents with the given mode. */
int	 util_mkdir_p(const char *, unsigned int);
/* $ENV/tsphone, else ~/HOME_SUB/tsphone; NULL without a home. */
char	*util_xdg_dir(const char *env, const char *home_sub);
/* $XDG_DATA_HOME/tsphone or ~/.local/share/tsphone; NULL without a home. */
char	*util_data_dir(void);
/*
 * Split a command line into words, once, as a shell would split it but
 * with nothing else of a shell: blanks separate words; '...' keeps
 * everything literally; "..." keeps everything but \" and \\ (the only
 * escapes); outside quotes a backslash keeps the next character; a word
 * starting with '#' starts a comment. No variables, globs or
 * substitutions. Returns 0 and a NULL-terminated vector (util_argv_free)
 * with at least one word, or -1 and *cause.
 */
int	 util_argv_split(const char *s, char ***argv, int *argc, char **cause);
void	 util_argv_free(char **argv);

#endif
