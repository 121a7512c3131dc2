/*
 * sip-sdp.c: SDP for calls (RFC 3264 offer/answer through Sofia's soa).
 *
 * Offers are our codecs on one audio line. Answers are ours to decide:
 * soa on its own takes the first offered line of our profile and type,
 * usable or not, and refuses every other one with a made-up format. So
 * the user SDP we hand it for an answer has a line for each offered
 * stream with a port, in order: ours for the stream we take, port 0 and
 * the offered formats for the rest; soa, matching lines by type,
 * profile and codec, then gives each offered line its own.
 *
 * soa does not tell the media engine what to do either: this file reads
 * the two SDPs of an exchange and derives it: where to send, which codec
 * and payload type, whether telephone-event can be used, which direction
 * media flows, and whether the peer holds us. Remote SDP is untrusted
 * input.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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
sip_sdp_add_rtcp(char *sdp, const char *addr, int port)
{
	const char	*ipver = strchr(addr, ':') != NULL ? "IP6" : "IP4";
	char		*p, *eol, *out;

	for (p = sdp; p != NULL && *p != '\0'; p = eol + 1) {
		if ((eol = strchr(p, '\n')) == NULL)
			break;
		if (strncmp(p, "m=", 2) == 0 && strncmp(p + strcspn(p, " "),
		    " 0 ", 3) != 0) {
			xasprintf(&out, "%.*sa=rtcp:%d IN %s %s\r\n%s",
			    (int)(eol + 1 - sdp), sdp, port, ipver, addr, eol + 1);
			util_free_secret(sdp);
			return out;
		}
	}
	return sdp;
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

/*
 * Parse TEXT (WHAT names it in errors). The guard in front of Sofia's
 * parser (sip-sdp-guard.c) turns SDP it refuses, or Sofia cannot parse,
 * into an empty description whose SIP_SDP_BAD_ATTR says why: read that as
 * the error it stands for.
 */
static sdp_session_t *
sip_sdp_parse(su_home_t *home, const char *text, const char *what,
    char **cause)
{
	sdp_parser_t	*p;
	sdp_session_t	*s;
	sdp_attribute_t	*a;

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
	if ((a = sdp_attribute_find(s->sdp_attributes, SIP_SDP_BAD_ATTR)) != NULL) {
		xasprintf(cause, "bad %s SDP: %s", what,
		    a->a_value != NULL ? a->a_value : "unparsable");
		return NULL;
	}
	return s;
}

int
sip_sdp_check(const char *text, char **cause)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	int		 rc;

	rc = sip_sdp_parse(home, text, "offered", cause) != NULL ? 0 : -1;
	su_home_deinit(home);
	return rc;
}

/*
 * How far an offered stream got towards being usable, in the order of
 * the checks; of the streams that fail, the one that got furthest says
 * why the offer is refused.
 */
enum sip_sdp_stage {
	SIP_SDP_NOT_AUDIO,
	SIP_SDP_DISABLED,		/* port 0 */
	SIP_SDP_TRANSPORT,
	SIP_SDP_ADDRESS,
	SIP_SDP_CODEC,
	SIP_SDP_SRTP,
	SIP_SDP_USABLE,
};

/* What an offered stream would give, best last. */
enum sip_sdp_rank {
	SIP_SDP_NONE,
	SIP_SDP_PLAIN,			/* RTP/AVP in the clear */
	SIP_SDP_SDES_AVP,		/* a=crypto on RTP/AVP ("best effort") */
	SIP_SDP_SAVP,			/* RTP/SAVP */
};

struct sip_sdp_stream {
	enum sip_sdp_stage	 stage;
	enum sip_sdp_rank	 rank;
	int			 warn;		/* when not usable */
	char			*why;
	sdp_rtpmap_t		*codec;		/* the offered codec we take */
	const struct sip_sdp_codec *ours;
	sdp_rtpmap_t		*te;		/* telephone-event, or NULL */
	struct media_srtp_crypto crypto;	/* the offered line we echo */
	bool			 has_crypto;
};

static void
sip_sdp_fail(struct sip_sdp_stream *st, enum sip_sdp_stage stage, int warn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
sip_sdp_fail(struct sip_sdp_stream *st, enum sip_sdp_stage stage, int warn,
    const char *fmt, ...)
{
	va_list	 ap;

	st->stage = stage;
	st->rank = SIP_SDP_NONE;
	st->warn = warn;
	free(st->why);
	va_start(ap, fmt);
	xvasprintf(&st->why, fmt, ap);
	va_end(ap);
}

/* Is the connection address of M one media can send to? */
static int
sip_sdp_address(sdp_session_t const *s, sdp_media_t const *m, char **why)
{
	sdp_connection_t const	*c = m->m_connections != NULL ?
	    m->m_connections : s->sdp_connection;
	unsigned char		 buf[sizeof(struct in6_addr)];
	int			 af;

	if (c == NULL || c->c_address == NULL) {
		*why = xstrdup("no connection address (c=)");
		return SIP_SDP_WARN_ADDRESS;
	}
	if (c->c_nettype != sdp_net_in ||
	    (c->c_addrtype != sdp_addr_ip4 && c->c_addrtype != sdp_addr_ip6)) {
		xasprintf(why, "connection address %.64s is not IN IP4 or IN IP6",
		    c->c_address);
		return SIP_SDP_WARN_ADDRESS;
	}
	af = c->c_addrtype == sdp_addr_ip4 ? AF_INET : AF_INET6;
	if (inet_pton(af, c->c_address, buf) != 1) {
		xasprintf(why, "connection address %.64s is not a numeric %s "
		    "address", c->c_address, af == AF_INET ? "IPv4" : "IPv6");
		return SIP_SDP_WARN_ADDRESS;
	}
	if (c->c_mcast || (af == AF_INET && buf[0] >= 224 && buf[0] <= 239) ||
	    (af == AF_INET6 && buf[0] == 0xff)) {
		xasprintf(why, "multicast address %.64s", c->c_address);
		return SIP_SDP_WARN_MULTICAST;
	}
	return 0;
}

/*
 * The offered codec to answer M with: the first of the account's codecs
 * that M has (our order: soa sorts by ours too), or NULL with the offered
 * ones listed in *WHY.
 */
static sdp_rtpmap_t *
sip_sdp_pick_codec(sdp_media_t const *m, const struct conf_account *ca,
    const struct sip_sdp_codec **ours, char **why)
{
	sdp_rtpmap_t	*rm;
	char		 list[256] = "";
	int		 i;

	for (i = 0; i < ca->ncodecs; i++) {
		*ours = sip_sdp_codec(ca->codecs[i]);
		for (rm = m->m_rtpmaps; *ours != NULL && rm != NULL; rm = rm->rm_next) {
			if (sip_sdp_known(rm) == *ours)
				return rm;
		}
	}
	for (rm = m->m_rtpmaps; rm != NULL; rm = rm->rm_next) {
		if (!sip_sdp_is_te(rm) && strlen(list) < sizeof list - 40)
			snprintf(list + strlen(list), sizeof list - strlen(list),
			    "%s%.16s/%lu", *list != '\0' ? " " : "",
			    rm->rm_encoding != NULL && *rm->rm_encoding != '\0' ?
			    rm->rm_encoding : "?", rm->rm_rate);
	}
	xasprintf(why, "no common codec (offered: %s)",
	    *list != '\0' ? list : "none");
	return NULL;
}

/*
 * RFC 4733: the telephone-event to answer: only one that was offered,
 * the one at the codec's clock rate if there is one (2.1: events use the
 * audio clock), else the first.
 */
static sdp_rtpmap_t *
sip_sdp_pick_te(sdp_media_t const *m, unsigned long rate)
{
	sdp_rtpmap_t	*rm, *te = NULL;

	for (rm = m->m_rtpmaps; rm != NULL; rm = rm->rm_next) {
		if (!sip_sdp_is_te(rm))
			continue;
		if (rm->rm_rate == rate)
			return rm;
		if (te == NULL)
			te = rm;
	}
	return te;
}

/* SDES: the first offered a=crypto line whose suite we have; each line
 * that is not is skipped (RFC 4568 7.1.2). *WHY: the last one's fault. */
static bool
sip_sdp_pick_crypto(sdp_media_t const *m, struct media_srtp_crypto *out,
    char **why)
{
	sdp_attribute_t	*a;
	char		*e = NULL;

	for (a = m->m_attributes; a != NULL; a = a->a_next) {
		if (a->a_name == NULL || strcasecmp(a->a_name, "crypto") != 0 ||
		    a->a_value == NULL)
			continue;
		free(e);
		e = NULL;
		if (media_srtp_crypto_parse(a->a_value, out, &e) != 0)
			continue;
		if (media_srtp_supported(out->suite)) {
			free(e);
			return true;
		}
		xasprintf(&e, "this SRTP library lacks %s",
		    media_srtp_suite_name(out->suite));
		media_srtp_crypto_wipe(out);
	}
	media_srtp_crypto_wipe(out);
	free(*why);
	*why = e;
	return false;
}

/* Judge offered stream M of S for account CA. */
static void
sip_sdp_judge(sdp_session_t const *s, sdp_media_t *m,
    const struct conf_account *ca, struct sip_sdp_stream *st)
{
	char	*why = NULL;
	int	 warn;
	bool	 savp;

	if (m->m_type != sdp_media_audio) {
		sip_sdp_fail(st, SIP_SDP_NOT_AUDIO, SIP_SDP_WARN_MEDIA,
		    "no audio stream in the offer");
		return;
	}
	if (m->m_port == 0) {
		sip_sdp_fail(st, SIP_SDP_DISABLED, SIP_SDP_WARN_MISC,
		    "the offer's audio is disabled (port 0)");
		return;
	}
	if (m->m_proto != sdp_proto_rtp && m->m_proto != sdp_proto_srtp) {
		sip_sdp_fail(st, SIP_SDP_TRANSPORT, SIP_SDP_WARN_TRANSPORT,
		    "unsupported media profile %.32s (RTP/AVP and RTP/SAVP are)",
		    m->m_proto_name != NULL ? m->m_proto_name : "?");
		return;
	}
	savp = m->m_proto == sdp_proto_srtp;
	if (m->m_port > 65535) {
		sip_sdp_fail(st, SIP_SDP_ADDRESS, SIP_SDP_WARN_ADDRESS,
		    "bad port %lu", m->m_port);
		return;
	}
	if ((warn = sip_sdp_address(s, m, &why)) != 0) {
		sip_sdp_fail(st, SIP_SDP_ADDRESS, warn, "%s", why);
		free(why);
		return;
	}
	if ((st->codec = sip_sdp_pick_codec(m, ca, &st->ours, &why)) == NULL) {
		sip_sdp_fail(st, SIP_SDP_CODEC, SIP_SDP_WARN_FORMAT, "%s", why);
		free(why);
		return;
	}
	st->te = sip_sdp_pick_te(m, st->codec->rm_rate);

	/* SRTP: off takes RTP/AVP only, in the clear; optional takes
	 * what comes; mandatory takes keys only. */
	if (ca->srtp == CONF_SRTP_OFF) {
		if (savp) {
			sip_sdp_fail(st, SIP_SDP_SRTP, SIP_SDP_WARN_TRANSPORT,
			    "the caller requires SRTP (RTP/SAVP) and srtp = off");
			return;
		}
		st->rank = SIP_SDP_PLAIN;
	} else if (sip_sdp_pick_crypto(m, &st->crypto, &why)) {
		st->has_crypto = true;
		st->rank = savp ? SIP_SDP_SAVP : SIP_SDP_SDES_AVP;
	} else if (savp) {
		sip_sdp_fail(st, SIP_SDP_SRTP, SIP_SDP_WARN_MISC,
		    "no SRTP crypto suite in common with the caller%s%s",
		    why != NULL ? ": " : "", why != NULL ? why : "");
		free(why);
		return;
	} else if (ca->srtp == CONF_SRTP_MANDATORY) {
		sip_sdp_fail(st, SIP_SDP_SRTP, SIP_SDP_WARN_MISC,
		    "srtp = mandatory and the caller offers no SRTP%s%s",
		    why != NULL ? ": " : "", why != NULL ? why : "");
		free(why);
		return;
	} else
		st->rank = SIP_SDP_PLAIN;
	free(why);
	st->stage = SIP_SDP_USABLE;
}

/* Our line for the stream we take: the offer's profile and payload
 * types, our codec's fmtp, telephone-event's events as offered (we send
 * 0-15, which any offer has), one a=crypto echoing the offered tag. */
static void
sip_sdp_our_line(char **out, sdp_media_t const *m,
    const struct sip_sdp_stream *st, int port, const struct sip_sdp_keys *keys)
{
	sdp_rtpmap_t	*r[2] = { st->codec, st->te };
	char		 line[MEDIA_SRTP_LINE_MAX];
	size_t		 i;

	sip_sdp_cat(out, "m=audio %d %s %u", port,
	    m->m_proto == sdp_proto_srtp ? "RTP/SAVP" : "RTP/AVP",
	    st->codec->rm_pt);
	if (st->te != NULL)
		sip_sdp_cat(out, " %u", st->te->rm_pt);
	sip_sdp_cat(out, "\r\n");
	for (i = 0; i < nitems(r); i++) {
		if (r[i] == NULL)
			continue;
		sip_sdp_cat(out, "a=rtpmap:%u %s/%lu%s%s\r\n", r[i]->rm_pt,
		    r[i]->rm_encoding, r[i]->rm_rate,
		    r[i]->rm_params != NULL ? "/" : "",
		    r[i]->rm_params != NULL ? r[i]->rm_params : "");
	}
	if (st->ours->fmtp != NULL)
		sip_sdp_cat(out, "a=fmtp:%u %s\r\n", st->codec->rm_pt, st->ours->fmtp);
	if (st->te != NULL && st->te->rm_fmtp != NULL)
		sip_sdp_cat(out, "a=fmtp:%u %s\r\n", st->te->rm_pt, st->te->rm_fmtp);
	if (keys->n == 1 &&
	    media_srtp_crypto_format(&keys->c[0], line, sizeof line) > 0)
		sip_sdp_cat(out, "a=crypto:%s\r\n", line);
	util_wipe(line, sizeof line);
	sip_sdp_cat(out, "a=ptime:20\r\na=sendrecv\r\n");
}

/*
 * A stream we do not take: its type, port 0, its profile and its formats
 * (with the rtpmaps that name dynamic ones), so the answer keeps them and
 * soa, matching our lines to the offer's by type, profile and codec,
 * gives each offered line its own.
 */
static void
sip_sdp_refused_line(char **out, sdp_media_t const *m)
{
	sdp_rtpmap_t	*rm;
	sdp_list_t	*l;

	if (m->m_type_name == NULL || m->m_proto_name == NULL ||
	    (m->m_rtpmaps == NULL && m->m_format == NULL))
		return;		/* soa makes its own refusal of it */
	sip_sdp_cat(out, "m=%s 0 %s", m->m_type_name, m->m_proto_name);
	if (m->m_rtpmaps != NULL) {
		for (rm = m->m_rtpmaps; rm != NULL; rm = rm->rm_next)
			sip_sdp_cat(out, " %u", rm->rm_pt);
	} else {
		for (l = m->m_format; l != NULL; l = l->l_next)
			sip_sdp_cat(out, " %s", l->l_text);
	}
	sip_sdp_cat(out, "\r\n");
	for (rm = m->m_rtpmaps; rm != NULL; rm = rm->rm_next) {
		if (rm->rm_predef || rm->rm_encoding == NULL ||
		    *rm->rm_encoding == '\0')
			continue;
		sip_sdp_cat(out, "a=rtpmap:%u %s/%lu%s%s\r\n", rm->rm_pt,
		    rm->rm_encoding, rm->rm_rate, rm->rm_params != NULL ? "/" : "",
		    rm->rm_params != NULL ? rm->rm_params : "");
	}
}

char *
sip_sdp_answer(const char *offer, const struct conf_account *ca,
    const char *addr, int port, const struct sip_sdp_keys *reuse,
    struct sip_sdp_keys *keys, int *warn, char **cause)
{
	su_home_t		 home[1] = { SU_HOME_INIT(home) };
	sdp_session_t		*s;
	sdp_media_t		*m;
	struct sip_sdp_stream	*st = NULL, *best = NULL, *worst = NULL;
	const char		*ipver = strchr(addr, ':') != NULL ? "IP6" : "IP4";
	char			*out = NULL, *lines;
	int			 n = 0, i, audio = 0, chosen = -1;

	memset(keys, 0, sizeof *keys);
	*warn = SIP_SDP_WARN_MISC;
	if ((s = sip_sdp_parse(home, offer, "offered", cause)) == NULL)
		goto out;
	for (m = s->sdp_media; m != NULL; m = m->m_next)
		n++;
	st = xcalloc(n > 0 ? (size_t)n : 1, sizeof *st);

	/* RFC 3264 6: take the best usable audio stream, the first of its
	 * kind; refuse the others with port 0. */
	for (i = 0, m = s->sdp_media; m != NULL; i++, m = m->m_next) {
		sip_sdp_judge(s, m, ca, &st[i]);
		if (m->m_type == sdp_media_audio)
			audio++;
		if (st[i].stage == SIP_SDP_USABLE &&
		    (best == NULL || st[i].rank > best->rank)) {
			best = &st[i];
			chosen = i;
		}
		if (st[i].stage != SIP_SDP_USABLE &&
		    (worst == NULL || st[i].stage > worst->stage))
			worst = &st[i];
	}
	if (best == NULL) {
		if (worst == NULL || audio == 0) {
			*warn = SIP_SDP_WARN_MEDIA;
			*cause = xstrdup("the offer has no audio stream");
		} else {
			*warn = worst->warn;
			if (audio > 1)
				xasprintf(cause, "no usable audio stream; "
				    "stream %d: %s", (int)(worst - st) + 1, worst->why);
			else
				*cause = xstrdup(worst->why);
		}
		goto out;
	}

	if (best->has_crypto) {
		if (reuse != NULL && reuse->n == 1 &&
		    reuse->c[0].tag == best->crypto.tag &&
		    reuse->c[0].suite == best->crypto.suite)
			keys->c[0] = reuse->c[0];
		else if (media_srtp_keygen(&keys->c[0], best->crypto.suite,
		    best->crypto.tag) != 0) {
			*cause = xstrdup("cannot make SRTP keys");
			goto out;
		}
		keys->n = 1;
	}
	lines = xstrdup("");
	for (i = 0, m = s->sdp_media; m != NULL; i++, m = m->m_next) {
		if (i == chosen)
			sip_sdp_our_line(&lines, m, best, port, keys);
		else if (m->m_port != 0)
			sip_sdp_refused_line(&lines, m);
	}
	xasprintf(&out,
	    "v=0\r\n"
	    "o=- 0 0 IN %s %s\r\n"
	    "s=tsphone\r\n"
	    "c=IN %s %s\r\n"
	    "t=0 0\r\n"
	    "%s",
	    ipver, addr, ipver, addr, lines);
	util_free_secret(lines);
out:
	for (i = 0; st != NULL && i < n; i++) {
		free(st[i].why);
		media_srtp_crypto_wipe(&st[i].crypto);
	}
	free(st);
	su_home_deinit(home);
	return out;
}

/*
 * The stream an exchange agreed on: the answer's audio line with a port,
 * and the offer's line at the same place (RFC 3264 6: one answer line
 * per offered line, in order). Our user SDP, where it stands in for an
 * answer, leaves out the lines offered with port 0 (soa refuses them by
 * itself): then it is the offer's Nth line with a port.
 */
static int
sip_sdp_pair(sdp_session_t *offer, sdp_session_t *answer, sdp_media_t **om,
    sdp_media_t **am, char **cause)
{
	sdp_media_t	*m;
	int		 i = 0, j, no = 0, na = 0;

	for (m = offer->sdp_media; m != NULL; m = m->m_next)
		no++;
	for (m = answer->sdp_media; m != NULL; m = m->m_next)
		na++;
	for (*am = answer->sdp_media; *am != NULL; *am = (*am)->m_next, i++) {
		if ((*am)->m_type == sdp_media_audio && (*am)->m_port != 0)
			break;
	}
	if (*am == NULL) {
		*cause = xstrdup(na == 0 || no == 0 ?
		    "no audio stream in the exchange" :
		    "audio was rejected (no common codec or profile)");
		return -1;
	}
	for (*om = offer->sdp_media, j = 0; *om != NULL; *om = (*om)->m_next) {
		if (na != no && (*om)->m_port == 0)
			continue;
		if (j++ == i)
			break;
	}
	if (*om == NULL || (*om)->m_type != sdp_media_audio ||
	    (*om)->m_port == 0) {
		*cause = xstrdup("the answer's audio matches no offered audio stream");
		return -1;
	}
	return 0;
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
	if (local_is_answer ? sip_sdp_pair(rs, ls, &rm, &lm, cause) != 0 :
	    sip_sdp_pair(ls, rs, &lm, &rm, cause) != 0)
		goto out;
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
	/* telephone-event: the answer's, at the codec's clock rate if it
	 * has one (RFC 4733 2.1), else its first; sent with the payload
	 * type the peer gave it. */
	for (map = am->m_rtpmaps; map != NULL; map = map->rm_next) {
		if (!sip_sdp_is_te(map))
			continue;
		for (r = rm->m_rtpmaps; r != NULL; r = r->rm_next) {
			if (sip_sdp_is_te(r) && r->rm_rate == map->rm_rate)
				break;
		}
		if (r == NULL)
			continue;
		if (p->send_te_pt < 0 || (int)r->rm_rate == p->send.rate) {
			p->send_te_pt = r->rm_pt;
			p->send_te_rate = (int)r->rm_rate;
		}
		if ((int)r->rm_rate == p->send.rate)
			break;
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
