/*
 * conf.c: tsphone.conf(5). The file is read line by line against one table
 * of keys; every problem is collected with its line so that a user fixes
 * them all in one go instead of one per run. The same table gives the
 * defaults, the --init-config template (which therefore cannot miss a key)
 * and conf_keys() for the man page check.
 *
 * Secrets (password, ha1) are wiped wherever this file put them: the line
 * buffer, the stdio buffer, scratch copies. password_cmd is only stored;
 * the core runs it when it sets the account up.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "key-string.h"
#include "sip-uri.h"
#include "util.h"

/* Longest account name: it travels in events with EVENT_NAME_MAX (64). */
#define CONF_NAME_MAX		63
/* Longest piece of a bad value quoted back in a message. */
#define CONF_QUOTE_MAX		60

/* Flags of a key. */
#define CONF_KEY_SECRET		0x1	/* wiped, never echoed, permission rule */
#define CONF_KEY_CREDENTIAL	0x2	/* at most one per account */
#define CONF_KEY_RAW		0x4	/* the value as written: its quotes
					   are the parser's (a command) */

struct conf_key;
typedef int (*conf_parse_h)(const struct conf_key *, void *, const char *,
    char **);

struct conf_key {
	struct conf_key_info	 info;
	conf_parse_h		 parse;
	size_t			 offset;	/* field in struct conf or conf_account */
	size_t			 offset2;	/* second field (the port of listen) */
	const char *const	*names;		/* enum values, indexed by the enum */
	int			 min;		/* integer range */
	int			 max;
	int			 flags;
	/* Template line when "#key = default" does not fit. */
	const char		*tmpl;
};

static int	conf_parse_string(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_secret(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_uri(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_listen(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_enum(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_stun(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_bool(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_int(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_codecs(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_echo(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_ha1(const struct conf_key *, void *, const char *,
		    char **);
static int	conf_parse_command(const struct conf_key *, void *,
		    const char *, char **);
static int	conf_parse_mwi(const struct conf_key *, void *, const char *,
		    char **);

/*
 * Enum names, indexed by the enum value so that parsing (name to value) and
 * printing (value to name) cannot disagree.
 */
static const char *const conf_transport_names[] = {
	[CONF_TRANSPORT_UDP] = "udp",
	[CONF_TRANSPORT_TCP] = "tcp",
	[CONF_TRANSPORT_TLS] = "tls",
	NULL
};
static const char *const conf_srtp_names[] = {
	[CONF_SRTP_OFF] = "off",
	[CONF_SRTP_OPTIONAL] = "optional",
	[CONF_SRTP_MANDATORY] = "mandatory",
	NULL
};
static const char *const conf_dtmf_names[] = {
	[CONF_DTMF_RFC4733] = "rfc4733",
	[CONF_DTMF_INFO] = "info",
	NULL
};
static const char *const conf_refer_names[] = {
	[CONF_REFER_ACCEPT] = "accept",
	[CONF_REFER_ASK] = "ask",
	[CONF_REFER_REFUSE] = "refuse",
	NULL
};
static const char *const conf_driver_names[] = {
	[CONF_DRIVER_PORTAUDIO] = "portaudio",
	[CONF_DRIVER_FILE] = "file",
	[CONF_DRIVER_NULL] = "null",
	NULL
};
static const char *const conf_codec_names[] = {
	[CONF_CODEC_OPUS] = "opus",
	[CONF_CODEC_PCMU] = "pcmu",
	[CONF_CODEC_PCMA] = "pcma",
	NULL
};

/* conf_parse_enum stores enums through an int pointer. */
_Static_assert(sizeof(enum conf_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_srtp) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_dtmf) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_refer) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_driver) == sizeof(int), "enum size");

#define CONF_OFF(f)	offsetof(struct conf, f)
#define CONF_AOFF(f)	offsetof(struct conf_account, f)

/*
 * Every key, grouped by section in the order the template and the man page
 * show them. Adding a key here makes it parsed, templated and listed.
 */
static const struct conf_key conf_table[] = {
	{ .info = { "sip", "listen", "address", "0.0.0.0:5060",
	    "address:port for SIP over UDP and TCP; port 0 = any free port" },
	  .parse = conf_parse_listen, .offset = CONF_OFF(listen_host),
	  .offset2 = CONF_OFF(listen_port) },
	{ .info = { "sip", "tls_listen", "address", NULL,
	    "address:port for SIP over TLS; no TLS listener when unset" },
	  .parse = conf_parse_listen, .offset = CONF_OFF(tls_listen_host),
	  .offset2 = CONF_OFF(tls_listen_port),
	  .tmpl = "#tls_listen = 0.0.0.0:5061" },
	{ .info = { "sip", "user_agent", "string", "tsphone/" PACKAGE_VERSION,
	    "User-Agent header sent with every request and response" },
	  .parse = conf_parse_string, .offset = CONF_OFF(user_agent) },
	{ .info = { "sip", "ring_timeout", "int", "60",
	    "seconds an incoming call rings before it is refused with 480 "
	    "(5 to 600)" },
	  .parse = conf_parse_int, .offset = CONF_OFF(ring_timeout),
	  .min = 5, .max = 600 },
	{ .info = { "sip", "rtp_timeout", "int", "30",
	    "seconds without RTP (when not on hold) before a call is hung up; "
	    "0 = never" },
	  .parse = conf_parse_int, .offset = CONF_OFF(rtp_timeout),
	  .min = 0, .max = 3600 },
	{ .info = { "sip", "rtp_keepalive", "int", "15",
	    "seconds without sending RTP (on hold, say) before an RTP "
	    "keep-alive keeps the NAT binding open (1 to 300); 0 = none" },
	  .parse = conf_parse_int, .offset = CONF_OFF(rtp_keepalive),
	  .min = 0, .max = 300 },
	{ .info = { "sip", "session_expires", "int", "1800",
	    "RFC 4028 session timer in seconds (90 to 86400): dead calls end; "
	    "0 = off" },
	  .parse = conf_parse_int, .offset = CONF_OFF(session_expires),
	  .min = 0, .max = 86400 },
	{ .info = { "sip", "tls_ca_file", "path", "the system trust store",
	    "PEM file of the CAs trusted to sign TLS server certificates" },
	  .parse = conf_parse_string, .offset = CONF_OFF(tls_ca_file),
	  .tmpl = "#tls_ca_file = /etc/ssl/certs/ca-certificates.crt" },
	{ .info = { "sip", "tls_cert_file", "path", NULL,
	    "PEM certificate presented over TLS (client certificate, and the "
	    "tls_listen server's)" },
	  .parse = conf_parse_string, .offset = CONF_OFF(tls_cert_file),
	  .tmpl = "#tls_cert_file = ~/.config/tsphone/client.pem" },
	{ .info = { "sip", "tls_key_file", "path", NULL,
	    "PEM private key of tls_cert_file; readable by you alone" },
	  .parse = conf_parse_string, .offset = CONF_OFF(tls_key_file),
	  .tmpl = "#tls_key_file = ~/.config/tsphone/client.key" },
	{ .info = { "sip", "tls_verify", "bool", "yes",
	    "check TLS server certificates (chain, dates, host name); "
	    "no is insecure" },
	  .parse = conf_parse_bool, .offset = CONF_OFF(tls_verify) },

	{ .info = { "audio", "driver", "enum", "portaudio",
	    "audio driver: portaudio, file (WAV files) or null (silence)" },
	  .parse = conf_parse_enum, .offset = CONF_OFF(driver),
	  .names = conf_driver_names },
	{ .info = { "audio", "input", "string", "default",
	    "portaudio: capture device (name or index); file: WAV file to "
	    "send, looped" },
	  .parse = conf_parse_string, .offset = CONF_OFF(input) },
	{ .info = { "audio", "output", "string", "default",
	    "portaudio: playback device (name or index); file: WAV file to "
	    "write" },
	  .parse = conf_parse_string, .offset = CONF_OFF(output) },
	{ .info = { "audio", "ring", "string", "default",
	    "playback device for the ringtone (portaudio only)" },
	  .parse = conf_parse_string, .offset = CONF_OFF(ring) },
	{ .info = { "audio", "rate", "int", "48000",
	    "sample rate asked of the device, 8000 to 48000 Hz; a device "
	    "that runs at another rate is followed" },
	  .parse = conf_parse_int, .offset = CONF_OFF(rate),
	  .min = 8000, .max = 48000 },
	{ .info = { "audio", "period", "int", "20",
	    "device period in ms: 10 or 20" },
	  .parse = conf_parse_int, .offset = CONF_OFF(period),
	  .min = 10, .max = 20 },
	{ .info = { "audio", "aec", "bool", "yes with portaudio, else no",
	    "echo cancellation (needs input and output on one device)" },
	  .parse = conf_parse_bool, .offset = CONF_OFF(aec),
	  .tmpl = "#aec = yes" },
	{ .info = { "audio", "echo_tail", "int", "200",
	    "longest echo cancelled, in ms (50 to 500)" },
	  .parse = conf_parse_int, .offset = CONF_OFF(echo_tail),
	  .min = 50, .max = 500 },
	{ .info = { "audio", "noise_suppression", "bool",
	    "yes with portaudio, else no",
	    "suppress steady background noise in what you send" },
	  .parse = conf_parse_bool, .offset = CONF_OFF(noise_suppression),
	  .tmpl = "#noise_suppression = yes" },
	{ .info = { "audio", "agc", "bool", "no",
	    "automatic gain control of the microphone" },
	  .parse = conf_parse_bool, .offset = CONF_OFF(agc) },
	{ .info = { "audio", "opus_complexity", "int", "5",
	    "Opus encoder complexity, 0 (cheapest) to 10 (best)" },
	  .parse = conf_parse_int, .offset = CONF_OFF(opus_complexity),
	  .min = 0, .max = 10 },
	{ .info = { "audio", "opus_bitrate", "int", "32000",
	    "Opus bit rate we send, 6000 to 510000 bit/s" },
	  .parse = conf_parse_int, .offset = CONF_OFF(opus_bitrate),
	  .min = 6000, .max = 510000 },
	{ .info = { "audio", "file_echo", "DELAY_MS GAIN_DB", NULL,
	    "test aid of the file driver: what it plays is mixed into what "
	    "it captures, DELAY_MS later and GAIN_DB louder" },
	  .parse = conf_parse_echo, .offset = CONF_OFF(file_echo),
	  .tmpl = "#file_echo = 60 -6" },

	{ .info = { "hooks", "incoming", "command", NULL,
	    "command run when an incoming call rings (never through a shell; "
	    "TSPHONE_* variables say which call)" },
	  .parse = conf_parse_command, .offset = CONF_OFF(hook_incoming),
	  .flags = CONF_KEY_RAW,
	  .tmpl = "#incoming = sh -c 'notify-send \"Call from "
	    "$TSPHONE_DISPLAY\" \"$TSPHONE_REMOTE\"'" },
	{ .info = { "hooks", "missed", "command", NULL,
	    "command run when an incoming call was missed" },
	  .parse = conf_parse_command, .offset = CONF_OFF(hook_missed),
	  .flags = CONF_KEY_RAW,
	  .tmpl = "#missed = curl -s -m 5 -d on http://lamp.local/missed" },
	{ .info = { "hooks", "message", "command", NULL,
	    "command run when a text message (SIP MESSAGE) comes in" },
	  .parse = conf_parse_command, .offset = CONF_OFF(hook_message),
	  .flags = CONF_KEY_RAW,
	  .tmpl = "#message = notify-send tsphone \"new message\"" },
	{ .info = { "hooks", "timeout", "int", "10",
	    "seconds a hook may run before it is killed (1 to 600)" },
	  .parse = conf_parse_int, .offset = CONF_OFF(hook_timeout),
	  .min = 1, .max = 600 },

	{ .info = { "account", "uri", "uri", NULL,
	    "address of record, sip:user@domain (required)" },
	  .parse = conf_parse_uri, .offset = CONF_AOFF(uri),
	  .tmpl = "uri = sip:alice@example.com" },
	{ .info = { "account", "display_name", "string", NULL,
	    "name shown to the people you call" },
	  .parse = conf_parse_string, .offset = CONF_AOFF(display_name),
	  .tmpl = "#display_name = Alice" },
	{ .info = { "account", "username", "string", "user part of uri",
	    "user name for authentication" },
	  .parse = conf_parse_string, .offset = CONF_AOFF(username),
	  .tmpl = "#username = alice" },
	{ .info = { "account", "password", "secret", NULL,
	    "password; the file must then be readable by you alone "
	    "(chmod 600)" },
	  .parse = conf_parse_secret, .offset = CONF_AOFF(password),
	  .flags = CONF_KEY_SECRET|CONF_KEY_CREDENTIAL,
	  .tmpl = "#password = secret" },
	{ .info = { "account", "password_cmd", "command", NULL,
	    "command (run by /bin/sh -c at start) printing the password on "
	    "its first line" },
	  .parse = conf_parse_string, .offset = CONF_AOFF(password_cmd),
	  .flags = CONF_KEY_CREDENTIAL,
	  .tmpl = "#password_cmd = pass show sip/alice" },
	{ .info = { "account", "ha1", "hex", NULL,
	    "MD5(username:realm:password) as 32 hex digits, instead of "
	    "password" },
	  .parse = conf_parse_ha1, .offset = CONF_AOFF(ha1),
	  .flags = CONF_KEY_SECRET|CONF_KEY_CREDENTIAL,
	  .tmpl = "#ha1 = 0123456789abcdef0123456789abcdef" },
	{ .info = { "account", "registrar", "uri", "domain of uri",
	    "registrar to register with" },
	  .parse = conf_parse_uri, .offset = CONF_AOFF(registrar),
	  .tmpl = "#registrar = sip:example.com" },
	{ .info = { "account", "proxy", "uri", NULL,
	    "outbound proxy every request goes through; none when unset" },
	  .parse = conf_parse_uri, .offset = CONF_AOFF(proxy),
	  .tmpl = "#proxy = sip:edge.example.com;transport=tcp" },
	{ .info = { "account", "transport", "enum", "udp",
	    "transport to the registrar and proxy: udp, tcp or tls" },
	  .parse = conf_parse_enum, .offset = CONF_AOFF(transport),
	  .names = conf_transport_names },
	{ .info = { "account", "register", "bool", "yes",
	    "register at start and unregister at quit" },
	  .parse = conf_parse_bool, .offset = CONF_AOFF(do_register),
	  .tmpl = "register = no" },
	{ .info = { "account", "expires", "int", "600",
	    "registration lifetime to ask for, in seconds (10 to 86400)" },
	  .parse = conf_parse_int, .offset = CONF_AOFF(expires),
	  .min = 10, .max = 86400 },
	{ .info = { "account", "keepalive", "int", "25",
	    "seconds between keep-alives to the registrar or proxy while "
	    "registered, so that a NAT keeps our binding: an OPTIONS over "
	    "UDP, a CRLF ping over TCP and TLS; 0 = none" },
	  .parse = conf_parse_int, .offset = CONF_AOFF(keepalive),
	  .min = 0, .max = 3600 },
	{ .info = { "account", "codecs", "list", "opus, pcmu, pcma",
	    "audio codecs in order of preference: opus, pcmu, pcma" },
	  .parse = conf_parse_codecs, .offset = CONF_AOFF(codecs) },
	{ .info = { "account", "dtmf", "enum", "rfc4733",
	    "how DTMF digits are sent: rfc4733 (RTP events) or info "
	    "(SIP INFO)" },
	  .parse = conf_parse_enum, .offset = CONF_AOFF(dtmf),
	  .names = conf_dtmf_names },
	{ .info = { "account", "refer", "enum", "accept",
	    "what a transfer asked by the remote party (REFER) gets: accept "
	    "(follow it), ask (the user decides: refer accept|refuse) or "
	    "refuse (603 Declined)" },
	  .parse = conf_parse_enum, .offset = CONF_AOFF(refer),
	  .names = conf_refer_names },
	{ .info = { "account", "srtp", "enum", "off",
	    "media encryption: off, optional or mandatory" },
	  .parse = conf_parse_enum, .offset = CONF_AOFF(srtp),
	  .names = conf_srtp_names },
	{ .info = { "account", "auto_answer", "bool", "no",
	    "answer incoming calls at once" },
	  .parse = conf_parse_bool, .offset = CONF_AOFF(auto_answer) },
	{ .info = { "account", "dnd", "bool", "no",
	    "start with do not disturb on: incoming calls get 486 and count "
	    "as missed" },
	  .parse = conf_parse_bool, .offset = CONF_AOFF(dnd) },
	{ .info = { "account", "forward", "target", NULL,
	    "start with incoming calls forwarded (302) to this dial target" },
	  .parse = conf_parse_string, .offset = CONF_AOFF(forward),
	  .tmpl = "#forward = sip:voicemail@example.com" },
	{ .info = { "account", "presence", "bool", "no",
	    "publish our presence (PUBLISH, RFC 3903) to the account's server; "
	    "peers that subscribe to us directly see it either way" },
	  .parse = conf_parse_bool, .offset = CONF_AOFF(presence) },
	{ .info = { "account", "mwi", "mwi", "no",
	    "voicemail notices by subscription (RFC 3842): yes subscribes to "
	    "message-summary at the account's uri, a URI subscribes there, "
	    "no takes only the notices a server sends unasked" },
	  .parse = conf_parse_mwi, .offset = CONF_AOFF(mwi),
	  .offset2 = CONF_AOFF(mwi_uri) },
	{ .info = { "account", "stun_server", "host[:port]", NULL,
	    "STUN server (RFC 5389) asked, before each call's offer or "
	    "answer, for the public address of its RTP and RTCP sockets, "
	    "which the SDP then gives; port 3478 when none is given" },
	  .parse = conf_parse_stun, .offset = CONF_AOFF(stun_host),
	  .offset2 = CONF_AOFF(stun_port),
	  .tmpl = "#stun_server = stun.example.com:3478" },
	{ .info = { "account", "voicemail", "target", NULL,
	    "dial string of the voicemail box, which the voicemail command "
	    "and key dial" },
	  .parse = conf_parse_string, .offset = CONF_AOFF(voicemail),
	  .tmpl = "#voicemail = *97" },
};
#define CONF_NKEYS	((int)nitems(conf_table))

/* The state of one conf_load. */
struct conf_parse {
	const char		*file;
	int			 line;
	struct conf		*conf;
	struct conf_account	**tail;		/* where the next account goes */

	const char		*section;	/* "sip", "audio", "account", "keys", NULL */
	bool			 bad_section;	/* after a rejected header */
	bool			 any_account;	/* an [account ...] header was seen */
	struct conf_account	*account;	/* the open [account NAME] */
	bool			 scratch;	/* ... checked, then dropped */

	/* Line where each key was set: [sip] and [audio], then this account. */
	int			 seen[nitems(conf_table)];
	int			 seen_account[nitems(conf_table)];
	int			 secret_line;	/* first password or ha1 */

	struct conf_error	*errs;
	struct conf_error	**errs_tail;
};

static void	conf_error_add(struct conf_parse *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static bool
conf_is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* ASCII only: the locale must not change what a name may hold. */
static bool
conf_is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static bool
conf_valid_name(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!conf_is_name_char((unsigned char)s[n]))
			return false;
	}
	return n > 0 && n <= CONF_NAME_MAX;
}

static char *
conf_skip_space(char *s)
{
	while (conf_is_space((unsigned char)*s))
		s++;
	return s;
}

static void
conf_trim_end(char *s)
{
	size_t	 n = strlen(s);

	while (n > 0 && conf_is_space((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Is the rest of a line blank or a comment? */
static bool
conf_only_comment(const char *s)
{
	while (conf_is_space((unsigned char)*s))
		s++;
	return *s == '\0' || *s == '#';
}

/*
 * Copy S into BUF for quoting in a message, cut at a character boundary so
 * a runaway value (a whole binary file on one line) stays readable.
 */
static const char *
conf_shorten(const char *s, char *buf, size_t size)
{
	size_t	 n = strlen(s);

	if (n < size && n <= CONF_QUOTE_MAX)
		return s;
	n = CONF_QUOTE_MAX < size - 4 ? CONF_QUOTE_MAX : size - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

/* "a, b or c" from a NULL-terminated list of names. */
static const char *
conf_expected(const char *const *names, char *buf, size_t size)
{
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		const char *sep = "";

		if (i > 0)
			sep = names[i + 1] == NULL ? " or " : ", ";
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
		    sep, names[i]);
		if (len >= size)
			break;
	}
	return buf;
}

static void
conf_error_add(struct conf_parse *cp, int line, const char *fmt, ...)
{
	struct conf_error	*e = xcalloc(1, sizeof *e);
	va_list			 ap;

	e->file = xstrdup(cp->file);
	e->line = line;
	va_start(ap, fmt);
	xvasprintf(&e->message, fmt, ap);
	va_end(ap);
	*cp->errs_tail = e;
	cp->errs_tail = &e->next;
}

/*
 * Errors are added as found, but some only show at the end of a section or
 * of the file (a missing uri is reported at the header line), so sort by
 * line, keeping the order found within a line. The list is nearly sorted,
 * which makes a stable insertion sort cheap.
 */
static struct conf_error *
conf_errors_sort(struct conf_error *list)
{
	struct conf_error	*e, **v;
	size_t			 n = 0, i, j;

	for (e = list; e != NULL; e = e->next)
		n++;
	if (n < 2)
		return list;
	v = xcalloc(n, sizeof *v);
	for (i = 0, e = list; e != NULL; e = e->next)
		v[i++] = e;
	for (i = 1; i < n; i++) {
		e = v[i];
		for (j = i; j > 0 && v[j - 1]->line > e->line; j--)
			v[j] = v[j - 1];
		v[j] = e;
	}
	for (i = 0; i < n - 1; i++)
		v[i]->next = v[i + 1];
	v[n - 1]->next = NULL;
	list = v[0];
	free(v);
	return list;
}

static void *
conf_field(void *base, size_t offset)
{
	return (char *)base + offset;
}

static int
conf_parse_string(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char	**field = conf_field(base, k->offset);

	free(*field);
	*field = xstrdup(value);
	return 0;
}

static int
conf_parse_secret(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char	**field = conf_field(base, k->offset);

	util_free_secret(*field);
	*field = xstrdup(value);
	return 0;
}

static int
conf_parse_uri(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char	**field = conf_field(base, k->offset);
	char	 *why;

	if (sip_uri_check(value, &why) != 0) {
		xasprintf(cause, "%s: %s", k->info.key, why);
		free(why);
		return -1;
	}
	free(*field);
	*field = xstrdup(value);
	return 0;
}

/* ADDRESS:PORT with an IPv4 address or a bracketed IPv6 one. */
static int
conf_parse_listen(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char		**host_field = conf_field(base, k->offset);
	int		 *port_field = conf_field(base, k->offset2);
	char		 *host = NULL, buf[CONF_QUOTE_MAX + 4];
	const char	 *port, *end;
	unsigned char	  addr[sizeof(struct in6_addr)];
	int		  family;
	long		  n;

	if (value[0] == '[') {
		end = strchr(value, ']');
		if (end == NULL || end[1] != ':')
			goto bad;
		host = xstrndup(value + 1, end - value - 1);
		family = AF_INET6;
		port = end + 2;
	} else {
		end = strrchr(value, ':');
		if (end == NULL)
			goto bad;
		host = xstrndup(value, end - value);
		family = AF_INET;
		port = end + 1;
	}
	if (inet_pton(family, host, addr) != 1)
		goto bad;
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5)
		goto bad;
	n = strtol(port, NULL, 10);
	if (n > 65535)
		goto bad;

	free(*host_field);
	*host_field = host;
	*port_field = (int)n;
	return 0;

bad:
	free(host);
	xasprintf(cause, "bad value \"%s\" for %s: expected ADDRESS:PORT, "
	    "e.g. 0.0.0.0:5060 or [::]:5060, with a port from 0 to 65535",
	    conf_shorten(value, buf, sizeof buf), k->info.key);
	return -1;
}

/*
 * HOST[:PORT]: a host name, an IPv4 address, or an IPv6 one (bracketed
 * when a port follows); the port 1 to 65535, MEDIA_STUN_PORT (3478)
 * when none is given.
 */
static int
conf_parse_stun(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char		**host_field = conf_field(base, k->offset);
	int		 *port_field = conf_field(base, k->offset2);
	char		 *host = NULL, buf[CONF_QUOTE_MAX + 4];
	const char	 *port = NULL, *end, *p;
	unsigned char	  addr[sizeof(struct in6_addr)];
	long		  n = 3478;

	if (value[0] == '[') {
		end = strchr(value, ']');
		if (end == NULL || (end[1] != ':' && end[1] != '\0'))
			goto bad;
		host = xstrndup(value + 1, end - value - 1);
		if (inet_pton(AF_INET6, host, addr) != 1)
			goto bad;
		if (end[1] == ':')
			port = end + 2;
	} else if (strchr(value, ':') != strrchr(value, ':')) {
		/* Two colons or more: an IPv6 address without a port. */
		host = xstrdup(value);
		if (inet_pton(AF_INET6, host, addr) != 1)
			goto bad;
	} else {
		end = strchr(value, ':');
		host = end != NULL ? xstrndup(value, end - value) : xstrdup(value);
		if (end != NULL)
			port = end + 1;
		if (*host == '\0' || strlen(host) > 253 || *host == '-' ||
		    *host == '.')
			goto bad;
		for (p = host; *p != '\0'; p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
				goto bad;
		}
	}
	if (port != NULL) {
		if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
		    strlen(port) > 5)
			goto bad;
		n = strtol(port, NULL, 10);
		if (n < 1 || n > 65535)
			goto bad;
	}
	free(*host_field);
	*host_field = host;
	*port_field = (int)n;
	return 0;

bad:
	free(host);
	xasprintf(cause, "bad value \"%s\" for %s: expected HOST[:PORT], "
	    "e.g. stun.example.com, 192.0.2.1:3478 or [2001:db8::1]:3478, "
	    "with a port from 1 to 65535", conf_shorten(value, buf, sizeof buf),
	    k->info.key);
	return -1;
}

static int
conf_parse_enum(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	int	*field = conf_field(base, k->offset);
	char	 buf[CONF_QUOTE_MAX + 4], list[128];
	int	 i;

	for (i = 0; k->names[i] != NULL; i++) {
		if (strcasecmp(value, k->names[i]) == 0) {
			*field = i;
			return 0;
		}
	}
	xasprintf(cause, "bad value \"%s\" for %s: expected %s",
	    conf_shorten(value, buf, sizeof buf), k->info.key,
	    conf_expected(k->names, list, sizeof list));
	return -1;
}

/* yes, no, or a URI to subscribe to (which means yes). */
static int
conf_parse_mwi(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	bool	*on = conf_field(base, k->offset);
	char	**uri = conf_field(base, k->offset2);
	char	*why, buf[CONF_QUOTE_MAX + 4];

	if (strncasecmp(value, "sip:", 4) != 0 &&
	    strncasecmp(value, "sips:", 5) != 0) {
		if (conf_parse_bool(k, base, value, &why) != 0) {
			free(why);
			xasprintf(cause, "bad value \"%s\" for %s: expected "
			    "yes, no or a sip: URI",
			    conf_shorten(value, buf, sizeof buf), k->info.key);
			return -1;
		}
		free(*uri);
		*uri = NULL;
		return 0;
	}
	if (sip_uri_check(value, &why) != 0) {
		xasprintf(cause, "%s: %s", k->info.key, why);
		free(why);
		return -1;
	}
	*on = true;
	free(*uri);
	*uri = xstrdup(value);
	return 0;
}

static int
conf_parse_bool(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool	*field = conf_field(base, k->offset);
	char	 buf[CONF_QUOTE_MAX + 4];
	size_t	 i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*field = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*field = false;
			return 0;
		}
	}
	xasprintf(cause, "bad value \"%s\" for %s: expected yes or no",
	    conf_shorten(value, buf, sizeof buf), k->info.key);
	return -1;
}

static int
conf_parse_int(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	int	*field = conf_field(base, k->offset);
	char	 buf[CONF_QUOTE_MAX + 4], *end;
	long	 n;

	if (value[0] < '0' || value[0] > '9')
		goto bad;
	errno = 0;
	n = strtol(value, &end, 10);
	if (*end != '\0' || errno == ERANGE || n < k->min || n > k->max)
		goto bad;
	*field = (int)n;
	return 0;

bad:
	xasprintf(cause, "bad value \"%s\" for %s: expected a number from %d "
	    "to %d", conf_shorten(value, buf, sizeof buf), k->info.key, k->min,
	    k->max);
	return -1;
}

/* file_echo = DELAY_MS GAIN_DB: 0 to 1000 ms, -60 to +20 dB. */
static int
conf_parse_echo(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	struct conf	*conf = base;
	char		 buf[CONF_QUOTE_MAX + 4], *end, *end2;
	long		 delay;
	double		 gain;

	errno = 0;
	delay = strtol(value, &end, 10);
	if (end == value || (*end != ' ' && *end != '\t') || errno != 0 ||
	    delay < 0 || delay > 1000)
		goto bad;
	gain = strtod(end, &end2);
	if (end2 == end || *end2 != '\0' || gain < -60 || gain > 20)
		goto bad;
	conf->file_echo = true;
	conf->file_echo_delay = (int)delay;
	conf->file_echo_gain = gain;
	return 0;

bad:
	xasprintf(cause, "bad value \"%s\" for %s: expected DELAY_MS GAIN_DB, "
	    "e.g. 60 -6 (0 to 1000 ms, -60 to 20 dB)",
	    conf_shorten(value, buf, sizeof buf), k->info.key);
	return -1;
}

static int
conf_parse_codecs(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	struct conf_account	*a = base;
	enum conf_codec		 list[CONF_MAX_CODECS];
	char			*copy = xstrdup(value), *item, *next, *name;
	char			 buf[CONF_QUOTE_MAX + 4], names[64];
	const char		*shown = conf_shorten(value, buf, sizeof buf);
	int			 n = 0, i, c;

	for (item = copy; item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		name = conf_skip_space(item);
		conf_trim_end(name);
		if (*name == '\0') {
			xasprintf(cause, "bad value \"%s\" for %s: empty codec "
			    "name in the list", shown, k->info.key);
			goto fail;
		}
		for (c = 0; conf_codec_names[c] != NULL; c++) {
			if (strcasecmp(name, conf_codec_names[c]) == 0)
				break;
		}
		if (conf_codec_names[c] == NULL) {
			char	nbuf[CONF_QUOTE_MAX + 4];

			xasprintf(cause, "bad value \"%s\" for %s: unknown codec "
			    "\"%s\", expected %s", shown, k->info.key,
			    conf_shorten(name, nbuf, sizeof nbuf),
			    conf_expected(conf_codec_names, names, sizeof names));
			goto fail;
		}
		for (i = 0; i < n; i++) {
			if (list[i] == (enum conf_codec)c) {
				xasprintf(cause, "bad value \"%s\" for %s: %s is "
				    "listed twice", shown, k->info.key,
				    conf_codec_names[c]);
				goto fail;
			}
		}
		/* Cannot overflow: there are CONF_MAX_CODECS distinct names. */
		if (n == CONF_MAX_CODECS)
			goto fail;
		list[n++] = c;
	}
	if (n == 0) {
		xasprintf(cause, "bad value for %s: expected at least one codec",
		    k->info.key);
		goto fail;
	}
	free(copy);
	memcpy(a->codecs, list, n * sizeof list[0]);
	a->ncodecs = n;
	return 0;

fail:
	if (*cause == NULL)
		xasprintf(cause, "bad value \"%s\" for %s", shown, k->info.key);
	free(copy);
	return -1;
}

/* The value is a secret: a bad one is described, never echoed. */
/*
 * A hook's command line: split here once so that a bad one is reported
 * at load with its line, and split again the same way when it runs.
 */
static int
conf_parse_command(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char	**field = conf_field(base, k->offset), **argv, *why;
	int	  argc;

	if (util_argv_split(value, &argv, &argc, &why) != 0) {
		xasprintf(cause, "%s: %s", k->info.key, why);
		free(why);
		return -1;
	}
	util_argv_free(argv);
	free(*field);
	*field = xstrdup(value);
	return 0;
}

static int
conf_parse_ha1(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char	**field = conf_field(base, k->offset);
	char	 *copy;
	size_t	  i;

	if (strlen(value) != 32 ||
	    strspn(value, "0123456789abcdefABCDEF") != 32) {
		xasprintf(cause, "bad value for %s: expected 32 hex digits, "
		    "MD5(username:realm:password)", k->info.key);
		return -1;
	}
	copy = xstrdup(value);
	for (i = 0; copy[i] != '\0'; i++) {
		if (copy[i] >= 'A' && copy[i] <= 'F')
			copy[i] += 'a' - 'A';
	}
	util_free_secret(*field);
	*field = copy;
	return 0;
}

static const struct conf_key *
conf_key_find(const char *section, const char *key)
{
	int	 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(conf_table[i].info.section, section) == 0 &&
		    strcmp(conf_table[i].info.key, key) == 0)
			return &conf_table[i];
	}
	return NULL;
}

/* Line where a key was set in the current scope, 0 if not. */
static int *
conf_seen(struct conf_parse *cp, const struct conf_key *k)
{
	int	 i = k - conf_table;

	if (strcmp(k->info.section, "account") == 0)
		return &cp->seen_account[i];
	return &cp->seen[i];
}

static int
conf_seen_line(struct conf_parse *cp, const char *section, const char *key)
{
	return *conf_seen(cp, conf_key_find(section, key));
}

static struct conf *
conf_new(void)
{
	struct conf	*conf = xcalloc(1, sizeof *conf);

	conf->listen_host = xstrdup("0.0.0.0");
	conf->listen_port = 5060;
	conf->user_agent = xstrdup("tsphone/" PACKAGE_VERSION);
	conf->ring_timeout = 60;
	conf->rtp_timeout = 30;
	conf->rtp_keepalive = 15;
	conf->session_expires = 1800;
	conf->tls_verify = true;
	conf->driver = CONF_DRIVER_PORTAUDIO;
	conf->input = xstrdup("default");
	conf->output = xstrdup("default");
	conf->ring = xstrdup("default");
	conf->rate = 48000;
	conf->period = 20;
	conf->aec = true;		/* with portaudio, the default driver */
	conf->noise_suppression = true;
	conf->echo_tail = 200;
	conf->opus_complexity = 5;
	conf->opus_bitrate = 32000;
	conf->hook_timeout = 10;
	return conf;
}

static struct conf_account *
conf_account_new(const char *name, int line)
{
	struct conf_account	*a = xcalloc(1, sizeof *a);

	a->name = xstrdup(name);
	a->line = line;
	a->transport = CONF_TRANSPORT_UDP;
	a->do_register = true;
	a->expires = 600;
	a->keepalive = 25;
	a->codecs[0] = CONF_CODEC_OPUS;
	a->codecs[1] = CONF_CODEC_PCMU;
	a->codecs[2] = CONF_CODEC_PCMA;
	a->ncodecs = 3;
	a->dtmf = CONF_DTMF_RFC4733;
	a->refer = CONF_REFER_ACCEPT;
	a->srtp = CONF_SRTP_OFF;
	a->auto_answer = false;
	return a;
}

static void
conf_account_free(struct conf_account *a)
{
	free(a->name);
	free(a->uri);
	free(a->display_name);
	free(a->username);
	util_free_secret(a->password);
	free(a->password_cmd);
	util_free_secret(a->ha1);
	free(a->registrar);
	free(a->proxy);
	free(a->forward);
	free(a->mwi_uri);
	free(a->voicemail);
	free(a->stun_host);
	free(a);
}

/* Fill in what an account takes from its uri, and check what is missing. */
static void
conf_account_close(struct conf_parse *cp)
{
	struct conf_account	*a = cp->account;
	char			 buf[CONF_QUOTE_MAX + 4];
	int			 uri_line;

	if (a == NULL)
		return;
	uri_line = conf_seen_line(cp, "account", "uri");
	if (a->uri == NULL) {
		/* A bad uri was reported on its own line already. */
		if (uri_line == 0) {
			conf_error_add(cp, a->line,
			    "[account %s]: missing required key uri", a->name);
		}
	} else {
		if (a->username == NULL) {
			a->username = sip_uri_user(a->uri);
			if (a->username == NULL) {
				conf_error_add(cp, uri_line, "[account %s]: "
				    "uri %s has no user part, so username must "
				    "be set", a->name,
				    conf_shorten(a->uri, buf, sizeof buf));
			}
		}
		if (a->registrar == NULL)
			a->registrar = sip_uri_domain(a->uri);
		if (a->forward != NULL) {
			char	*uri, *why;

			/* Resolved as dial resolves it, so that a bare user
			 * is one at this account's domain. */
			if ((uri = sip_uri_target(a, a->forward, &why)) ==
			    NULL) {
				conf_error_add(cp, conf_seen_line(cp,
				    "account", "forward"), "forward: %s", why);
				free(why);
			}
			free(uri);
		}
		if (a->voicemail != NULL) {
			char	*uri, *why;

			if ((uri = sip_uri_target(a, a->voicemail, &why)) ==
			    NULL) {
				conf_error_add(cp, conf_seen_line(cp,
				    "account", "voicemail"), "voicemail: %s",
				    why);
				free(why);
			}
			free(uri);
		}
	}
	if (cp->scratch)
		conf_account_free(a);
	cp->account = NULL;
	cp->scratch = false;
}

static void
conf_parse_header(struct conf_parse *cp, char *p)
{
	struct conf_account	*a;
	char			*end, *name, *arg, buf[CONF_QUOTE_MAX + 4];
	const char		*shown;
	bool			 scratch = false;

	conf_account_close(cp);
	cp->section = NULL;
	cp->bad_section = true;

	end = strchr(p, ']');
	if (end == NULL || !conf_only_comment(end + 1)) {
		conf_error_add(cp, cp->line, "section header is not [NAME] or "
		    "[account NAME]");
		return;
	}
	*end = '\0';
	name = conf_skip_space(p + 1);
	for (arg = name; *arg != '\0' && !conf_is_space((unsigned char)*arg);)
		arg++;
	if (*arg != '\0')
		*arg++ = '\0';
	arg = conf_skip_space(arg);
	conf_trim_end(arg);

	if (strcmp(name, "sip") == 0 || strcmp(name, "audio") == 0 ||
	    strcmp(name, "hooks") == 0 || strcmp(name, "keys") == 0) {
		if (*arg != '\0') {
			conf_error_add(cp, cp->line, "section [%s] takes no name",
			    name);
			return;
		}
		cp->section = strcmp(name, "sip") == 0 ? "sip" :
		    strcmp(name, "audio") == 0 ? "audio" :
		    strcmp(name, "hooks") == 0 ? "hooks" : "keys";
		cp->bad_section = false;
		return;
	}
	if (strcmp(name, "account") != 0) {
		conf_error_add(cp, cp->line, "unknown section [%s]",
		    conf_shorten(name, buf, sizeof buf));
		return;
	}

	cp->any_account = true;
	if (*arg == '\0') {
		conf_error_add(cp, cp->line, "[account] needs a name: "
		    "[account NAME]");
		return;
	}
	/*
	 * A bad or duplicate name is reported, but the section's keys are
	 * still checked (into a scratch account) so one run shows everything.
	 */
	shown = arg;
	if (!conf_valid_name(arg)) {
		/* Shortened: the name is only used in messages from now on. */
		shown = conf_shorten(arg, buf, sizeof buf);
		conf_error_add(cp, cp->line, "bad account name \"%s\": use up "
		    "to %d letters, digits, \"-\", \"_\" and \".\"", shown,
		    CONF_NAME_MAX);
		scratch = true;
	} else if ((a = conf_find_account(cp->conf, arg)) != NULL) {
		conf_error_add(cp, cp->line, "duplicate account \"%s\" (first "
		    "at line %d)", arg, a->line);
		scratch = true;
	}
	a = conf_account_new(shown, cp->line);
	if (!scratch) {
		*cp->tail = a;
		cp->tail = &a->next;
		cp->conf->naccounts++;
	}
	cp->account = a;
	cp->scratch = scratch;
	cp->section = "account";
	cp->bad_section = false;
	memset(cp->seen_account, 0, sizeof cp->seen_account);
}

/*
 * The value after '='. Unquoted, it ends at a '#' that starts the value or
 * follows a blank, so "a#b" keeps its '#'; quoted, it may hold anything,
 * with \" and \\ as the only escapes. Returns a new string (the caller
 * wipes it: it may be a password) or NULL with *cause.
 */
static char *
conf_parse_value(const char *p, char **cause)
{
	const char	*start, *q;
	char		*buf, *o;
	size_t		 n;

	while (conf_is_space((unsigned char)*p))
		p++;
	if (*p != '"') {
		start = p;
		for (q = p; *q != '\0'; q++) {
			if (*q == '#' && (q == start ||
			    conf_is_space((unsigned char)q[-1])))
				break;
		}
		n = q - start;
		while (n > 0 && conf_is_space((unsigned char)start[n - 1]))
			n--;
		return xstrndup(start, n);
	}

	n = strlen(p);
	o = buf = xmalloc(n);
	for (p++; *p != '"'; p++) {
		if (*p == '\0' || (*p == '\\' && p[1] == '\0')) {
			*cause = xstrdup("unterminated quoted value");
			goto fail;
		}
		if (*p == '\\') {
			p++;
			if (*p != '"' && *p != '\\') {
				*cause = xstrdup("only \\\" and \\\\ may follow "
				    "a backslash in a quoted value");
				goto fail;
			}
		}
		*o++ = *p;
	}
	*o = '\0';
	if (!conf_only_comment(p + 1)) {
		*cause = xstrdup("text after the closing quote");
		goto fail;
	}
	return buf;

fail:
	util_wipe(buf, n);
	free(buf);
	return NULL;
}

/*
 * A [keys] line: NAME is a command or an action of the full-screen
 * interface, the value a key name. Conflicts with other keys need the
 * whole file and are checked in conf_check_bindings.
 */
static void
conf_parse_binding(struct conf_parse *cp, const char *name, const char *raw)
{
	struct conf		*conf = cp->conf;
	struct conf_binding	*b;
	char			*value, *cause = NULL, buf[CONF_QUOTE_MAX + 4];
	int			 key, i;

	if (cmd_find_bindable(name) == NULL) {
		conf_error_add(cp, cp->line, "unknown command or action \"%s\" "
		    "in [keys] (tsphone --dump-keys lists them)",
		    conf_shorten(name, buf, sizeof buf));
		return;
	}
	for (i = 0; i < conf->nbindings; i++) {
		if (strcmp(conf->bindings[i].name, name) == 0) {
			conf_error_add(cp, cp->line, "duplicate key \"%s\" (first "
			    "set at line %d)", name, conf->bindings[i].line);
			return;
		}
	}
	value = conf_parse_value(raw, &cause);
	if (value == NULL) {
		conf_error_add(cp, cp->line, "bad value for %s: %s", name, cause);
		free(cause);
		return;
	}
	if (*value == '\0')
		conf_error_add(cp, cp->line, "empty value for %s", name);
	else if (key_string_parse(value, &key) != 0)
		conf_error_add(cp, cp->line, "bad key \"%s\" for %s: expected %s",
		    conf_shorten(value, buf, sizeof buf), name,
		    key_string_expected());
	else if (key_string_reserved(key))
		conf_error_add(cp, cp->line, "key %s for %s is reserved: digits, "
		    "*, # and + dial and send DTMF, Escape closes and cancels",
		    value, name);
	else {
		conf->bindings = xrealloc(conf->bindings,
		    sizeof *conf->bindings * (size_t)(conf->nbindings + 1));
		b = &conf->bindings[conf->nbindings++];
		b->name = xstrdup(name);
		b->key = key;
		b->line = cp->line;
	}
	free(value);
}

/* The default key of a command or action, KEYC_NONE if it has none. */
static int
conf_default_key(const struct cmd_entry *ce)
{
	int	 key;

	if (ce->key == NULL || key_string_parse(ce->key, &key) != 0)
		return KEYC_NONE;
	return key;
}

/*
 * One key, one meaning: a [keys] binding may not take a key that another
 * line of [keys] or another entry's default key already has. Taking a
 * default silently would leave its owner without a key.
 */
static void
conf_check_bindings(struct conf_parse *cp)
{
	const struct conf_binding	*b, *o;
	const struct cmd_entry		*tables[2], *ce;
	char				 name[KEY_STRING_MAX];
	int				 i, j, t, n[2];

	tables[0] = cmd_table(&n[0]);
	tables[1] = cmd_actions(&n[1]);
	for (i = 0; i < cp->conf->nbindings; i++) {
		b = &cp->conf->bindings[i];
		if (b->key == KEYC_NONE)
			continue;
		key_string_name(b->key, name, sizeof name);
		for (j = 0; j < i; j++) {
			o = &cp->conf->bindings[j];
			if (o->key == b->key) {
				conf_error_add(cp, b->line, "key %s is bound twice: "
				    "to %s (line %d) and to %s", name, o->name,
				    o->line, b->name);
				break;
			}
		}
		if (j < i)
			continue;
		for (t = 0; t < 2; t++) {
			for (j = 0; j < n[t]; j++) {
				ce = &tables[t][j];
				if (strcmp(ce->name, b->name) == 0 ||
				    conf_default_key(ce) != b->key)
					continue;
				/* Its owner moved elsewhere: the key is free. */
				for (o = cp->conf->bindings; o < b; o++) {
					if (strcmp(o->name, ce->name) == 0)
						break;
				}
				if (o < b)
					continue;
				for (o = b + 1; o < cp->conf->bindings +
				    cp->conf->nbindings; o++) {
					if (strcmp(o->name, ce->name) == 0)
						break;
				}
				if (o < cp->conf->bindings + cp->conf->nbindings)
					continue;
				conf_error_add(cp, b->line, "key %s for %s is the "
				    "default key of %s: bind %s to another key "
				    "or to none first", name, b->name, ce->name,
				    ce->name);
			}
		}
	}
}

static bool
conf_is_secret_key(const char *key)
{
	int	 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if ((conf_table[i].flags & CONF_KEY_SECRET) &&
		    strcmp(conf_table[i].info.key, key) == 0)
			return true;
	}
	return false;
}

static void
conf_parse_assignment(struct conf_parse *cp, char *p)
{
	const struct conf_key	*k;
	char			*eq, *key, *value, *cause = NULL;
	char			 buf[CONF_QUOTE_MAX + 4], where[CONF_NAME_MAX + 16];
	int			*seen, i;
	void			*base;

	eq = strchr(p, '=');
	if (eq == NULL) {
		conf_error_add(cp, cp->line, "line is not \"key = value\"");
		return;
	}
	*eq = '\0';
	key = p;
	conf_trim_end(key);
	if (*key == '\0' || strpbrk(key, " \t") != NULL) {
		conf_error_add(cp, cp->line, "line is not \"key = value\"");
		return;
	}

	/* The permission rule is about what the file holds, wherever. */
	if (conf_is_secret_key(key) && cp->secret_line == 0)
		cp->secret_line = cp->line;

	if (cp->section == NULL) {
		/* After a rejected header, its keys would only add noise. */
		if (!cp->bad_section) {
			conf_error_add(cp, cp->line, "key \"%s\" is outside any "
			    "section", conf_shorten(key, buf, sizeof buf));
		}
		return;
	}
	if (strcmp(cp->section, "keys") == 0) {
		conf_parse_binding(cp, key, eq + 1);
		return;
	}
	if (cp->account != NULL)
		snprintf(where, sizeof where, "account %s", cp->account->name);
	else
		snprintf(where, sizeof where, "%s", cp->section);

	k = conf_key_find(cp->section, key);
	if (k == NULL) {
		conf_error_add(cp, cp->line, "unknown key \"%s\" in [%s]",
		    conf_shorten(key, buf, sizeof buf), where);
		return;
	}
	seen = conf_seen(cp, k);
	if (*seen != 0) {
		conf_error_add(cp, cp->line, "duplicate key \"%s\" (first set "
		    "at line %d)", k->info.key, *seen);
		return;
	}
	*seen = cp->line;

	if (k->flags & CONF_KEY_CREDENTIAL) {
		for (i = 0; i < CONF_NKEYS; i++) {
			const struct conf_key	*o = &conf_table[i];

			if (o == k || (~o->flags & CONF_KEY_CREDENTIAL) ||
			    cp->seen_account[i] == 0)
				continue;
			conf_error_add(cp, cp->line, "[%s]: %s and %s (line %d) "
			    "are both set: use only one of password, "
			    "password_cmd and ha1", where, k->info.key,
			    o->info.key, cp->seen_account[i]);
			break;
		}
	}

	if (k->flags & CONF_KEY_RAW) {
		value = xstrdup(conf_skip_space(eq + 1));
		conf_trim_end(value);
	} else
		value = conf_parse_value(eq + 1, &cause);
	if (value == NULL) {
		conf_error_add(cp, cp->line, "bad value for %s: %s", k->info.key,
		    cause);
		free(cause);
		return;
	}
	if (*value == '\0') {
		conf_error_add(cp, cp->line, "empty value for %s", k->info.key);
		free(value);
		return;
	}
	base = cp->account != NULL ? (void *)cp->account : (void *)cp->conf;
	if (k->parse(k, base, value, &cause) != 0) {
		conf_error_add(cp, cp->line, "%s", cause);
		free(cause);
	}
	util_free_secret(value);
}

/*
 * Refuse bytes that have no business in a text file: they would end up in
 * SIP headers or on the terminal. UTF-8 is checked strictly, C1 controls
 * included (0x9b is a terminal escape too).
 */
static bool
conf_check_bytes(struct conf_parse *cp, const char *line, size_t len)
{
	const unsigned char	*s = (const unsigned char *)line;
	size_t			 i = 0, n, j;
	unsigned int		 lo, hi;

	if (memchr(line, '\0', len) != NULL) {
		conf_error_add(cp, cp->line, "line contains a NUL byte");
		return false;
	}
	while (i < len) {
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
				conf_error_add(cp, cp->line, "line contains the "
				    "control character 0x%02x", s[i]);
				return false;
			}
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			if (s[i] == 0xc2)
				lo = 0xa0;	/* not U+0080..U+009F */
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;
			else if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			if (s[i] == 0xf0)
				lo = 0x90;
			else if (s[i] == 0xf4)
				hi = 0x8f;
		} else
			goto bad;
		if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
			goto bad;
		for (j = 2; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				goto bad;
		}
		i += n + 1;
	}
	return true;

bad:
	conf_error_add(cp, cp->line, "line is not valid UTF-8 text");
	return false;
}

static void
conf_parse_line(struct conf_parse *cp, char *line, size_t len)
{
	char	*p;

	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	/* Editors on other systems may start the file with a BOM. */
	if (cp->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (!conf_check_bytes(cp, line, len))
		return;
	p = conf_skip_space(line);
	if (*p == '\0' || *p == '#')
		return;
	if (*p == '[')
		conf_parse_header(cp, p);
	else
		conf_parse_assignment(cp, p);
}

/*
 * TLS files: each must be readable; a certificate needs its key and the
 * other way round; and a private key others can read is refused, as ssh
 * refuses one. (A TLS listener without a certificate is refused at start.)
 */
static void
conf_check_tls(struct conf_parse *cp)
{
	struct conf	*conf = cp->conf;
	const char	*keys[] = { "tls_ca_file", "tls_cert_file", "tls_key_file" };
	const char	*paths[] = { conf->tls_ca_file, conf->tls_cert_file,
	    conf->tls_key_file };
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < nitems(keys); i++) {
		if (paths[i] == NULL)
			continue;
		if (access(paths[i], R_OK) != 0 || stat(paths[i], &st) != 0) {
			conf_error_add(cp, conf_seen_line(cp, "sip", keys[i]),
			    "%s: cannot read %s: %s", keys[i], paths[i],
			    strerror(errno));
		} else if (i == 2 && (st.st_mode & 077) != 0) {
			conf_error_add(cp, conf_seen_line(cp, "sip", keys[i]),
			    "tls_key_file %s can be read by others (mode %04o); "
			    "fix it with: chmod 600 %s", paths[i],
			    (unsigned int)(st.st_mode & 07777), paths[i]);
		}
	}
	if ((conf->tls_cert_file == NULL) != (conf->tls_key_file == NULL)) {
		conf_error_add(cp, conf_seen_line(cp, "sip",
		    conf->tls_cert_file != NULL ? "tls_cert_file" : "tls_key_file"),
		    "tls_cert_file and tls_key_file go together");
	}
}

/* Checks that need the whole file. */
static void
conf_parse_finish(struct conf_parse *cp, const char *path, mode_t mode)
{
	struct conf	*conf = cp->conf;
	int		 line;

	conf_account_close(cp);
	conf_check_bindings(cp);

	if (conf->driver == CONF_DRIVER_FILE) {
		line = conf_seen_line(cp, "audio", "driver");
		if (strcmp(conf->input, "default") == 0) {
			conf_error_add(cp, line, "[audio]: driver file needs "
			    "input set to a WAV file to send");
		}
		if (strcmp(conf->output, "default") == 0) {
			conf_error_add(cp, line, "[audio]: driver file needs "
			    "output set to a WAV file to write");
		}
	}
	/* What a headset needs, and what WAV files and silence do not. */
	if (!conf_seen_line(cp, "audio", "aec"))
		conf->aec = conf->driver == CONF_DRIVER_PORTAUDIO;
	if (!conf_seen_line(cp, "audio", "noise_suppression"))
		conf->noise_suppression = conf->driver == CONF_DRIVER_PORTAUDIO;
	if (conf->period != 10 && conf->period != 20)
		conf_error_add(cp, conf_seen_line(cp, "audio", "period"),
		    "period must be 10 or 20 (ms)");
	if (conf->file_echo && conf->driver != CONF_DRIVER_FILE)
		conf_error_add(cp, conf_seen_line(cp, "audio", "file_echo"),
		    "file_echo works with driver = file only");
	if (conf->tls_listen_host != NULL && conf->tls_listen_port != 0 &&
	    conf->tls_listen_port == conf->listen_port) {
		conf_error_add(cp, conf_seen_line(cp, "sip", "tls_listen"),
		    "tls_listen uses port %d, which listen uses already",
		    conf->tls_listen_port);
	}
	conf_check_tls(cp);
	if (conf->session_expires != 0 && conf->session_expires < 90)
		conf_error_add(cp, conf_seen_line(cp, "sip", "session_expires"),
		    "session_expires must be 0 (off) or at least 90 (RFC 4028 "
		    "Min-SE)");
	if (!cp->any_account)
		conf_error_add(cp, 0, "no [account NAME] section");

	/* As ssh does for keys: a secret others can read is no secret. */
	if (cp->secret_line != 0 && (mode & 077) != 0) {
		conf_error_add(cp, cp->secret_line, "holds a password but others "
		    "can read it (mode %04o); fix it with: chmod 600 %s",
		    (unsigned int)(mode & 07777), path);
	}
}

int
conf_load(const char *path, struct conf **out, struct conf_error **errs)
{
	struct conf_parse	 cp;
	struct stat		 st;
	FILE			*fp = NULL;
	char			*line = NULL;
	/*
	 * The stdio buffer and the line buffer hold secrets: both are ours so
	 * they can be wiped. Lines under 1 KiB (any sane password line) never
	 * make getline reallocate, which would leave a copy behind.
	 */
	char			 iobuf[BUFSIZ];
	size_t			 cap = 1024;
	ssize_t			 n;
	int			 fd, rc = -1;

	if (out != NULL)
		*out = NULL;
	if (errs != NULL)
		*errs = NULL;
	memset(&cp, 0, sizeof cp);
	cp.file = path;
	cp.errs_tail = &cp.errs;

	fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY);
	if (fd == -1) {
		if (errno == ENOENT)
			return -ENOENT;
		conf_error_add(&cp, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		conf_error_add(&cp, 0, "cannot stat: %s", strerror(errno));
		close(fd);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		conf_error_add(&cp, 0, "cannot read: %s", strerror(EISDIR));
		close(fd);
		goto out;
	}
	fp = fdopen(fd, "r");
	if (fp == NULL) {
		conf_error_add(&cp, 0, "cannot read: %s", strerror(errno));
		close(fd);
		goto out;
	}
	setvbuf(fp, iobuf, _IOFBF, sizeof iobuf);

	cp.conf = conf_new();
	cp.conf->path = xstrdup(path);
	cp.tail = &cp.conf->accounts;
	line = xmalloc(cap);
	while ((n = getline(&line, &cap, fp)) != -1) {
		cp.line++;
		conf_parse_line(&cp, line, n);
		util_wipe(line, n);
	}
	if (ferror(fp))
		conf_error_add(&cp, 0, "cannot read: %s", strerror(errno));
	conf_parse_finish(&cp, path, st.st_mode);
	if (cp.errs == NULL)
		rc = 0;

out:
	if (fp != NULL) {
		fclose(fp);
		util_wipe(iobuf, sizeof iobuf);
	}
	if (line != NULL) {
		util_wipe(line, cap);
		free(line);
	}
	if (rc == 0 && out != NULL)
		*out = cp.conf;
	else
		conf_free(cp.conf);
	cp.errs = conf_errors_sort(cp.errs);
	if (errs != NULL)
		*errs = cp.errs;
	else
		conf_errors_free(cp.errs);
	return rc;
}

/* "user" from $USER, reduced to what an account name may hold. */
static char *
conf_default_user(void)
{
	const char	*user = getenv("USER");
	char		*name;
	size_t		 i;

	if (user == NULL || *user == '\0')
		user = "user";
	name = xstrndup(user, CONF_NAME_MAX);
	for (i = 0; name[i] != '\0'; i++) {
		if (!conf_is_name_char((unsigned char)name[i]))
			name[i] = '_';
	}
	return name;
}

struct conf *
conf_default(void)
{
	struct conf		*conf = conf_new();
	struct conf_account	*a;
	char			*user = conf_default_user();
	char			*addr = util_first_ipv4();

	a = conf_account_new(user, 0);
	xasprintf(&a->uri, "sip:%s@%s", user, addr);
	a->username = xstrdup(user);
	xasprintf(&a->registrar, "sip:%s", addr);
	a->do_register = false;
	conf->accounts = a;
	conf->naccounts = 1;
	/* No file chose the port, so take another if 5060 is busy. */
	conf->listen_auto = true;
	free(user);
	free(addr);
	return conf;
}

void
conf_free(struct conf *conf)
{
	struct conf_account	*a, *next;
	int			 i;

	if (conf == NULL)
		return;
	for (a = conf->accounts; a != NULL; a = next) {
		next = a->next;
		conf_account_free(a);
	}
	free(conf->path);
	free(conf->listen_host);
	free(conf->tls_listen_host);
	free(conf->tls_ca_file);
	free(conf->tls_cert_file);
	free(conf->tls_key_file);
	free(conf->user_agent);
	free(conf->input);
	free(conf->output);
	free(conf->ring);
	free(conf->hook_incoming);
	free(conf->hook_missed);
	free(conf->hook_message);
	for (i = 0; i < conf->nbindings; i++)
		free(conf->bindings[i].name);
	free(conf->bindings);
	free(conf);
}

void
conf_errors_free(struct conf_error *e)
{
	struct conf_error	*next;

	for (; e != NULL; e = next) {
		next = e->next;
		free(e->file);
		free(e->message);
		free(e);
	}
}

void
conf_errors_print(const struct conf_error *e, FILE *fp)
{
	for (; e != NULL; e = e->next) {
		if (e->line > 0)
			fprintf(fp, "%s:%d: %s\n", e->file, e->line, e->message);
		else
			fprintf(fp, "%s: %s\n", e->file, e->message);
	}
}

char *
conf_default_path(void)
{
	char	*dir, *path;

	if ((dir = util_xdg_dir("XDG_CONFIG_HOME", ".config")) == NULL)
		return NULL;
	xasprintf(&path, "%s/tsphone.conf", dir);
	free(dir);
	return path;
}

static void
conf_template_section(FILE *fp, const char *section)
{
	const struct conf_key	*k;
	int			 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		k = &conf_table[i];
		if (strcmp(k->info.section, section) != 0)
			continue;
		fprintf(fp, "\n# %s", k->info.help);
		if (k->tmpl != NULL && k->info.def != NULL)
			fprintf(fp, " (default: %s)", k->info.def);
		fputc('\n', fp);
		if (k->tmpl != NULL)
			fprintf(fp, "%s\n", k->tmpl);
		else
			fprintf(fp, "#%s = %s\n", k->info.key, k->info.def);
	}
}

/*
 * The template shows every key. Set keys are those that make it load as
 * is: an example account that does not register, so no secret is needed.
 */
static void
conf_template(FILE *fp)
{
	fputs("# tsphone.conf: the configuration of tsphone(1); see "
	    "tsphone.conf(5).\n"
	    "#\n"
	    "# A line \"key = value\" sets a key; \"#\" starts a comment.\n"
	    "# Commented-out keys show their default. Quote a value (\"...\")\n"
	    "# to keep a \"#\" or leading or trailing blanks in it.\n"
	    "#\n"
	    "# This file may hold a password: keep it readable by you alone\n"
	    "# (chmod 600), or tsphone refuses it.\n"
	    "\n"
	    "[sip]\n", fp);
	conf_template_section(fp, "sip");
	fputs("\n[audio]\n", fp);
	conf_template_section(fp, "audio");
	fputs("\n# Commands run when a call comes in, is missed, or a "
	    "message comes\n"
	    "# in: split into words once (quotes allowed), never run by a "
	    "shell;\n"
	    "# the call is described by TSPHONE_EVENT, TSPHONE_ACCOUNT,\n"
	    "# TSPHONE_REMOTE, TSPHONE_DISPLAY and TSPHONE_CALL_ID.\n"
	    "[hooks]\n", fp);
	conf_template_section(fp, "hooks");
	fputs("\n# One [account NAME] section per SIP account. The first is "
	    "used for\n"
	    "# outgoing calls unless tsphone -a NAME picks another. Replace "
	    "the\n"
	    "# example below, set a password, then set register = yes.\n"
	    "[account example]\n", fp);
	conf_template_section(fp, "account");
	fputs("\n# [keys] gives the keys of the full-screen interface other "
	    "keys:\n"
	    "# \"COMMAND-OR-ACTION = KEY\", KEY being a character, C-x, Tab, "
	    "F1...,\n"
	    "# or none. tsphone --dump-keys lists them with their defaults.\n"
	    "#[keys]\n"
	    "#hold_toggle = F5\n", fp);
}

int
conf_write_template(const char *path, char **cause)
{
	char	*dir, *slash;
	FILE	*fp;
	int	 fd, rc, error;

	*cause = NULL;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		rc = util_mkdir_p(dir, 0700);
		if (rc != 0) {
			xasprintf(cause, "cannot create %s: %s", dir,
			    strerror(-rc));
			free(dir);
			return rc;
		}
	}
	free(dir);

	fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC|O_NOCTTY, 0600);
	if (fd == -1) {
		error = errno;
		if (error == EEXIST)
			xasprintf(cause, "%s exists; not overwriting it", path);
		else
			xasprintf(cause, "cannot create %s: %s", path,
			    strerror(error));
		return -error;
	}
	/* The umask may have taken bits away; the file needs exactly 0600. */
	if (fchmod(fd, 0600) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		error = errno;
		close(fd);
		goto fail;
	}
	conf_template(fp);
	if (ferror(fp)) {
		error = errno != 0 ? errno : EIO;
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) != 0) {
		error = errno;
		goto fail;
	}
	return 0;

fail:
	unlink(path);
	xasprintf(cause, "cannot write %s: %s", path, strerror(error));
	return -error;
}

/* NAME NULL gives the first account: the default for outgoing calls. */
struct conf_account *
conf_find_account(const struct conf *conf, const char *name)
{
	struct conf_account	*a;

	if (conf == NULL)
		return NULL;
	if (name == NULL)
		return conf->accounts;
	for (a = conf->accounts; a != NULL; a = a->next) {
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

const char *
conf_transport_name(enum conf_transport t)
{
	if ((unsigned int)t >= nitems(conf_transport_names) - 1)
		return "unknown";
	return conf_transport_names[t];
}

const char *
conf_codec_name(enum conf_codec c)
{
	if ((unsigned int)c >= nitems(conf_codec_names) - 1)
		return "unknown";
	return conf_codec_names[c];
}

/*
 * The public view of the table. It is copied once because the parser's
 * entries carry more than struct conf_key_info; the copy is filled on the
 * first call, made at start-up on the loop thread.
 */
const struct conf_key_info *
conf_keys(int *n)
{
	static struct conf_key_info	 infos[nitems(conf_table)];
	static bool			 filled;
	int				 i;

	if (!filled) {
		for (i = 0; i < CONF_NKEYS; i++)
			infos[i] = conf_table[i].info;
		filled = true;
	}
	if (n != NULL)
		*n = CONF_NKEYS;
	return infos;
}
