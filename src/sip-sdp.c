/*
 * sip-sdp.c: SDP for calls (RFC 3264 offer/answer through Sofia's soa).
 *
 * soa builds offers and answers from the user SDP we give it, but it does
 * not tell the media engine what to do; this file reads the two SDPs of
 * an exchange and derives it: where to send, which codec and payload
 * type, whether telephone-event can be used, which direction media flows,
 * and whether the peer holds us. Remote SDP is untrusted input.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include "conf.h"
#include "media.h"
#include "sip-sdp.h"
#include "util.h"

struct sip_sdp_codec {
	enum conf_codec	 codec;
	const char	*name;
	int		 pt;
	int		 rate;
	int		 channels;
	const char	*fmtp;
};

static const struct sip_sdp_codec sip_sdp_codecs[] = {
	{ CONF_CODEC_OPUS, "opus", SIP_SDP_PT_OPUS, 48000, 2,
	  "minptime=10;useinbandfec=1;stereo=0;sprop-stereo=0" },
	{ CONF_CODEC_PCMU, "PCMU", 0, 8000, 1, NULL },
	{ CONF_CODEC_PCMA, "PCMA", 8, 8000, 1, NULL },
};

static const struct sip_sdp_codec *
sip_sdp_codec(enum conf_codec c)
{
	size_t	 i;

	for (i = 0; i < nitems(sip_sdp_codecs); i++) {
		if (sip_sdp_codecs[i].codec == c)
			return &sip_sdp_codecs[i];
	}
	return NULL;
}

/* Is RM one of the codecs we can decode (whatever the account says)? */
static const struct sip_sdp_codec *
sip_sdp_known(sdp_rtpmap_t const *rm)
{
	size_t	 i;

	if (rm->rm_encoding == NULL)
		return NULL;
	for (i = 0; i < nitems(sip_sdp_codecs); i++) {
		if (strcasecmp(rm->rm_encoding, sip_sdp_codecs[i].name) == 0 &&
		    rm->rm_rate == (unsigned long)sip_sdp_codecs[i].rate)
			return &sip_sdp_codecs[i];
	}
	return NULL;
}

static bool
sip_sdp_is_te(sdp_rtpmap_t const *rm)
{
	return rm->rm_encoding != NULL &&
	    strcasecmp(rm->rm_encoding, "telephone-event") == 0;
}

void
sip_sdp_keys_wipe(struct sip_sdp_keys *k)
{
	util_wipe(k, sizeof *k);
}

/* Append to *S (reallocated). */
static void
sip_sdp_cat(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
sip_sdp_cat(char **s, const char *fmt, ...)
{
	va_list	 ap;
	char	*add, *out;

	va_start(ap, fmt);
	xvasprintf(&add, fmt, ap);
	va_end(ap);
	xasprintf(&out, "%s%s", *s, add);
	free(*s);
	free(add);
	*s = out;
}

/*
 * Our SDP: the account's codecs in order, telephone-event at 8000 Hz (and
 * 48000 Hz with Opus, RFC 4733 2.1: the event clock should match the
 * audio clock), PROFILE, and the a=crypto lines of KEYS.
 */
static char *
sip_sdp_build(const struct conf_account *ca, const char *addr, int port,
    const char *profile, const struct sip_sdp_keys *keys)
{
	const struct sip_sdp_codec	*c;
	const char			*ipver = strchr(addr, ':') != NULL ? "IP6" : "IP4";
	char				*m, *attrs, *out, line[MEDIA_SRTP_LINE_MAX];
	bool				 opus = false;
	int				 i;

	xasprintf(&m, "m=audio %d %s", port, profile);
	attrs = xstrdup("");
	for (i = 0; i < ca->ncodecs; i++) {
		if ((c = sip_sdp_codec(ca->codecs[i])) == NULL)
			continue;
		sip_sdp_cat(&m, " %d", c->pt);
		if (c->channels > 1)
			sip_sdp_cat(&attrs, "a=rtpmap:%d %s/%d/%d\r\n", c->pt,
			    c->name, c->rate, c->channels);
		else
			sip_sdp_cat(&attrs, "a=rtpmap:%d %s/%d\r\n", c->pt, c->name,
			    c->rate);
		if (c->fmtp != NULL)
			sip_sdp_cat(&attrs, "a=fmtp:%d %s\r\n", c->pt, c->fmtp);
		if (c->codec == CONF_CODEC_OPUS)
			opus = true;
	}
	if (opus) {
		sip_sdp_cat(&m, " %d", SIP_SDP_PT_TE48K);
		sip_sdp_cat(&attrs, "a=rtpmap:%d telephone-event/48000\r\n"
		    "a=fmtp:%d 0-16\r\n", SIP_SDP_PT_TE48K, SIP_SDP_PT_TE48K);
	}
	sip_sdp_cat(&m, " %d", SIP_SDP_PT_TE8K);
	sip_sdp_cat(&attrs, "a=rtpmap:%d telephone-event/8000\r\n"
	    "a=fmtp:%d 0-16\r\n", SIP_SDP_PT_TE8K, SIP_SDP_PT_TE8K);
	for (i = 0; keys != NULL && i < keys->n; i++) {
		if (media_srtp_crypto_format(&keys->c[i], line, sizeof line) > 0)
			sip_sdp_cat(&attrs, "a=crypto:%s\r\n", line);
	}
	util_wipe(line, sizeof line);
	xasprintf(&out,
	    "v=0\r\n"
	    "o=- 0 0 IN %s %s\r\n"
	    "s=tsphone\r\n"
	    "c=IN %s %s\r\n"
	    "t=0 0\r\n"
	    "%s\r\n"
	    "%s"
	    "a=ptime:20\r\n"
	    "a=sendrecv\r\n",
	    ipver, addr, ipver, addr, m, attrs);
	free(m);
	util_free_secret(attrs);
	return out;
}

char *
sip_sdp_offer(const struct conf_account *ca, const char *addr, int port,
    struct sip_sdp_keys *keys, char **cause)
{
	enum media_srtp_suite	 suites[SIP_SDP_MAX_KEYS];
	int			 n, i;

	memset(keys, 0, sizeof *keys);
	if (ca->srtp == CONF_SRTP_OFF)
		return sip_sdp_build(ca, addr, port, "RTP/AVP", NULL);
	n = media_srtp_suites(suites, SIP_SDP_MAX_KEYS);
	for (i = 0; i < n; i++) {
		if (media_srtp_keygen(&keys->c[keys->n], suites[i], keys->n + 1) == 0)
			keys->n++;
	}
	if (keys->n == 0) {
		*cause = xstrdup("cannot make SRTP keys");
		return NULL;
	}
	/* Mandatory is RTP/SAVP; optional offers keys on RTP/AVP, which
	 * peers without SDES simply ignore ("best effort" SRTP). */
	return sip_sdp_build(ca, addr, port, ca->srtp == CONF_SRTP_MANDATORY ?
	    "RTP/SAVP" : "RTP/AVP", keys);
}

/* The first audio m= line of S, or NULL. */
static sdp_media_t *
sip_sdp_audio(sdp_session_t *s)
{
	sdp_media_t	*m;

	for (m = s != NULL ? s->sdp_media : NULL; m != NULL; m = m->m_next) {
		if (m->m_type == sdp_media_audio)
			return m;
	}
	return NULL;
}

static sdp_session_t *
sip_sdp_parse(su_home_t *home, const char *text, const char *what,
    char **cause)
{
	sdp_parser_t	*p;
	sdp_session_t	*s;

	if (text == NULL || *text == '\0') {
		xasprintf(cause, "no %s SDP", what);
		return NULL;
	}
	p = sdp_parse(home, text, strlen(text), sdp_f_config);
	s = sdp_session(p);
	if (s == NULL) {
		xasprintf(cause, "bad %s SDP: %s", what,
		    sdp_parsing_error(p) != NULL ? sdp_parsing_error(p) : "unparsable");
		return NULL;
	}
	return s;
}

char *
sip_sdp_answer(const char *offer, const struct conf_account *ca,
    const char *addr, int port, struct sip_sdp_keys *keys, char **cause)
{
	su_home_t		 home[1] = { SU_HOME_INIT(home) };
	sdp_session_t		*s;
	sdp_media_t		*m;
	sdp_rtpmap_t		*rm;
	sdp_attribute_t		*a;
	const struct sip_sdp_codec *c;
	struct media_srtp_crypto offered;
	char			 list[256] = "", *why = NULL, *out = NULL;
	bool			 common = false, savp;
	int			 i;

	memset(keys, 0, sizeof *keys);
	if ((s = sip_sdp_parse(home, offer, "offered", cause)) == NULL)
		goto out;
	if ((m = sip_sdp_audio(s)) == NULL || m->m_port == 0) {
		*cause = xstrdup("the offer has no audio stream");
		goto out;
	}
	if (m->m_proto != sdp_proto_rtp && m->m_proto != sdp_proto_srtp) {
		xasprintf(cause, "unsupported media profile %s",
		    m->m_proto_name != NULL ? m->m_proto_name : "?");
		goto out;
	}
	savp = m->m_proto == sdp_proto_srtp;
	for (rm = m->m_rtpmaps; rm != NULL && !common; rm = rm->rm_next) {
		c = sip_sdp_known(rm);
		for (i = 0; c != NULL && i < ca->ncodecs; i++) {
			if (ca->codecs[i] == c->codec)
				common = true;
		}
		if (!sip_sdp_is_te(rm) && strlen(list) < sizeof list - 40)
			snprintf(list + strlen(list), sizeof list - strlen(list),
			    "%s%s/%lu", *list != '\0' ? " " : "",
			    rm->rm_encoding != NULL ? rm->rm_encoding : "?",
			    rm->rm_rate);
	}
	if (!common) {
		xasprintf(cause, "no common codec (offered: %s)",
		    *list != '\0' ? list : "none");
		goto out;
	}

	/* SDES: the first offered line whose suite we have (the offerer
	 * lists them in its order of preference). */
	if (ca->srtp != CONF_SRTP_OFF) {
		for (a = m->m_attributes; a != NULL; a = a->a_next) {
			if (a->a_name == NULL || strcasecmp(a->a_name, "crypto") != 0 ||
			    a->a_value == NULL)
				continue;
			if (media_srtp_crypto_parse(a->a_value, &offered, &why) == 0 &&
			    media_srtp_supported(offered.suite) &&
			    media_srtp_keygen(&keys->c[0], offered.suite,
			    offered.tag) == 0) {
				keys->n = 1;
				break;
			}
			free(why);
			why = NULL;
		}
		media_srtp_crypto_wipe(&offered);
	}
	if (keys->n == 0 && savp) {
		xasprintf(cause, ca->srtp == CONF_SRTP_OFF ?
		    "the caller requires SRTP (RTP/SAVP) and srtp = off" :
		    "no SRTP crypto suite in common with the caller%s%s",
		    why != NULL ? ": " : "", why != NULL ? why : "");
		goto out;
	}
	if (keys->n == 0 && ca->srtp == CONF_SRTP_MANDATORY) {
		*cause = xstrdup("srtp = mandatory and the caller offers no SRTP");
		goto out;
	}
	out = sip_sdp_build(ca, addr, port, savp ? "RTP/SAVP" : "RTP/AVP", keys);
out:
	free(why);
	su_home_deinit(home);
	return out;
}

/* The a=crypto line of M with TAG (any tag if TAG < 0), parsed. */
static int
sip_sdp_crypto(sdp_media_t const *m, int tag, struct media_srtp_crypto *out)
{
	sdp_attribute_t	*a;
	char		*why = NULL;

	for (a = m->m_attributes; a != NULL; a = a->a_next) {
		if (a->a_name == NULL || strcasecmp(a->a_name, "crypto") != 0 ||
		    a->a_value == NULL)
			continue;
		if (media_srtp_crypto_parse(a->a_value, out, &why) == 0 &&
		    (tag < 0 || out->tag == tag)) {
			free(why);
			return 0;
		}
		free(why);
		why = NULL;
	}
	media_srtp_crypto_wipe(out);
	return -1;
}

static void
sip_sdp_pt(struct media_pt *p, sdp_rtpmap_t const *rm)
{
	p->pt = rm->rm_pt;
	util_strlcpy(p->name, rm->rm_encoding != NULL ? rm->rm_encoding : "",
	    sizeof p->name);
	p->rate = (int)rm->rm_rate;
	p->channels = rm->rm_params != NULL ? atoi(rm->rm_params) : 1;
	if (p->channels < 1)
		p->channels = 1;
	util_strlcpy(p->fmtp, rm->rm_fmtp != NULL ? rm->rm_fmtp : "",
	    sizeof p->fmtp);
}

static bool
sip_sdp_same(sdp_rtpmap_t const *a, sdp_rtpmap_t const *b)
{
	return a->rm_encoding != NULL && b->rm_encoding != NULL &&
	    strcasecmp(a->rm_encoding, b->rm_encoding) == 0 &&
	    a->rm_rate == b->rm_rate;
}

static const char *
sip_sdp_conn(sdp_session_t const *s, sdp_media_t const *m)
{
	if (m->m_connections != NULL && m->m_connections->c_address != NULL)
		return m->m_connections->c_address;
	if (s->sdp_connection != NULL && s->sdp_connection->c_address != NULL)
		return s->sdp_connection->c_address;
	return NULL;
}

int
sip_sdp_params(const char *local, const char *remote, bool local_is_answer,
    const struct sip_sdp_keys *keys, struct media_params *p, char **cause)
{
	su_home_t		 home[1] = { SU_HOME_INIT(home) };
	sdp_session_t		*ls, *rs;
	sdp_media_t		*lm, *rm, *am;
	sdp_rtpmap_t		*map, *r;
	sdp_attribute_t		*a;
	const char		*addr;
	unsigned int		 lmode, rmode, dir = 0;
	int			 rc = -1;

	memset(p, 0, sizeof *p);
	p->send_te_pt = -1;
	p->ptime = 20;
	if ((ls = sip_sdp_parse(home, local, "local", cause)) == NULL ||
	    (rs = sip_sdp_parse(home, remote, "remote", cause)) == NULL)
		goto out;
	lm = sip_sdp_audio(ls);
	rm = sip_sdp_audio(rs);
	if (lm == NULL || rm == NULL) {
		*cause = xstrdup("no audio stream in the exchange");
		goto out;
	}
	if (lm->m_port == 0 || rm->m_port == 0 || lm->m_rejected || rm->m_rejected) {
		*cause = xstrdup("audio was rejected (no common codec or profile)");
		goto out;
	}
	if (rm->m_port > 65535) {
		*cause = xstrdup("bad port in the remote SDP");
		goto out;
	}
	addr = sip_sdp_conn(rs, rm);
	if (addr == NULL) {
		*cause = xstrdup("no connection address in the remote SDP");
		goto out;
	}
	util_strlcpy(p->remote_addr, addr, sizeof p->remote_addr);
	p->remote_port = (int)rm->m_port;
	p->remote_rtcp_port = p->remote_port + 1;
	if ((a = sdp_attribute_find(rm->m_attributes, "rtcp")) != NULL &&
	    a->a_value != NULL) {
		int port = atoi(a->a_value);

		if (port > 0 && port <= 65535)
			p->remote_rtcp_port = port;
	}
	if ((a = sdp_attribute_find(rm->m_attributes, "ptime")) != NULL &&
	    a->a_value != NULL) {
		int ptime = atoi(a->a_value);

		if (ptime >= 10 && ptime <= 60 && ptime % 10 == 0)
			p->ptime = ptime;
	}

	/* The codec: the first known one in the answer, sent with the
	 * payload type the peer declared for it. */
	am = local_is_answer ? lm : rm;
	for (map = am->m_rtpmaps; map != NULL; map = map->rm_next) {
		if (sip_sdp_known(map) == NULL)
			continue;
		for (r = rm->m_rtpmaps; r != NULL; r = r->rm_next) {
			if (sip_sdp_same(map, r))
				break;
		}
		if (r != NULL) {
			sip_sdp_pt(&p->send, r);
			break;
		}
	}
	if (map == NULL) {
		*cause = xstrdup("no common codec in the answer");
		goto out;
	}
	/* telephone-event at the codec's clock rate, else any. */
	for (r = rm->m_rtpmaps; r != NULL; r = r->rm_next) {
		if (!sip_sdp_is_te(r))
			continue;
		if (p->send_te_pt < 0 || (int)r->rm_rate == p->send.rate) {
			p->send_te_pt = r->rm_pt;
			p->send_te_rate = (int)r->rm_rate;
		}
	}
	for (r = lm->m_rtpmaps; r != NULL && p->nrecv < MEDIA_MAX_PT; r = r->rm_next)
		sip_sdp_pt(&p->recv[p->nrecv++], r);

	/* Direction: we send if we may send and they receive, and so on.
	 * c=0.0.0.0 is the old (RFC 2543) way to say hold. */
	lmode = lm->m_mode;
	rmode = rm->m_mode;
	if (strcmp(addr, "0.0.0.0") == 0)
		rmode &= ~(unsigned int)sdp_recvonly;
	if ((lmode & sdp_sendonly) && (rmode & sdp_recvonly))
		dir |= MEDIA_SENDONLY;
	if ((lmode & sdp_recvonly) && (rmode & sdp_sendonly))
		dir |= MEDIA_RECVONLY;
	p->dir = (enum media_dir)dir;
	p->remote_hold = !(rm->m_mode & sdp_recvonly) ||
	    strcmp(addr, "0.0.0.0") == 0;

	/* SDES: the answer's one a=crypto line names the tag; our key for
	 * it is in KEYS, the peer's is in its SDP. */
	if (sip_sdp_crypto(am, -1, &p->srtp_rx) == 0) {
		int	 tag = p->srtp_rx.tag, i;

		if (!local_is_answer || sip_sdp_crypto(rm, tag, &p->srtp_rx) == 0) {
			for (i = 0; keys != NULL && i < keys->n; i++) {
				if (keys->c[i].tag == tag &&
				    keys->c[i].suite == p->srtp_rx.suite) {
					p->srtp_tx = keys->c[i];
					p->srtp = true;
				}
			}
		}
		if (!p->srtp) {
			media_srtp_crypto_wipe(&p->srtp_rx);
			xasprintf(cause, "the SRTP keys of the answer (tag %d) "
			    "match no offered key", tag);
			goto out;
		}
	}
	rc = 0;
out:
	su_home_deinit(home);
	return rc;
}
