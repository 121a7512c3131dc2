/*
 * json.h: a minimal writer for one-line JSON objects (line mode output).
 * Strings are escaped per RFC 8259; invalid UTF-8 is replaced by U+FFFD so
 * the output is always valid JSON.
 */
#ifndef TSP_JSON_H
#define TSP_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct json {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 n;		/* members so far */
};

void	 json_begin(struct json *);
void	 json_str(struct json *, const char *key, const char *value);
void	 json_int(struct json *, const char *key, long value);
/* A number with up to one decimal place. */
void	 json_num(struct json *, const char *key, double value);
void	 json_bool(struct json *, const char *key, bool value);
void	 json_null(struct json *, const char *key);
/* Closes the object; the returned string is owned by J until json_free. */
const char *json_end(struct json *);
void	 json_free(struct json *);

#endif
