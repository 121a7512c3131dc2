/*
 * json.c: JSON object writer for line mode. Small enough to be ours; the
 * one subtle part is that strings from the network (display names,
 * reasons) may be any bytes, and the output must stay valid JSON.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

static void
json_put(struct json *j, const char *s, size_t n)
{
	if (j->len + n + 1 > j->cap) {
		while (j->len + n + 1 > j->cap)
			j->cap = j->cap ? j->cap * 2 : 128;
		j->buf = xrealloc(j->buf, j->cap);
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/* Length of the valid UTF-8 sequence at S (1..4), or 0 if invalid. */
static size_t
json_utf8_len(const unsigned char *s)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void
json_quote(struct json *j, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 esc[8];
	size_t			 n;

	json_put(j, "\"", 1);
	while (*p != '\0') {
		switch (*p) {
		case '"':
			json_put(j, "\\\"", 2);
			p++;
			continue;
		case '\\':
			json_put(j, "\\\\", 2);
			p++;
			continue;
		case '\n':
			json_put(j, "\\n", 2);
			p++;
			continue;
		case '\r':
			json_put(j, "\\r", 2);
			p++;
			continue;
		case '\t':
			json_put(j, "\\t", 2);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			json_put(j, esc, 6);
			p++;
			continue;
		}
		n = json_utf8_len(p);
		if (n == 0) {
			json_put(j, "\xef\xbf\xbd", 3);
			p++;
			continue;
		}
		json_put(j, (const char *)p, n);
		p += n;
	}
	json_put(j, "\"", 1);
}

static void
json_key(struct json *j, const char *key)
{
	if (j->n++ > 0)
		json_put(j, ",", 1);
	json_quote(j, key);
	json_put(j, ":", 1);
}

void
json_begin(struct json *j)
{
	j->len = 0;
	j->n = 0;
	json_put(j, "{", 1);
}

void
json_str(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	json_quote(j, value != NULL ? value : "");
}

void
json_int(struct json *j, const char *key, long value)
{
	char	 num[32];
	int	 n = snprintf(num, sizeof num, "%ld", value);

	json_key(j, key);
	json_put(j, num, (size_t)n);
}

void
json_num(struct json *j, const char *key, double value)
{
	char	 num[64];
	int	 n;

	if (value != value || value > 1e15 || value < -1e15) {
		json_null(j, key);	/* NaN and absurd values are not JSON */
		return;
	}
	n = snprintf(num, sizeof num, "%.1f", value);
	json_key(j, key);
	json_put(j, num, (size_t)n);
}

void
json_bool(struct json *j, const char *key, bool value)
{
	json_key(j, key);
	if (value)
		json_put(j, "true", 4);
	else
		json_put(j, "false", 5);
}

void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_put(j, "null", 4);
}

const char *
json_end(struct json *j)
{
	json_put(j, "}", 1);
	return j->buf;
}

void
json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}
