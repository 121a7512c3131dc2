/*
 * fuzz-sdp.c: the peer's SDP as tsphone reads it (src/sip-sdp.c on top of
 * Sofia's SDP parser, with the a=crypto lines of src/media-srtp.c): the
 * answer to an offer and the conversion of an exchange into media
 * parameters.
 *
 * The input is text. A line "%%" (not the first) splits it into a
 * local SDP (before) and a remote SDP (after); without one, the whole
 * input is the remote SDP and the local one is the offer tsphone makes
 * for an account with Opus, PCMU, PCMA and optional SRTP. Then, as a
 * call would:
 *
 *   incoming  sip_sdp_answer(remote) for three accounts (every codec and
 *             optional SRTP; PCMU only and mandatory SRTP; every codec,
 *             SRTP off): a refusal has a reason and a warn-code; an
 *             answer is SDP that reads back and answers a re-offer of
 *             the same with the same keys; sip_sdp_params(answer,
 *             remote, answerer)
 *   outgoing  sip_sdp_params(local, remote, offerer) with the keys of
 *             local's a=crypto lines as ours
 *   swapped   sip_sdp_params(remote, local) both ways, since soa builds
 *             our local SDP partly from the peer's
 *
 * Keys come from rand.c's deterministic RAND_bytes. Whatever comes
 * in, a success must give a usable result: a port in 1..65535, a codec we
 * know, bounded strings, at most MEDIA_MAX_PT receive payload types, SRTP
 * keys of a real suite; a failure must say why.
 *
 * KNOWN SOFIA BUG, GUARDED: Debian 12's Sofia-SIP (1.12.11+20110422)
 * loops forever, allocating 24 bytes a turn until the process dies, on an
 * m= line whose format list holds a byte outside the SDP token set, e.g.
 * "m=video 4002 X/Y 96 @" (fixed upstream in freeswitch/sofia-sip commit
 * a953f25, "fix parse m-line", 2022). soa parses an incoming INVITE's SDP
 * before tsphone sees it, so src/sip-sdp-guard.c puts its own sdp_parse
 * in front of Sofia's. fuzz_sdp_sofia_loops() (Sofia's own tokeniser on
 * the m= lines) is the oracle: whatever would loop must be refused by the
 * guard, which this target links, so the parse below is always safe.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "media.h"
#include "media-srtp.h"
#include "sip-sdp.h"

#include "fuzz.h"

#define FUZZ_SDP_ADDR	"192.0.2.1"
#define FUZZ_SDP_PORT	40000

void	 fuzz_rand_reset(void);

#define SOFIA_TOKEN	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789-!#$%&'*+.^_`{|}~"

/* Sofia's sdp_parse.c next() and token(), as they are. */
static char *
sofia_next(char **message, const char *sep, const char *strip)
{
	char	*retval = *message;
	size_t	 n;

	if (strip[0])
		retval += strspn(retval, strip);
	n = strcspn(retval, sep);
	if (n == 0)
		return NULL;
	if (retval[n]) {
		retval[n++] = '\0';
		n += strspn(retval + n, sep);
	}
	*message = retval + n;
	if (*retval == '\0')
		return NULL;
	return retval;
}

static char *
sofia_token(char **message, const char *sep, const char *legal,
    const char *strip)
{
	char	*retval = *message;
	size_t	 n;

	if (strip)
		retval += strspn(retval, strip);
	if (legal)
		n = strspn(retval, legal);
	else
		n = strcspn(retval, sep);
	if (n == 0)
		return NULL;
	if (retval[n]) {
		retval[n++] = '\0';
		n += strspn(retval + n, sep);
	}
	*message = retval + n;
	if (*retval == '\0')
		return NULL;
	return retval;
}

/* Sofia's parse_ul() without a maximum. */
static bool
sofia_ul(char **r)
{
	char	*ul = *r;

	ul += strspn(ul, " \t");
	(void)strtoul(ul, r, 10);
	if (ul == *r)
		return false;
	*r += strspn(*r, " \t");
	return true;
}

/*
 * Would Debian 12's sdp_parse loop forever on TEXT? It does when the
 * format list of an m= line (parse_media, "normal" format list) meets a
 * token that token() refuses without moving on. See the top of the file.
 */
static bool
fuzz_sdp_sofia_loops(const char *text)
{
	char	*copy = fuzz_str((const uint8_t *)text, strlen(text));
	char	*msg = copy, *line, *r;
	bool	 loops = false;

	while (!loops && (line = sofia_next(&msg, "\r\n", " \t")) != NULL) {
		if (line[0] != 'm' || line[1] != '=')
			continue;
		r = line + 2;
		r += strspn(r, " \t");
		if (sofia_token(&r, " ", SOFIA_TOKEN, NULL) == NULL ||
		    !sofia_ul(&r))
			continue;
		if (*r == '/') {
			r++;
			if (!sofia_ul(&r))
				continue;
		}
		if (sofia_token(&r, " ", "/" SOFIA_TOKEN, " ") == NULL)
			continue;
		while (*r != '\0') {
			if (sofia_token(&r, " \t", SOFIA_TOKEN, " \t") == NULL) {
				loops = true;
				break;
			}
		}
	}
	free(copy);
	return loops;
}

/* The "%%" line after the first: where it starts, and its length. */
static char *
fuzz_sdp_sep(char *text, size_t *len)
{
	char	*p;

	for (p = strstr(text, "\n%%"); p != NULL; p = strstr(p + 1, "\n%%")) {
		if (p[3] == '\n' || (p[3] == '\r' && p[4] == '\n')) {
			*len = p[3] == '\n' ? 4 : 5;
			return p;
		}
	}
	return NULL;
}

static void
fuzz_sdp_check_key(const struct media_srtp_crypto *c)
{
	FUZZ_CHECK(media_srtp_suite_name(c->suite) != NULL);
	FUZZ_CHECK(c->key_len > 0 && c->key_len <= MEDIA_SRTP_KEY_MAX);
	FUZZ_CHECK(c->tag >= 1 && c->tag <= 999999999);
}

static void
fuzz_sdp_check_params(const struct media_params *p)
{
	int	 i;

	FUZZ_CHECK_STR(p->remote_addr);
	FUZZ_CHECK(p->remote_addr[0] != '\0');
	FUZZ_CHECK(p->remote_port > 0 && p->remote_port <= 65535);
	/* remote_port + 1 when no a=rtcp: 65536 is possible (see README). */
	FUZZ_CHECK(p->remote_rtcp_port > 0 && p->remote_rtcp_port <= 65536);
	FUZZ_CHECK_STR(p->send.name);
	FUZZ_CHECK(strcasecmp(p->send.name, "opus") == 0 ||
	    strcasecmp(p->send.name, "PCMU") == 0 ||
	    strcasecmp(p->send.name, "PCMA") == 0);
	FUZZ_CHECK(p->send.channels >= 1);
	FUZZ_CHECK(p->send_te_pt >= -1 && p->send_te_pt <= 127);
	FUZZ_CHECK(p->nrecv >= 0 && p->nrecv <= MEDIA_MAX_PT);
	for (i = 0; i < p->nrecv; i++) {
		FUZZ_CHECK_STR(p->recv[i].name);
		FUZZ_CHECK(p->recv[i].channels >= 1);
	}
	FUZZ_CHECK(p->ptime >= 10 && p->ptime <= 60);
	FUZZ_CHECK(p->dir >= MEDIA_INACTIVE && p->dir <= MEDIA_SENDRECV);
	if (p->srtp) {
		fuzz_sdp_check_key(&p->srtp_tx);
		fuzz_sdp_check_key(&p->srtp_rx);
		FUZZ_CHECK(p->srtp_tx.suite == p->srtp_rx.suite);
	}
}

static void
fuzz_sdp_params(const char *local, const char *remote, bool answer,
    const struct sip_sdp_keys *keys)
{
	struct media_params	 p;
	char			*cause = NULL;

	if (sip_sdp_params(local, remote, answer, keys, &p, &cause) == 0) {
		FUZZ_CHECK(cause == NULL);
		fuzz_sdp_check_params(&p);
	} else
		FUZZ_CHECK(cause != NULL && *cause != '\0');
	free(cause);
}

/* Our keys for a local SDP: those of its a=crypto lines that parse. */
static void
fuzz_sdp_keys_of(const char *sdp, struct sip_sdp_keys *keys)
{
	const char	*p = sdp;
	char		*value, *cause;
	size_t		 len;

	memset(keys, 0, sizeof *keys);
	while ((p = strstr(p, "a=crypto:")) != NULL && keys->n < SIP_SDP_MAX_KEYS) {
		p += strlen("a=crypto:");
		len = strcspn(p, "\r\n");
		value = fuzz_str((const uint8_t *)p, len);
		cause = NULL;
		if (media_srtp_crypto_parse(value, &keys->c[keys->n], &cause) == 0) {
			FUZZ_CHECK(cause == NULL);
			fuzz_sdp_check_key(&keys->c[keys->n]);
			keys->n++;
		} else
			FUZZ_CHECK(cause != NULL);
		free(cause);
		free(value);
	}
}

static void
fuzz_sdp_incoming(const char *remote, const struct conf_account *ca)
{
	struct sip_sdp_keys	 keys, again;
	char			*answer, *cause = NULL;
	int			 warn = 0;

	answer = sip_sdp_answer(remote, ca, FUZZ_SDP_ADDR, FUZZ_SDP_PORT, NULL,
	    &keys, &warn, &cause);
	if (answer == NULL) {
		FUZZ_CHECK(cause != NULL && *cause != '\0');
		FUZZ_CHECK(warn == 301 || warn == 302 || warn == 304 ||
		    warn == 305 || warn == 330 || warn == 399);
		free(cause);
		return;
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK(sip_sdp_check(remote, &cause) == 0 && cause == NULL);
	/* The answer is SDP we can read back, as soa will. */
	FUZZ_CHECK(sip_sdp_guard_ok(answer, strlen(answer)));
	FUZZ_CHECK(sip_sdp_check(answer, &cause) == 0 && cause == NULL);
	/* A re-offer the same: the same keys. */
	free(sip_sdp_answer(remote, ca, FUZZ_SDP_ADDR, FUZZ_SDP_PORT, &keys,
	    &again, &warn, &cause));
	FUZZ_CHECK(cause == NULL && again.n == keys.n &&
	    (keys.n == 0 || memcmp(&again.c[0], &keys.c[0], sizeof keys.c[0]) == 0));
	sip_sdp_keys_wipe(&again);
	FUZZ_CHECK(keys.n >= 0 && keys.n <= 1);
	if (ca->srtp == CONF_SRTP_MANDATORY)
		FUZZ_CHECK(keys.n == 1);
	if (ca->srtp == CONF_SRTP_OFF)
		FUZZ_CHECK(keys.n == 0);
	fuzz_sdp_params(answer, remote, true, &keys);
	sip_sdp_keys_wipe(&keys);
	free(answer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_account	 all, pcmu, plain;
	struct sip_sdp_keys	 lkeys, rkeys;
	char			*text, *sep, *local, *remote, *offer = NULL;
	char			*cause = NULL;
	size_t			 seplen;

	fuzz_rand_reset();
	memset(&all, 0, sizeof all);
	all.name = "fuzz";
	all.uri = "sip:fuzz@example.invalid";
	all.codecs[0] = CONF_CODEC_OPUS;
	all.codecs[1] = CONF_CODEC_PCMU;
	all.codecs[2] = CONF_CODEC_PCMA;
	all.ncodecs = 3;
	all.srtp = CONF_SRTP_OPTIONAL;
	pcmu = all;
	pcmu.codecs[0] = CONF_CODEC_PCMU;
	pcmu.ncodecs = 1;
	pcmu.srtp = CONF_SRTP_MANDATORY;
	plain = all;
	plain.srtp = CONF_SRTP_OFF;

	text = fuzz_str(data, size);
	if ((sep = fuzz_sdp_sep(text, &seplen)) != NULL) {
		sep[1] = '\0';
		local = text;
		remote = sep + seplen;
		fuzz_sdp_keys_of(local, &lkeys);
	} else {
		offer = sip_sdp_offer(&all, FUZZ_SDP_ADDR, FUZZ_SDP_PORT, &lkeys,
		    &cause);
		FUZZ_CHECK(offer != NULL);
		local = offer;
		remote = text;
	}
	FUZZ_CHECK(!fuzz_sdp_sofia_loops(local) ||
	    !sip_sdp_guard_ok(local, strlen(local)));
	FUZZ_CHECK(!fuzz_sdp_sofia_loops(remote) ||
	    !sip_sdp_guard_ok(remote, strlen(remote)));
	fuzz_sdp_keys_of(remote, &rkeys);

	fuzz_sdp_incoming(remote, &all);
	fuzz_sdp_incoming(remote, &pcmu);
	fuzz_sdp_incoming(remote, &plain);
	fuzz_sdp_params(local, remote, false, &lkeys);
	fuzz_sdp_params(remote, local, false, &rkeys);
	fuzz_sdp_params(remote, local, true, &rkeys);

	sip_sdp_keys_wipe(&lkeys);
	sip_sdp_keys_wipe(&rkeys);
	free(offer);
	free(text);
	return 0;
}
