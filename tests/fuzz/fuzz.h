/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz/ share: a reader that
 * takes fields off the front of the input (running dry yields zeros, so
 * every input is valid), exact-size heap copies so ASan sees any read
 * past the end of a slice, and a check that aborts with a message when an
 * invariant a header promises does not hold (libFuzzer then keeps the
 * input as a crash).
 *
 * Header-only (static functions): each target is one .c file.
 */
#ifndef TSP_FUZZ_H
#define TSP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_in {
	const uint8_t	*p;
	size_t		 n;
};

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static inline bool
fuzz_left(const struct fuzz_in *in)
{
	return in->n > 0;
}

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	uint8_t	 v = 0;

	if (in->n > 0) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

/* Big-endian, as on the wire, so seeds read like packet dumps. */
static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = fuzz_u8(in);

	return (uint16_t)(v << 8 | fuzz_u8(in));
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = fuzz_u16(in);

	return v << 16 | fuzz_u16(in);
}

/*
 * Up to WANT bytes as a fresh allocation of exactly that many (at least
 * one byte is allocated, so the result is never NULL); *GOT says how many
 * there were. Free the result.
 */
static inline uint8_t *
fuzz_bytes(struct fuzz_in *in, size_t want, size_t *got)
{
	size_t	 n = want < in->n ? want : in->n;
	uint8_t	*b = malloc(n > 0 ? n : 1);

	if (b == NULL)
		abort();
	if (n > 0)
		memcpy(b, in->p, n);
	in->p += n;
	in->n -= n;
	*got = n;
	return b;
}

/* LEN bytes at P as a NUL-terminated string (free it). */
static inline char *
fuzz_str(const uint8_t *p, size_t len)
{
	char	*s = malloc(len + 1);

	if (s == NULL)
		abort();
	if (len > 0)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* Touch every byte so ASan checks that the whole range is readable. */
static inline unsigned int
fuzz_touch(const void *p, size_t len)
{
	const volatile uint8_t	*b = p;
	unsigned int		 sum = 0;
	size_t			 i;

	for (i = 0; i < len; i++)
		sum += b[i];
	return sum;
}

/* A bounded string field is NUL-terminated within its array. */
#define FUZZ_CHECK_STR(a)	FUZZ_CHECK(memchr((a), '\0', sizeof(a)) != NULL)

#endif
