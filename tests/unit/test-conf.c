/*
 * test-conf.c: tsphone.conf(5) parsing and validation, the permission rule,
 * the embedded default and the --init-config template. Every file lives in
 * a private mkdtemp directory that is removed at the end.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "sip-uri.h"
#include "util.h"

#include "tap.h"

/* Lines 1 and 2 of most error cases: a valid account. */
#define ALICE	"[account alice]\nuri = sip:alice@example.com\n"

static char	*tdir;
static int	 nfiles;

/* Write LEN bytes of TEXT to a new file with MODE. Caller frees the path. */
static char *
write_file(const char *text, size_t len, mode_t mode)
{
	char	*path;
	FILE	*fp;

	xasprintf(&path, "%s/%d.conf", tdir, ++nfiles);
	fp = fopen(path, "w");
	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(99);
	}
	chmod(path, mode);
	return path;
}

/* The whole of a small file, or NULL. Caller frees. */
static char *
slurp(const char *path)
{
	char	*buf = NULL, chunk[4096];
	size_t	 len = 0, n;
	FILE	*fp = fopen(path, "r"), *out;

	if (fp == NULL)
		return NULL;
	out = open_memstream(&buf, &len);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(fp);
	fclose(out);
	return buf;
}

static char *
write_text(const char *text, mode_t mode)
{
	return write_file(text, strlen(text), mode);
}

static int
load_text(const char *text, mode_t mode, struct conf **conf,
    struct conf_error **errs)
{
	char	*path = write_file(text, strlen(text), mode);
	int	 rc = conf_load(path, conf, errs);

	free(path);
	return rc;
}

static int
count_errors(const struct conf_error *e)
{
	int	 n = 0;

	for (; e != NULL; e = e->next)
		n++;
	return n;
}

/* What --check-config would print. Caller frees. */
static char *
errors_text(const struct conf_error *e)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	conf_errors_print(e, fp);
	fclose(fp);
	return buf;
}

static bool
has_error(const struct conf_error *e, int line, const char *message)
{
	for (; e != NULL; e = e->next) {
		if (e->line == line && strcmp(e->message, message) == 0)
			return true;
	}
	return false;
}

/* TEXT must be refused with exactly one error, MESSAGE at LINE. */
static void
one_error(const char *what, const char *text, int line, const char *message)
{
	struct conf		*conf = NULL;
	struct conf_error	*errs = NULL;
	int			 rc;

	rc = load_text(text, 0600, &conf, &errs);
	ok(rc == -1 && conf == NULL, "%s: refused", what);
	conf_free(conf);
	is_int(count_errors(errs), 1, "%s: one error", what);
	is_int(errs != NULL ? errs->line : -1, line, "%s: line", what);
	is_str(errs != NULL ? errs->message : NULL, message, "%s: message",
	    what);
	conf_errors_free(errs);
}

/* TEXT must load cleanly; returns the result (caller frees). */
static struct conf *
loads(const char *what, const char *text)
{
	struct conf		*conf = NULL;
	struct conf_error	*errs = NULL;
	int			 rc;

	rc = load_text(text, 0600, &conf, &errs);
	ok(rc == 0 && conf != NULL && errs == NULL, "%s: loads", what);
	if (errs != NULL) {
		char *s = errors_text(errs);

		printf("#   %s", s);
		free(s);
	}
	conf_errors_free(errs);
	return conf;
}

static void
test_full(void)
{
	const char	*text =
	    "# a full configuration\n"					/*  1 */
	    "[sip]\n"							/*  2 */
	    "listen = 192.0.2.1:5070   # comment\n"			/*  3 */
	    "tls_listen = [2001:db8::1]:5071\n"				/*  4 */
	    "user_agent = \"my phone # 1\"\n"				/*  5 */
	    "\n"							/*  6 */
	    "[audio]\n"							/*  7 */
	    "driver = FILE\n"						/*  8 */
	    "input = /tmp/in.wav\n"					/*  9 */
	    "output=/tmp/out.wav\n"					/* 10 */
	    "  ring   =   hw:1  \n"					/* 11 */
	    "[account alice]   # the first\n"				/* 12 */
	    "uri = sip:alice@example.com\n"				/* 13 */
	    "display_name = \"  Alice \\\"A\\\" \\\\ Smith \"\n"	/* 14 */
	    "username = alice-auth\n"					/* 15 */
	    "password = p#ss word  # the password\n"			/* 16 */
	    "registrar = sip:reg.example.com:5080\n"			/* 17 */
	    "proxy = sip:edge.example.com;transport=tcp\n"		/* 18 */
	    "transport = TCP\n"						/* 19 */
	    "register = off\n"						/* 20 */
	    "expires = 3600\n"						/* 21 */
	    "codecs = PCMA ,opus\n"					/* 22 */
	    "dtmf = info\n"						/* 23 */
	    "srtp = mandatory\n"					/* 24 */
	    "auto_answer = true\n"					/* 25 */
	    "\t[ account bob ]\n"					/* 26 */
	    "uri = sips:bob@example.org:5061\n"				/* 27 */
	    "password_cmd = pass show \"sip/bob\" # cmd\n"		/* 28 */
	    "transport = tls\n"						/* 29 */
	    "[account carol.2]\r\n"					/* 30 */
	    "uri = sip:carol@example.net\r\n"				/* 31 */
	    "ha1 = 0123456789ABCDEF0123456789abcdef\r\n"		/* 32 */
	    "srtp = optional\n"						/* 33 */
	    "register = 1\n"						/* 34 */
	    "auto_answer = 0\n"						/* 35 */
	    "codecs = pcmu\n"						/* 36 */
	    "refer = Ask\n";						/* 37 */
	struct conf		*c;
	struct conf_account	*a;

	c = loads("full", text);
	if (c == NULL)
		return;
	is_str(c->listen_host, "192.0.2.1", "full: listen host");
	is_int(c->listen_port, 5070, "full: listen port");
	ok(!c->listen_auto, "full: listen_auto off for a file");
	is_str(c->tls_listen_host, "2001:db8::1", "full: tls_listen host");
	is_int(c->tls_listen_port, 5071, "full: tls_listen port");
	is_str(c->user_agent, "my phone # 1", "full: quoted value keeps #");
	is_int(c->driver, CONF_DRIVER_FILE, "full: driver, any case");
	is_str(c->input, "/tmp/in.wav", "full: input");
	is_str(c->output, "/tmp/out.wav", "full: output without blanks");
	is_str(c->ring, "hw:1", "full: ring trimmed");
	is_int(c->naccounts, 3, "full: three accounts");

	a = c->accounts;
	is_str(a->name, "alice", "full: first account name");
	is_int(a->line, 12, "full: account line");
	is_str(a->uri, "sip:alice@example.com", "full: uri");
	is_str(a->display_name, "  Alice \"A\" \\ Smith ",
	    "full: quoted display_name with escapes and blanks");
	is_str(a->username, "alice-auth", "full: username");
	is_str(a->password, "p#ss word", "full: # inside a value kept");
	ok(a->password_cmd == NULL && a->ha1 == NULL, "full: one secret");
	is_str(a->registrar, "sip:reg.example.com:5080", "full: registrar");
	is_str(a->proxy, "sip:edge.example.com;transport=tcp", "full: proxy");
	is_int(a->transport, CONF_TRANSPORT_TCP, "full: transport");
	ok(!a->do_register, "full: register off");
	is_int(a->expires, 3600, "full: expires");
	is_int(a->ncodecs, 2, "full: two codecs");
	is_int(a->codecs[0], CONF_CODEC_PCMA, "full: first codec");
	is_int(a->codecs[1], CONF_CODEC_OPUS, "full: second codec");
	is_int(a->dtmf, CONF_DTMF_INFO, "full: dtmf");
	is_int(a->srtp, CONF_SRTP_MANDATORY, "full: srtp");
	ok(a->auto_answer, "full: auto_answer");

	a = a->next;
	if (a == NULL)
		return;
	is_str(a->name, "bob", "full: indented header with blanks");
	is_int(a->line, 26, "full: second account line");
	is_str(a->username, "bob", "full: username from uri");
	is_str(a->registrar, "sips:example.org:5061", "full: registrar from uri");
	is_str(a->password_cmd, "pass show \"sip/bob\"", "full: password_cmd");
	ok(a->password == NULL, "full: password_cmd not run");
	is_int(a->transport, CONF_TRANSPORT_TLS, "full: tls");

	a = a->next;
	if (a == NULL)
		return;
	is_str(a->name, "carol.2", "full: name with a dot, CRLF lines");
	is_str(a->uri, "sip:carol@example.net", "full: CR stripped");
	is_str(a->ha1, "0123456789abcdef0123456789abcdef", "full: ha1 lowered");
	is_int(a->srtp, CONF_SRTP_OPTIONAL, "full: srtp optional");
	ok(a->do_register, "full: register = 1");
	ok(!a->auto_answer, "full: auto_answer = 0");
	is_int(a->ncodecs, 1, "full: one codec");
	is_int(a->codecs[0], CONF_CODEC_PCMU, "full: pcmu");
	is_int(a->refer, CONF_REFER_ASK, "full: refer = Ask");
	ok(a->next == NULL, "full: no fourth account");

	ok(conf_find_account(c, "bob") == c->accounts->next,
	    "find_account by name");
	ok(conf_find_account(c, "dave") == NULL, "find_account unknown");
	ok(conf_find_account(c, NULL) == c->accounts,
	    "find_account NULL gives the first");
	conf_free(c);
}

static void
test_defaults(void)
{
	struct conf		*c;
	struct conf_account	*a;
	char			*path;

	path = write_text(ALICE, 0600);
	c = NULL;
	is_int(conf_load(path, &c, NULL), 0, "defaults: loads");
	if (c == NULL) {
		free(path);
		return;
	}
	is_str(c->path, path, "defaults: path");
	is_str(c->listen_host, "0.0.0.0", "defaults: listen host");
	is_int(c->listen_port, 5060, "defaults: listen port");
	ok(!c->listen_auto, "defaults: listen_auto off");
	ok(c->tls_listen_host == NULL, "defaults: no TLS listener");
	is_str(c->user_agent, "tsphone/" PACKAGE_VERSION, "defaults: user_agent");
	is_int(c->driver, CONF_DRIVER_PORTAUDIO, "defaults: driver");
	is_str(c->input, "default", "defaults: input");
	is_str(c->output, "default", "defaults: output");
	is_str(c->ring, "default", "defaults: ring");
	is_int(c->naccounts, 1, "defaults: one account");
	a = c->accounts;
	is_str(a->name, "alice", "defaults: name");
	is_int(a->line, 1, "defaults: account line");
	ok(a->display_name == NULL, "defaults: no display_name");
	is_str(a->username, "alice", "defaults: username from uri");
	ok(a->password == NULL && a->password_cmd == NULL && a->ha1 == NULL,
	    "defaults: no secret, register yes: fine");
	is_str(a->registrar, "sip:example.com", "defaults: registrar");
	ok(a->proxy == NULL, "defaults: no proxy");
	is_int(a->transport, CONF_TRANSPORT_UDP, "defaults: transport");
	ok(a->do_register, "defaults: register");
	is_int(a->expires, 600, "defaults: expires");
	is_int(a->keepalive, 25, "defaults: keepalive every 25 s");
	is_int(a->ncodecs, 3, "defaults: three codecs");
	ok(a->codecs[0] == CONF_CODEC_OPUS && a->codecs[1] == CONF_CODEC_PCMU &&
	    a->codecs[2] == CONF_CODEC_PCMA, "defaults: codec order");
	is_int(a->dtmf, CONF_DTMF_RFC4733, "defaults: dtmf");
	is_int(a->refer, CONF_REFER_ACCEPT, "defaults: refer");
	is_int(a->srtp, CONF_SRTP_OFF, "defaults: srtp");
	ok(!a->auto_answer, "defaults: auto_answer");
	ok(a->next == NULL, "defaults: one account only");
	conf_free(c);

	/* Neither out nor errs: a plain validity check. */
	is_int(conf_load(path, NULL, NULL), 0, "load with NULL out and errs");
	free(path);
	path = write_text("[sip]\n", 0600);
	is_int(conf_load(path, NULL, NULL), -1, "bad file with NULL out/errs");
	free(path);
}

static void
test_errors(void)
{
	one_error("unknown key", ALICE "pasword = x\n", 3,
	    "unknown key \"pasword\" in [account alice]");
	one_error("unknown key in [sip]", "[sip]\nlisten_port = 1\n" ALICE, 2,
	    "unknown key \"listen_port\" in [sip]");
	one_error("unknown key in [audio]", ALICE "[audio]\nvolume = 3\n", 4,
	    "unknown key \"volume\" in [audio]");
	one_error("unknown section", ALICE "[foo]\nbar = 1\n", 3,
	    "unknown section [foo]");
	one_error("key outside a section", "uri = sip:a@b\n" ALICE, 1,
	    "key \"uri\" is outside any section");
	one_error("not key = value", ALICE "just some words\n", 3,
	    "line is not \"key = value\"");
	one_error("no key", ALICE " = value\n", 3,
	    "line is not \"key = value\"");
	one_error("key with a blank", ALICE "auto answer = yes\n", 3,
	    "line is not \"key = value\"");
	one_error("bad header", ALICE "[sip\n", 3,
	    "section header is not [NAME] or [account NAME]");
	one_error("text after header", ALICE "[sip] x\n", 3,
	    "section header is not [NAME] or [account NAME]");
	one_error("[sip] with a name", ALICE "[sip main]\nlisten = 1\n", 3,
	    "section [sip] takes no name");
	one_error("[account] without a name", ALICE "[account]\nuri = x\n", 3,
	    "[account] needs a name: [account NAME]");
	one_error("bad account name", ALICE "[account my phone]\n"
	    "uri = sip:b@c\n", 3, "bad account name \"my phone\": use up to 63 "
	    "letters, digits, \"-\", \"_\" and \".\"");

	one_error("bad bool", ALICE "register = maybe\n", 3,
	    "bad value \"maybe\" for register: expected yes or no");
	one_error("bad bool auto_answer", ALICE "auto_answer = 2\n", 3,
	    "bad value \"2\" for auto_answer: expected yes or no");
	one_error("bad int", ALICE "expires = 10x\n", 3,
	    "bad value \"10x\" for expires: expected a number from 10 to 86400");
	one_error("expires too small", ALICE "expires = 9\n", 3,
	    "bad value \"9\" for expires: expected a number from 10 to 86400");
	one_error("expires too large", ALICE "expires = 86401\n", 3,
	    "bad value \"86401\" for expires: expected a number from 10 to "
	    "86400");
	one_error("keepalive negative", ALICE "keepalive = -1\n", 3,
	    "bad value \"-1\" for keepalive: expected a number from 0 to "
	    "3600");
	one_error("keepalive too large", ALICE "keepalive = 3601\n", 3,
	    "bad value \"3601\" for keepalive: expected a number from 0 to "
	    "3600");
	one_error("expires negative", ALICE "expires = -600\n", 3,
	    "bad value \"-600\" for expires: expected a number from 10 to "
	    "86400");
	one_error("expires overflow", ALICE "expires = 99999999999999999999\n", 3,
	    "bad value \"99999999999999999999\" for expires: expected a number "
	    "from 10 to 86400");

	one_error("bad codec", ALICE "codecs = opus, g729\n", 3,
	    "bad value \"opus, g729\" for codecs: unknown codec \"g729\", "
	    "expected opus, pcmu or pcma");
	one_error("duplicate codec", ALICE "codecs = pcmu, PCMU\n", 3,
	    "bad value \"pcmu, PCMU\" for codecs: pcmu is listed twice");
	one_error("empty codecs", ALICE "codecs =\n", 3,
	    "empty value for codecs");
	one_error("empty codec in list", ALICE "codecs = opus,,pcma\n", 3,
	    "bad value \"opus,,pcma\" for codecs: empty codec name in the list");
	one_error("only a comma", ALICE "codecs = ,\n", 3,
	    "bad value \",\" for codecs: empty codec name in the list");

	one_error("bad transport", ALICE "transport = sctp\n", 3,
	    "bad value \"sctp\" for transport: expected udp, tcp or tls");
	one_error("bad dtmf", ALICE "dtmf = inband\n", 3,
	    "bad value \"inband\" for dtmf: expected rfc4733 or info");
	one_error("bad refer", ALICE "refer = maybe\n", 3,
	    "bad value \"maybe\" for refer: expected accept, ask or refuse");
	one_error("bad srtp", ALICE "srtp = yes\n", 3,
	    "bad value \"yes\" for srtp: expected off, optional or mandatory");
	one_error("bad driver", "[audio]\ndriver = alsa\n" ALICE, 2,
	    "bad value \"alsa\" for driver: expected portaudio, file or null");

	one_error("bad uri", "[account a]\nuri = http://example.com\n", 2,
	    "uri: bad URI \"http://example.com\": expected sip:user@host or "
	    "sips:user@host");
	one_error("bad registrar", ALICE "registrar = example.com\n", 3,
	    "registrar: bad URI \"example.com\": expected sip:user@host or "
	    "sips:user@host");
	one_error("bad proxy", ALICE "proxy = sip:edge:99999\n", 3,
	    "proxy: bad URI \"sip:edge:99999\": bad port");
	one_error("missing uri", "[account alice]\ndisplay_name = Alice\n", 1,
	    "[account alice]: missing required key uri");
	one_error("uri without user", "[account a]\n\nuri = sip:example.com\n", 3,
	    "[account a]: uri sip:example.com has no user part, so username "
	    "must be set");
	one_error("duplicate account", ALICE "[account alice]\nuri = sip:b@c\n",
	    3, "duplicate account \"alice\" (first at line 1)");
	one_error("duplicate key", ALICE "uri = sip:b@c\n", 3,
	    "duplicate key \"uri\" (first set at line 2)");
	one_error("duplicate key in [sip]", "[sip]\nuser_agent = a\n[audio]\n"
	    "[sip]\nuser_agent = b\n" ALICE, 5,
	    "duplicate key \"user_agent\" (first set at line 2)");
	one_error("two secrets", ALICE "password = a\npassword_cmd = b\n", 4,
	    "[account alice]: password_cmd and password (line 3) are both set: "
	    "use only one of password, password_cmd and ha1");
	one_error("password and ha1", ALICE
	    "ha1 = 0123456789abcdef0123456789abcdef\npassword = a\n", 4,
	    "[account alice]: password and ha1 (line 3) are both set: "
	    "use only one of password, password_cmd and ha1");
	one_error("short ha1", ALICE "ha1 = 0123456789abcdef\n", 3,
	    "bad value for ha1: expected 32 hex digits, "
	    "MD5(username:realm:password)");
	one_error("ha1 not hex", ALICE "ha1 = 0123456789abcdef0123456789abcdeg\n",
	    3, "bad value for ha1: expected 32 hex digits, "
	    "MD5(username:realm:password)");
	one_error("file driver without input",
	    "[audio]\ndriver = file\noutput = /tmp/o.wav\n" ALICE, 2,
	    "[audio]: driver file needs input set to a WAV file to send");
	one_error("file driver without output",
	    "[audio]\ninput = /tmp/i.wav\n\ndriver = file\n" ALICE, 4,
	    "[audio]: driver file needs output set to a WAV file to write");
	one_error("file driver with input = default",
	    "[audio]\ndriver = file\ninput = default\noutput = o.wav\n" ALICE, 2,
	    "[audio]: driver file needs input set to a WAV file to send");
	one_error("file_echo without a gain",
	    "[audio]\ndriver = file\ninput = i.wav\noutput = o.wav\n"
	    "file_echo = 60\n" ALICE, 5,
	    "bad value \"60\" for file_echo: expected DELAY_MS GAIN_DB, e.g. "
	    "60 -6 (0 to 1000 ms, -60 to 20 dB)");
	one_error("file_echo gain out of range",
	    "[audio]\ndriver = file\ninput = i.wav\noutput = o.wav\n"
	    "file_echo = 60 30\n" ALICE, 5,
	    "bad value \"60 30\" for file_echo: expected DELAY_MS GAIN_DB, e.g. "
	    "60 -6 (0 to 1000 ms, -60 to 20 dB)");
	one_error("file_echo with portaudio",
	    "[audio]\nfile_echo = 60 -6\n" ALICE, 2,
	    "file_echo works with driver = file only");
	one_error("period 15", "[audio]\nperiod = 15\n" ALICE, 2,
	    "period must be 10 or 20 (ms)");
	one_error("rate too high", "[audio]\nrate = 96000\n" ALICE, 2,
	    "bad value \"96000\" for rate: expected a number from 8000 to 48000");
	one_error("bad listen", "[sip]\nlisten = 0.0.0.0:65536\n" ALICE, 2,
	    "bad value \"0.0.0.0:65536\" for listen: expected ADDRESS:PORT, "
	    "e.g. 0.0.0.0:5060 or [::]:5060, with a port from 0 to 65535");
	one_error("bad tls_listen", "[sip]\ntls_listen = 5061\n" ALICE, 2,
	    "bad value \"5061\" for tls_listen: expected ADDRESS:PORT, "
	    "e.g. 0.0.0.0:5060 or [::]:5060, with a port from 0 to 65535");
	one_error("tls_listen on the listen port",
	    "[sip]\nlisten = 0.0.0.0:5070\ntls_listen = 0.0.0.0:5070\n" ALICE, 3,
	    "tls_listen uses port 5070, which listen uses already");
	one_error("empty value", ALICE "display_name =\n", 3,
	    "empty value for display_name");
	one_error("value is a comment", ALICE "display_name = # Alice\n", 3,
	    "empty value for display_name");
	one_error("comment right after =", ALICE "display_name =#x\n", 3,
	    "empty value for display_name");
	one_error("empty quotes", ALICE "display_name = \"\"\n", 3,
	    "empty value for display_name");
	one_error("unterminated quote", ALICE "password = \"secret\n", 3,
	    "bad value for password: unterminated quoted value");
	one_error("backslash at the end", ALICE "display_name = \"a\\\n", 3,
	    "bad value for display_name: unterminated quoted value");
	one_error("bad escape", ALICE "display_name = \"a\\n\"\n", 3,
	    "bad value for display_name: only \\\" and \\\\ may follow a "
	    "backslash in a quoted value");
	one_error("text after quote", ALICE "display_name = \"a\" b\n", 3,
	    "bad value for display_name: text after the closing quote");
	one_error("no account", "[sip]\n# nothing\n", 0,
	    "no [account NAME] section");
	one_error("empty file", "", 0, "no [account NAME] section");
	one_error("control character", ALICE "display_name = a\033[2Jb\n", 3,
	    "line contains the control character 0x1b");
	one_error("C1 control", ALICE "display_name = a\xc2\x9b" "2J\n", 3,
	    "line is not valid UTF-8 text");
	one_error("bad UTF-8", ALICE "display_name = caf\xe9\n", 3,
	    "line is not valid UTF-8 text");
	one_error("overlong UTF-8", ALICE "display_name = \xc0\xaf\n", 3,
	    "line is not valid UTF-8 text");
	one_error("truncated UTF-8", ALICE "display_name = \xe2\x82\n", 3,
	    "line is not valid UTF-8 text");
	one_error("surrogate in UTF-8", ALICE "display_name = \xed\xa0\x80\n", 3,
	    "line is not valid UTF-8 text");
	one_error("lone CR", ALICE "display_name = a\rb\n", 3,
	    "line contains the control character 0x0d");
}

/* Values the listen parser must refuse, and some it must take. */
static void
test_listen(void)
{
	static const char *const bad[] = {
		"0.0.0.0", "0.0.0.0:", "0.0.0.0:-1", "0.0.0.0:5060x",
		"0.0.0.0:+5060", "0.0.0.0:050600", "localhost:5060",
		"::1:5060", "[::1]5060", "[::1]:", "[1.2.3.4]:5060",
		"1.2.3:5060", "[::1", ":5060",
	};
	struct conf		*c;
	struct conf_error	*errs;
	char			*text;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		xasprintf(&text, "[sip]\nlisten = %s\n" ALICE, bad[i]);
		c = NULL;
		errs = NULL;
		is_int(load_text(text, 0600, &c, &errs), -1, "listen %s refused",
		    bad[i]);
		ok(errs != NULL && errs->line == 2 && errs->next == NULL &&
		    strstr(errs->message, "for listen: expected ADDRESS:PORT") !=
		    NULL, "listen %s: one error naming the key", bad[i]);
		conf_free(c);
		conf_errors_free(errs);
		free(text);
	}

	c = loads("listen [::]:0",
	    "[sip]\nlisten = [::]:0\ntls_listen = 127.0.0.1:65535\n" ALICE);
	if (c != NULL) {
		is_str(c->listen_host, "::", "listen: IPv6 host without brackets");
		is_int(c->listen_port, 0, "listen: port 0 = any");
		is_str(c->tls_listen_host, "127.0.0.1", "tls_listen host");
		is_int(c->tls_listen_port, 65535, "tls_listen: port 65535");
	}
	conf_free(c);
}

static void
test_values(void)
{
	struct conf	*c;

	c = loads("quoting", "\xef\xbb\xbf" ALICE
	    "display_name = a#b  #c\n"
	    "password = \"  # not a comment \\\\ \"   # a comment\n"
	    "username = \"x\"#y\n"
	    "codecs = \"opus\"\n");
	if (c != NULL) {
		is_str(c->accounts->name, "alice", "BOM skipped");
		is_str(c->accounts->display_name, "a#b",
		    "# after text is kept, after a blank is a comment");
		is_str(c->accounts->password, "  # not a comment \\ ",
		    "quoted secret keeps blanks and #");
		is_str(c->accounts->username, "x", "comment right after quote");
		is_int(c->accounts->ncodecs, 1, "quoted codec list");
	}
	conf_free(c);

	c = loads("uri without user, username set",
	    "[account pbx]\nuri = sip:pbx.example.com\nusername = 1001\n"
	    "register = YES\nauto_answer = On\n");
	if (c != NULL) {
		is_str(c->accounts->username, "1001", "username kept");
		is_str(c->accounts->registrar, "sip:pbx.example.com",
		    "registrar from a uri without user");
		ok(c->accounts->do_register && c->accounts->auto_answer,
		    "bools in any case");
	}
	conf_free(c);

	c = loads("expires bounds", "[account a]\nuri = sip:a@b\nexpires = 10\n"
	    "[account b]\nuri = sip:b@b\nexpires = 86400\n"
	    "[sip]\nuser_agent = x\n[account c]\nuri = sip:c@b\n");
	if (c != NULL) {
		is_int(c->accounts->expires, 10, "expires 10");
		is_int(c->accounts->next->expires, 86400, "expires 86400");
		is_str(c->user_agent, "x", "[sip] between accounts");
		is_int(c->naccounts, 3, "accounts after [sip]");
	}
	conf_free(c);
}

/* Several problems in one file: all reported, in line order. */
static void
test_many_errors(void)
{
	const char	*text =
	    "[sip]\n"				/* 1 */
	    "listen = nowhere\n"		/* 2 */
	    "bogus = 1\n"			/* 3 */
	    "[account alice]\n"			/* 4: no uri, found at line 7 */
	    "pasword = x\n"			/* 5 */
	    "register = maybe\n"		/* 6 */
	    "[foo]\n"				/* 7 */
	    "ignored = 1\n"			/* 8 */
	    "[account bob]\n"			/* 9 */
	    "uri = sip:bob@example.com\n"	/* 10 */
	    "uri = sip:bob@example.org\n"	/* 11 */
	    "[account bob]\n"			/* 12 */
	    "expires = 1\n";			/* 13: checked though dropped */
	struct conf		*c = NULL;
	struct conf_error	*errs = NULL, *e;
	char			*path, *got, *want;
	int			 last = -1;
	bool			 sorted = true;

	path = write_text(text, 0600);
	is_int(conf_load(path, &c, &errs), -1, "many errors: refused");
	ok(c == NULL, "many errors: no conf");
	is_int(count_errors(errs), 10, "many errors: all ten reported");
	for (e = errs; e != NULL; e = e->next) {
		if (e->line < last)
			sorted = false;
		last = e->line;
	}
	ok(sorted, "many errors: in line order");
	ok(has_error(errs, 4, "[account alice]: missing required key uri"),
	    "many errors: missing uri at the header line");
	ok(has_error(errs, 13, "bad value \"1\" for expires: expected a number "
	    "from 10 to 86400"), "many errors: keys of a duplicate checked");

	got = errors_text(errs);
	xasprintf(&want,
	    "%1$s:2: bad value \"nowhere\" for listen: expected ADDRESS:PORT, "
	    "e.g. 0.0.0.0:5060 or [::]:5060, with a port from 0 to 65535\n"
	    "%1$s:3: unknown key \"bogus\" in [sip]\n"
	    "%1$s:4: [account alice]: missing required key uri\n"
	    "%1$s:5: unknown key \"pasword\" in [account alice]\n"
	    "%1$s:6: bad value \"maybe\" for register: expected yes or no\n"
	    "%1$s:7: unknown section [foo]\n"
	    "%1$s:11: duplicate key \"uri\" (first set at line 10)\n"
	    "%1$s:12: duplicate account \"bob\" (first at line 9)\n"
	    "%1$s:12: [account bob]: missing required key uri\n"
	    "%1$s:13: bad value \"1\" for expires: expected a number from 10 "
	    "to 86400\n", path);
	is_str(got, want, "many errors: printed as FILE:LINE: message");
	free(got);
	free(want);
	conf_errors_free(errs);
	free(path);

	/* Line 0 prints without a line number. */
	path = write_text("# empty\n", 0600);
	errs = NULL;
	conf_load(path, NULL, &errs);
	got = errors_text(errs);
	xasprintf(&want, "%s: no [account NAME] section\n", path);
	is_str(got, want, "line 0 printed as FILE: message");
	free(got);
	free(want);
	conf_errors_free(errs);
	free(path);
}

static void
test_permissions(void)
{
	const char		*secret = ALICE "display_name = A\npassword = x\n";
	struct conf		*c;
	struct conf_error	*errs;
	char			*path, *got, *want;

	path = write_text(secret, 0644);
	c = NULL;
	errs = NULL;
	is_int(conf_load(path, &c, &errs), -1, "0644 with password: refused");
	got = errors_text(errs);
	xasprintf(&want, "%1$s:4: holds a password but others can read it "
	    "(mode 0644); fix it with: chmod 600 %1$s\n", path);
	is_str(got, want, "0644 with password: chmod hint at the password line");
	free(got);
	free(want);
	conf_errors_free(errs);
	conf_free(c);

	chmod(path, 0600);
	c = NULL;
	is_int(conf_load(path, &c, NULL), 0, "0600 with password: accepted");
	is_str(c != NULL ? c->accounts->password : NULL, "x",
	    "0600: password read");
	conf_free(c);
	free(path);

	c = NULL;
	is_int(load_text(ALICE, 0644, &c, NULL), 0,
	    "0644 without secrets: accepted");
	conf_free(c);

	c = NULL;
	is_int(load_text(ALICE "password_cmd = pass x\n", 0664, &c, NULL), 0,
	    "0664 with password_cmd only: accepted");
	conf_free(c);

	path = write_text(ALICE "ha1 = 0123456789abcdef0123456789abcdef\n"
	    "expires = 5\n", 0640);
	errs = NULL;
	is_int(conf_load(path, NULL, &errs), -1, "0640 with ha1: refused");
	xasprintf(&want, "holds a password but others can read it (mode 0640); "
	    "fix it with: chmod 600 %s", path);
	ok(has_error(errs, 3, want), "0640 with ha1: mode and line right");
	is_int(count_errors(errs), 2, "0640 with ha1: other errors still found");
	free(want);
	conf_errors_free(errs);
	free(path);

	/* A secret in a section that is itself wrong is still in the file. */
	path = write_text(ALICE "[bogus]\npassword = x\n", 0604);
	errs = NULL;
	conf_load(path, NULL, &errs);
	ok(errs != NULL && errs->next != NULL && errs->next->line == 4 &&
	    strstr(errs->next->message, "(mode 0604)") != NULL,
	    "password in an unknown section: permission rule applies");
	conf_errors_free(errs);
	free(path);
}

static void
test_open_errors(void)
{
	struct conf		*c = (struct conf *)1;
	struct conf_error	*errs = (struct conf_error *)1;
	char			*path, *got, *want;

	xasprintf(&path, "%s/missing.conf", tdir);
	is_int(conf_load(path, &c, &errs), -ENOENT, "missing file: -ENOENT");
	ok(c == NULL && errs == NULL, "missing file: no conf, no errors");
	free(path);

	c = (struct conf *)1;
	errs = NULL;
	is_int(conf_load(tdir, &c, &errs), -1, "directory: refused");
	ok(c == NULL, "directory: no conf");
	got = errors_text(errs);
	xasprintf(&want, "%s: cannot read: %s\n", tdir, strerror(EISDIR));
	is_str(got, want, "directory: one error at line 0");
	free(got);
	free(want);
	conf_errors_free(errs);

	if (geteuid() == 0) {
		printf("ok %d - # SKIP root reads mode 0000 files\n", ++tap_n);
		return;
	}
	path = write_text(ALICE, 0000);
	errs = NULL;
	is_int(conf_load(path, NULL, &errs), -1, "unreadable: refused");
	got = errors_text(errs);
	xasprintf(&want, "%s: cannot open: %s\n", path, strerror(EACCES));
	is_str(got, want, "unreadable: strerror at line 0");
	free(got);
	free(want);
	conf_errors_free(errs);
	free(path);
}

/* Restore or clear an environment variable saved as OLD (freed). */
static void
restore_env(const char *name, char *old)
{
	if (old != NULL)
		setenv(name, old, 1);
	else
		unsetenv(name);
	free(old);
}

static char *
save_env(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL ? xstrdup(v) : NULL;
}

static void
test_default(void)
{
	char			*user = save_env("USER"), *xdg, *home, *p;
	struct conf		*c;
	struct conf_account	*a;

	setenv("USER", "jo hn/x", 1);
	c = conf_default();
	a = c->accounts;
	ok(c->path == NULL, "default: no path");
	is_int(c->naccounts, 1, "default: one account");
	is_str(a->name, "jo_hn_x", "default: account named after $USER, "
	    "sanitized");
	ok(strncmp(a->uri, "sip:jo_hn_x@", 12) == 0, "default: uri %s", a->uri);
	is_int(sip_uri_check(a->uri, NULL), 0, "default: uri is valid");
	ok(strcmp(a->uri + 12, "127.0.0.1") == 0 ||
	    strncmp(a->uri + 12, "127.", 4) != 0,
	    "default: loopback only as a fallback");
	is_str(a->username, "jo_hn_x", "default: username");
	ok(a->registrar != NULL && strcmp(a->registrar + 4, a->uri + 12) == 0,
	    "default: registrar is the local address");
	ok(!a->do_register, "default: no registration");
	ok(a->password == NULL && a->password_cmd == NULL && a->ha1 == NULL,
	    "default: no secret");
	is_int(a->expires, 600, "default: expires");
	is_int(a->ncodecs, 3, "default: codecs");
	is_str(c->listen_host, "0.0.0.0", "default: listen host");
	is_int(c->listen_port, 5060, "default: listen port");
	ok(c->listen_auto, "default: next free port if taken");
	is_int(c->driver, CONF_DRIVER_PORTAUDIO, "default: portaudio");
	ok(c->aec && c->noise_suppression && !c->agc,
	    "default: echo cancellation and noise suppression, no AGC");
	is_int(c->rate, 48000, "default: 48 kHz");
	is_int(c->period, 20, "default: 20 ms period");
	is_int(c->opus_complexity, 5, "default: Opus complexity 5");
	is_int(c->opus_bitrate, 32000, "default: Opus at 32 kbit/s");
	is_str(c->input, "default", "default: input device");
	is_str(c->user_agent, "tsphone/" PACKAGE_VERSION, "default: user_agent");
	conf_free(c);

	unsetenv("USER");
	c = conf_default();
	is_str(c->accounts->name, "user", "default: \"user\" without $USER");
	conf_free(c);
	restore_env("USER", user);

	xdg = save_env("XDG_CONFIG_HOME");
	home = save_env("HOME");
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	setenv("HOME", "/home/h", 1);
	p = conf_default_path();
	is_str(p, "/x/cfg/tsphone/tsphone.conf", "path: XDG_CONFIG_HOME");
	free(p);
	setenv("XDG_CONFIG_HOME", "rel/cfg", 1);
	p = conf_default_path();
	is_str(p, "/home/h/.config/tsphone/tsphone.conf",
	    "path: relative XDG_CONFIG_HOME ignored");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = conf_default_path();
	is_str(p, "/home/h/.config/tsphone/tsphone.conf", "path: HOME");
	free(p);
	restore_env("XDG_CONFIG_HOME", xdg);
	restore_env("HOME", home);
}

static void
test_template(void)
{
	struct conf			*c = NULL;
	struct conf_error		*errs = NULL;
	const struct conf_key_info	*keys;
	struct stat			 st;
	char				*path, *dir, *cause = NULL, *text, *want;
	char				*got;
	mode_t				 old;
	int				 i, n, missing = 0, rc;

	xasprintf(&dir, "%s/cfg/tsphone", tdir);
	xasprintf(&path, "%s/tsphone.conf", dir);
	/* With no umask, the modes asked for are the modes we get. */
	old = umask(0);
	rc = conf_write_template(path, &cause);
	umask(old);
	is_int(rc, 0, "template: written");
	ok(cause == NULL, "template: no cause");
	free(cause);
	cause = NULL;
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "template: mode 0600");
	ok(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700, "template: directory mode 0700");

	rc = conf_load(path, &c, &errs);
	is_int(rc, 0, "template: loads cleanly");
	if (errs != NULL) {
		got = errors_text(errs);
		printf("#   %s", got);
		free(got);
	}
	conf_errors_free(errs);
	ok(c != NULL && c->naccounts == 1 && !c->accounts->do_register,
	    "template: one account that does not register");
	ok(c != NULL && c->accounts->password == NULL,
	    "template: no password set");
	conf_free(c);

	/* Every key is shown, set or commented out. */
	text = slurp(path);
	keys = conf_keys(&n);
	for (i = 0; text != NULL && i < n; i++) {
		char	*set, *unset;

		xasprintf(&set, "\n%s = ", keys[i].key);
		xasprintf(&unset, "\n#%s = ", keys[i].key);
		if (strstr(text, set) == NULL && strstr(text, unset) == NULL) {
			printf("#   %s missing\n", keys[i].key);
			missing++;
		}
		free(set);
		free(unset);
	}
	ok(text != NULL && missing == 0,
	    "template: shows every key");
	ok(text != NULL && strstr(text, "\n[sip]\n") != NULL &&
	    strstr(text, "\n[audio]\n") != NULL &&
	    strstr(text, "\n[account ") != NULL, "template: every section");

	rc = conf_write_template(path, &cause);
	is_int(rc, -EEXIST, "template: refuses to overwrite");
	xasprintf(&want, "%s exists; not overwriting it", path);
	is_str(cause, want, "template: says why");
	free(want);
	free(cause);
	cause = NULL;
	got = slurp(path);
	is_str(got, text, "template: existing file untouched");
	free(got);
	free(text);
	free(path);
	free(dir);

	/* A parent that is a file. */
	xasprintf(&path, "%s/cfg/tsphone/tsphone.conf/x.conf", tdir);
	rc = conf_write_template(path, &cause);
	ok(rc < 0 && rc != -EEXIST && cause != NULL,
	    "template: parent is a file: %s", cause != NULL ? cause : "");
	free(cause);
	free(path);
}

static void
test_audio(void)
{
	struct conf	*c;

	c = loads("file driver", "[audio]\ndriver = file\ninput = i.wav\n"
	    "output = o.wav\nfile_echo = 60 -6.5\nrate = 44100\nperiod = 10\n"
	    ALICE);
	if (c == NULL)
		return;
	ok(!c->aec && !c->noise_suppression,
	    "file driver: no echo cancellation unless asked");
	ok(c->file_echo && c->file_echo_delay == 60 &&
	    c->file_echo_gain == -6.5, "file_echo = 60 -6.5");
	is_int(c->rate, 44100, "rate = 44100");
	is_int(c->period, 10, "period = 10");
	conf_free(c);
	c = loads("file driver with aec", "[audio]\ndriver = file\n"
	    "input = i.wav\noutput = o.wav\naec = yes\nagc = yes\n"
	    "echo_tail = 300\nopus_complexity = 9\nopus_bitrate = 64000\n"
	    ALICE);
	if (c == NULL)
		return;
	ok(c->aec && !c->noise_suppression && c->agc,
	    "aec and agc as set, noise suppression by driver");
	ok(c->echo_tail == 300 && c->opus_complexity == 9 &&
	    c->opus_bitrate == 64000, "echo_tail and Opus settings read");
	conf_free(c);
}

/* [hooks], and the do-not-disturb and forward keys of an account. */
static void
test_hooks(void)
{
	struct conf	*c;

	c = loads("hooks", "[hooks]\n"
	    "incoming = notify-send \"Call from\" 'it''s' # a comment\n"
	    "missed = \"/opt/my hooks/lamp\" on\n"
	    "timeout = 2\n"
	    ALICE "dnd = yes\nforward = bob\n");
	if (c == NULL)
		return;
	is_str(c->hook_incoming, "notify-send \"Call from\" 'it''s' # a comment",
	    "incoming: kept as written, split when run");
	is_str(c->hook_missed, "\"/opt/my hooks/lamp\" on",
	    "missed: a leading quote is the command's, not the file's");
	ok(c->hook_message == NULL, "message: unset");
	is_int(c->hook_timeout, 2, "timeout = 2");
	ok(c->accounts->dnd, "dnd = yes");
	is_str(c->accounts->forward, "bob", "forward = bob");
	conf_free(c);

	c = loads("presence = yes", ALICE "presence = yes\n");
	if (c != NULL)
		ok(c->accounts->presence, "presence = yes");
	conf_free(c);

	c = loads("hooks: defaults", ALICE);
	if (c != NULL) {
		is_int(c->hook_timeout, 10, "timeout: 10 s by default");
		ok(c->hook_incoming == NULL && !c->accounts->dnd &&
		    c->accounts->forward == NULL, "no hooks, dnd or forward");
		ok(!c->accounts->presence, "presence: no by default");
	}
	conf_free(c);

	one_error("hooks: unterminated quote",
	    "[hooks]\nincoming = notify-send \"Call\n" ALICE, 2,
	    "incoming: unterminated \" quote");
	one_error("hooks: no command", "[hooks]\nmissed = # nothing\n" ALICE,
	    2, "missed: no command");
	one_error("hooks: timeout 0", "[hooks]\ntimeout = 0\n" ALICE, 2,
	    "bad value \"0\" for timeout: expected a number from 1 to 600");
	one_error("hooks: unknown key", "[hooks]\nringing = x\n" ALICE, 2,
	    "unknown key \"ringing\" in [hooks]");
	one_error("presence: not a boolean", ALICE "presence = maybe\n", 3,
	    "bad value \"maybe\" for presence: expected yes or no");
	one_error("forward: not a target", ALICE "forward = sip:\n", 3,
	    "forward: bad target \"sip:\": nothing after the scheme");
}

/* Voicemail: mwi = yes|no|URI, and the box's dial string. */
static void
test_mwi(void)
{
	struct conf	*c;

	c = loads("mwi: defaults", ALICE);
	if (c != NULL)
		ok(!c->accounts->mwi && c->accounts->mwi_uri == NULL &&
		    c->accounts->voicemail == NULL,
		    "mwi off, no voicemail box by default");
	conf_free(c);
	c = loads("mwi = yes", ALICE "mwi = yes\nvoicemail = *97\n");
	if (c != NULL) {
		ok(c->accounts->mwi && c->accounts->mwi_uri == NULL,
		    "mwi = yes: at the account's uri");
		is_str(c->accounts->voicemail, "*97", "voicemail = *97");
	}
	conf_free(c);
	c = loads("mwi = URI", ALICE "mwi = sip:vm@example.com\n");
	if (c != NULL) {
		ok(c->accounts->mwi, "mwi = URI: on");
		is_str(c->accounts->mwi_uri, "sip:vm@example.com", "there");
	}
	conf_free(c);
	c = loads("mwi = no", ALICE "mwi = no\n");
	if (c != NULL)
		ok(!c->accounts->mwi && c->accounts->mwi_uri == NULL,
		    "mwi = no: off");
	conf_free(c);
	one_error("mwi: neither", ALICE "mwi = maybe\n", 3,
	    "bad value \"maybe\" for mwi: expected yes, no or a sip: URI");
	one_error("mwi: a bad URI", ALICE "mwi = sip:\n", 3,
	    "mwi: bad URI \"sip:\": expected sip:user@host or sips:user@host");
	one_error("voicemail: not a target", ALICE "voicemail = sip:\n", 3,
	    "voicemail: bad target \"sip:\": nothing after the scheme");
}

/* [account] stun_server = HOST[:PORT]. */
static void
test_stun(void)
{
	static const struct {
		const char	*value, *host;
		int		 port;
	} good[] = {
		{ "stun.example.com", "stun.example.com", 3478 },
		{ "stun.example.com:3479", "stun.example.com", 3479 },
		{ "192.0.2.1", "192.0.2.1", 3478 },
		{ "192.0.2.1:65535", "192.0.2.1", 65535 },
		{ "[2001:db8::1]:19302", "2001:db8::1", 19302 },
		{ "[2001:db8::1]", "2001:db8::1", 3478 },
		{ "2001:db8::1", "2001:db8::1", 3478 },
	};
	static const char *const bad[] = {
		"stun.example.com:0", "stun.example.com:65536", "host:",
		"host:12a", ":3478", "bad_host", "-x.example", "[2001:db8::1",
		"[2001:db8::1]3478", "[nonsense]:1", "2001:db8::zz", "a b",
	};
	struct conf	*c;
	char		*text, *msg;
	size_t		 i;

	c = loads("stun: default", ALICE);
	if (c != NULL)
		ok(c->accounts->stun_host == NULL, "stun: none by default");
	conf_free(c);
	for (i = 0; i < nitems(good); i++) {
		xasprintf(&text, ALICE "stun_server = %s\n", good[i].value);
		c = loads(good[i].value, text);
		if (c != NULL) {
			is_str(c->accounts->stun_host, good[i].host,
			    "stun_server = %s: host", good[i].value);
			is_int(c->accounts->stun_port, good[i].port,
			    "stun_server = %s: port", good[i].value);
		}
		conf_free(c);
		free(text);
	}
	for (i = 0; i < nitems(bad); i++) {
		xasprintf(&text, ALICE "stun_server = %s\n", bad[i]);
		xasprintf(&msg, "bad value \"%s\" for stun_server: expected "
		    "HOST[:PORT], e.g. stun.example.com, 192.0.2.1:3478 or "
		    "[2001:db8::1]:3478, with a port from 1 to 65535", bad[i]);
		one_error(bad[i], text, 3, msg);
		free(msg);
		free(text);
	}
}

static void
test_keys(void)
{
	static const char *const want[] = {
		"sip.listen", "sip.tls_listen", "sip.user_agent",
		"sip.ring_timeout", "sip.rtp_timeout", "sip.rtp_keepalive",
		"sip.session_expires",
		"sip.tls_ca_file",
		"sip.tls_cert_file", "sip.tls_key_file", "sip.tls_verify",
		"audio.driver", "audio.input", "audio.output", "audio.ring",
		"audio.rate", "audio.period", "audio.aec", "audio.echo_tail",
		"audio.noise_suppression", "audio.agc", "audio.opus_complexity",
		"audio.opus_bitrate", "audio.file_echo",
		"hooks.incoming", "hooks.missed", "hooks.message",
		"hooks.timeout",
		"account.uri", "account.display_name", "account.username",
		"account.password", "account.password_cmd", "account.ha1",
		"account.registrar", "account.proxy", "account.transport",
		"account.register", "account.expires", "account.keepalive",
		"account.codecs",
		"account.dtmf", "account.refer", "account.srtp",
		"account.auto_answer", "account.dnd", "account.forward",
		"account.presence",
		"account.mwi", "account.stun_server", "account.voicemail",
	};
	const struct conf_key_info	*keys;
	char				 name[64];
	int				 n, i, j, found = 0, dups = 0, bad = 0;

	keys = conf_keys(&n);
	is_int(n, nitems(want), "keys: count");
	for (i = 0; i < n; i++) {
		if (keys[i].section == NULL || keys[i].key == NULL ||
		    keys[i].type == NULL || keys[i].help == NULL ||
		    keys[i].help[0] == '\0') {
			bad++;
			continue;
		}
		snprintf(name, sizeof name, "%s.%s", keys[i].section,
		    keys[i].key);
		for (j = 0; j < (int)nitems(want); j++) {
			if (strcmp(name, want[j]) == 0)
				found++;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(keys[i].key, keys[j].key) == 0 &&
			    strcmp(keys[i].section, keys[j].section) == 0)
				dups++;
		}
	}
	is_int(bad, 0, "keys: every field filled");
	is_int(found, nitems(want), "keys: the SPEC keys, each once");
	is_int(dups, 0, "keys: no duplicates");
	ok(conf_keys(NULL) == keys, "keys: same table each call");

	is_str(conf_transport_name(CONF_TRANSPORT_UDP), "udp", "name: udp");
	is_str(conf_transport_name(CONF_TRANSPORT_TCP), "tcp", "name: tcp");
	is_str(conf_transport_name(CONF_TRANSPORT_TLS), "tls", "name: tls");
	is_str(conf_codec_name(CONF_CODEC_OPUS), "opus", "name: opus");
	is_str(conf_codec_name(CONF_CODEC_PCMU), "pcmu", "name: pcmu");
	is_str(conf_codec_name(CONF_CODEC_PCMA), "pcma", "name: pcma");
	is_str(conf_codec_name((enum conf_codec)7), "unknown",
	    "name: out of range");
}

/* Binary garbage, token soup and huge lines: refused, never a crash. */
static void
test_garbage(void)
{
	static const char *const tokens[] = {
		"[", "]", "account", "sip", "audio", " ", "\t", "=", "\"",
		"\\", "#", "\n", "\r\n", "uri", "password", "codecs", ",",
		"sip:a@b", "opus", "yes", "0.0.0.0:1", "[::]:5", "x", "\xc3\xa9",
		"\xff", "\0",
	};
	struct conf		*c;
	struct conf_error	*errs;
	char			 buf[4096], *big, *path, *text;
	size_t			 len, t;
	int			 i, j, crashed = 0, accepted = 0;
	unsigned int		 seed = 12345;

	for (i = 0; i < 200; i++) {
		if (i < 100) {
			for (j = 0; j < (int)sizeof buf; j++)
				buf[j] = rand_r(&seed) & 0xff;
			len = sizeof buf;
		} else {
			for (len = 0; len < sizeof buf - 32;) {
				t = rand_r(&seed) % nitems(tokens);
				j = tokens[t][0] == '\0' ? 1 : strlen(tokens[t]);
				memcpy(buf + len, tokens[t], j);
				len += j;
			}
		}
		path = write_file(buf, len, 0600);
		c = NULL;
		errs = NULL;
		if (conf_load(path, &c, &errs) == 0) {
			accepted++;
			if (c == NULL || errs != NULL)
				crashed++;
		} else if (c != NULL || errs == NULL)
			crashed++;
		conf_free(c);
		conf_errors_free(errs);
		unlink(path);
		free(path);
	}
	is_int(crashed, 0, "garbage: every result consistent");
	is_int(accepted, 0, "garbage: none accepted");

	/* A NUL byte: reported on its line, the file is read on. */
	{
		static const char nul[] = ALICE "display_name = a\0b\n"
		    "expires = 1\n";

		path = write_file(nul, sizeof nul - 1, 0600);
		errs = NULL;
		c = NULL;
		is_int(conf_load(path, &c, &errs), -1, "NUL byte: refused");
		ok(has_error(errs, 3, "line contains a NUL byte"),
		    "NUL byte: reported at its line");
		ok(has_error(errs, 4, "bad value \"1\" for expires: expected a "
		    "number from 10 to 86400"), "NUL byte: next line read");
		is_int(count_errors(errs), 2, "NUL byte: two errors");
		conf_free(c);
		conf_errors_free(errs);
		free(path);
	}

	/* A long bad account name is quoted short; its keys still checked. */
	big = xmalloc(300);
	memset(big, 'n', 200);
	strcpy(big + 200, "!]\nexpires = 1\n");
	xasprintf(&text, "%s[account %s", ALICE, big);
	free(big);
	errs = NULL;
	load_text(text, 0600, NULL, &errs);
	ok(errs != NULL && errs->line == 3 &&
	    strncmp(errs->message, "bad account name \"nnn", 21) == 0 &&
	    strlen(errs->message) < 140 && count_errors(errs) == 3 &&
	    has_error(errs, 4, "bad value \"1\" for expires: expected a number "
	    "from 10 to 86400"),
	    "long bad account name: shortened, keys checked");
	conf_errors_free(errs);
	free(text);

	/* A 1 MiB value is fine. */
	len = 1 << 20;
	big = xmalloc(len + 64);
	memcpy(big, ALICE "display_name = ", strlen(ALICE) + 15);
	memset(big + strlen(ALICE) + 15, 'x', len);
	strcpy(big + strlen(ALICE) + 15 + len, "\n");
	c = loads("1 MiB value", big);
	is_int(c != NULL ? strlen(c->accounts->display_name) : 0, len,
	    "1 MiB value read whole");
	conf_free(c);

	/* A 1 MiB line without '=', and a 1 MiB unknown key, quoted short. */
	memset(big + strlen(ALICE), 'y', len);
	strcpy(big + strlen(ALICE) + len, "\n");
	one_error("1 MiB line", big, 3, "line is not \"key = value\"");
	strcpy(big + strlen(ALICE) + len, " = 1\n");
	errs = NULL;
	load_text(big, 0600, NULL, &errs);
	ok(errs != NULL && errs->line == 3 &&
	    strncmp(errs->message, "unknown key \"yyy", 16) == 0 &&
	    strlen(errs->message) < 120, "1 MiB key: quoted shortened");
	conf_errors_free(errs);
	free(big);
}

/* Messages about secrets must not repeat them. */
static void
test_no_echo(void)
{
	struct conf_error	*errs = NULL, *e;
	bool			 leaked = false;

	load_text(ALICE "password = \"hunter2\n"
	    "ha1 = hunter2hunter2hunter2hunter2xx\n", 0644, NULL, &errs);
	for (e = errs; e != NULL; e = e->next) {
		if (strstr(e->message, "hunter2") != NULL)
			leaked = true;
	}
	ok(errs != NULL && !leaked, "secrets never appear in messages");
	conf_errors_free(errs);
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");

	xasprintf(&tdir, "%s/test-conf.XXXXXX", tmp != NULL && *tmp != '\0' ?
	    tmp : "/tmp");
	if (mkdtemp(tdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}

	test_full();
	test_defaults();
	test_errors();
	test_listen();
	test_values();
	test_many_errors();
	test_permissions();
	test_open_errors();
	test_default();
	test_template();
	test_audio();
	test_keys();
	test_hooks();
	test_mwi();
	test_stun();
	test_garbage();
	test_no_echo();

	nftw(tdir, remove_one, 16, FTW_DEPTH|FTW_PHYS);
	free(tdir);
	return done_testing();
}
