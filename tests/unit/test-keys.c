/*
 * test-keys.c: key names (key-string.c), the [keys] section of the
 * configuration with its errors, the key-only actions of the command
 * table, and the SIP trace ring that the full-screen trace view reads.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "key-string.h"
#include "tap.h"
#include "trace.h"

static const char *shown(const char *, char *, size_t);

static void
parses(const char *name, int want)
{
	char	 buf[64];
	int	 key = -2;

	ok(key_string_parse(name, &key) == 0 && key == want,
	    "\"%s\" is key %d (got %d)", shown(name, buf, sizeof buf), want,
	    key);
}

/* NAME for a TAP line: bytes outside printable ASCII as \xNN. */
static const char *
shown(const char *name, char *buf, size_t len)
{
	size_t	 o = 0;

	for (; *name != '\0' && o + 5 < len; name++) {
		unsigned char	 c = (unsigned char)*name;

		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static void
refused(const char *name)
{
	char	 buf[64];
	int	 key;

	ok(key_string_parse(name, &key) == -1, "\"%s\" is not a key",
	    shown(name, buf, sizeof buf));
}

static void
named(int key, const char *want)
{
	char	 buf[KEY_STRING_MAX], s[64];

	is_str(key_string_name(key, buf, sizeof buf), want, "key %d is named %s",
	    key, shown(want, s, sizeof s));
}

static void
test_names(void)
{
	char	 buf[KEY_STRING_MAX];
	int	 k, back;

	parses("a", 'a');
	parses("?", '?');
	parses(":", ':');
	parses("Tab", KEYC_TAB);
	parses("tab", KEYC_TAB);
	parses("Enter", KEYC_ENTER);
	parses("Space", ' ');
	parses("BSpace", KEYC_BSPACE);
	parses("Escape", KEYC_ESCAPE);
	parses("C-x", 24);
	parses("C-X", 24);
	parses("c-a", 1);
	parses("F1", KEYC_F1);
	parses("f12", KEYC_F12);
	parses("PageUp", KEYC_PPAGE);
	parses("PgDn", KEYC_NPAGE);
	parses("BTab", KEYC_BTAB);
	parses("none", KEYC_NONE);
	parses("\xc3\xa4", 0xe4);		/* ä */
	parses("\xe6\x97\xa5", 0x65e5);		/* 日 */
	refused("");
	refused(" ");
	refused("ab");
	refused("F0");
	refused("F13");
	refused("F1x");
	refused("C-1");
	refused("C-");
	refused("Ctrl-x");
	refused("\x01");
	refused("\xc3");			/* cut UTF-8 */
	refused("\xc2\x9b");			/* C1 control (CSI) */

	named(KEYC_TAB, "Tab");
	named(12, "C-l");
	named(KEYC_F1 + 4, "F5");
	named(KEYC_NPAGE, "PageDown");
	named('q', "q");
	named(0xe4, "\xc3\xa4");
	named(KEYC_NONE, "none");
	/* Every special name reads back as itself. */
	for (k = KEYC_BASE; k < KEYC_LAST; k++) {
		key_string_name(k, buf, sizeof buf);
		ok(key_string_parse(buf, &back) == 0 && back == k,
		    "%s reads back as key %d", buf, k);
	}

	ok(key_string_reserved('5') && key_string_reserved('*') &&
	    key_string_reserved('#') && key_string_reserved('+') &&
	    key_string_reserved(KEYC_ESCAPE), "digits, * # + and Escape are "
	    "reserved");
	ok(!key_string_reserved('a') && !key_string_reserved(KEYC_F1),
	    "letters and function keys are not");
}

static void
test_actions(void)
{
	const struct cmd_entry	*ce;
	int			 n;

	ce = cmd_find_bindable("hold_toggle");
	ok(ce != NULL && ce->handler == NULL, "hold_toggle is a key-only "
	    "action");
	ok(cmd_find("hold_toggle") == NULL, "and not a command");
	ok(cmd_find_bindable("hangup") == cmd_find("hangup"),
	    "commands are bindable");
	ok(cmd_find_bindable("nosuch") == NULL, "unknown names are not");
	ce = cmd_actions(&n);
	ok(n > 0 && ce[0].key != NULL, "actions have default keys");
	ce = cmd_find("answer");
	is_str(ce != NULL ? ce->key : NULL, "a", "answer is on a");
}

/* Load TEXT from a 0600 file. */
static int
load(const char *text, struct conf **conf, struct conf_error **errs)
{
	char	 path[] = "/tmp/tsphone-test-keys.XXXXXX";
	int	 fd = mkstemp(path), rc;

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	close(fd);
	rc = conf_load(path, conf, errs);
	unlink(path);
	return rc;
}

#define CONF_HEAD	"[account a]\nuri = sip:a@example.com\n[keys]\n"

static void
one_error(const char *what, const char *keys, int line, const char *message)
{
	struct conf		*conf = NULL;
	struct conf_error	*errs = NULL;
	char			 text[1024];

	snprintf(text, sizeof text, "%s%s", CONF_HEAD, keys);
	is_int(load(text, &conf, &errs), -1, "%s: refused", what);
	ok(errs != NULL && errs->next == NULL, "%s: one error", what);
	is_int(errs != NULL ? errs->line : 0, line, "%s: at line %d", what, line);
	ok(errs != NULL && strstr(errs->message, message) != NULL,
	    "%s: says \"%s\" (got \"%s\")", what, message,
	    errs != NULL ? errs->message : "");
	conf_free(conf);
	conf_errors_free(errs);
}

static void
test_conf(void)
{
	struct conf		*conf = NULL;
	struct conf_error	*errs = NULL;

	is_int(load(CONF_HEAD
	    "answer = F1\n"			/* 4 */
	    "hangup = x\n"			/* 5 */
	    "hold_toggle = h   # h is free: hangup moved\n"
	    "status = C-s\n"
	    "quit = none\n"
	    "trace = \"T\"\n", &conf, &errs), 0, "a [keys] section loads");
	ok(conf != NULL && conf->nbindings == 6, "six bindings");
	if (conf != NULL && conf->nbindings == 6) {
		is_str(conf->bindings[0].name, "answer", "first is answer");
		is_int(conf->bindings[0].key, KEYC_F1, "on F1");
		is_int(conf->bindings[0].line, 4, "from line 4");
		is_int(conf->bindings[2].key, 'h', "hold_toggle takes h");
		is_int(conf->bindings[3].key, 19, "status on C-s");
		is_int(conf->bindings[4].key, KEYC_NONE, "quit unbound");
		is_int(conf->bindings[5].key, 'T', "a quoted key");
	}
	conf_free(conf);
	conf = NULL;

	one_error("unknown name", "anwser = a\n", 4,
	    "unknown command or action \"anwser\" in [keys]");
	one_error("bad key", "answer = Ctrl-a\n", 4,
	    "bad key \"Ctrl-a\" for answer: expected one character");
	one_error("reserved digit", "answer = 5\n", 4, "key 5 for answer is "
	    "reserved");
	one_error("reserved Escape", "hangup = Esc\n", 4, "is reserved");
	one_error("empty", "answer =\n", 4, "empty value for answer");
	one_error("name twice", "answer = F1\nanswer = F2\n", 5,
	    "duplicate key \"answer\" (first set at line 4)");
	one_error("key twice", "answer = F1\nhangup = F1\n", 5,
	    "key F1 is bound twice: to answer (line 4) and to hangup");
	one_error("another's default", "hold_toggle = h\n", 4,
	    "key h for hold_toggle is the default key of hangup");
	is_int(load("[account a]\nuri = sip:a@example.com\n[keys x]\n", &conf,
	    &errs), -1, "[keys x] is refused");
	ok(errs != NULL && strcmp(errs->message, "section [keys] takes no "
	    "name") == 0, "section [keys] takes no name");
	conf_errors_free(errs);
}

/* A message dump as Sofia's transport logs it, line by line. */
static void
feed_msg(bool sent, const char *first, const char *call_id, int *mine)
{
	char	 line[256];
	int	 n = 0;

	snprintf(line, sizeof line, "%s 420 bytes %s udp/[127.0.0.1]:5060 at "
	    "18:01:23.123618:", sent ? "send" : "recv", sent ? "to" : "from");
	n += trace_feed(line);
	n += trace_feed("   ------------------------------------------------"
	    "------------------------");
	snprintf(line, sizeof line, "   %s", first);
	n += trace_feed(line);
	n += trace_feed("   Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1");
	snprintf(line, sizeof line, "   %s", call_id);
	n += trace_feed(line);
	n += trace_feed("   Content-Length: 0");
	n += trace_feed("   ");
	n += trace_feed("   ------------------------------------------------"
	    "------------------------");
	*mine = n;
}

static void
test_trace(void)
{
	struct trace_msg	*m = NULL;
	unsigned long		 seq;
	int			 n, mine, i;

	trace_clear();
	trace_enable(false);
	feed_msg(true, "INVITE sip:b@x SIP/2.0", "Call-ID: abc@h", &mine);
	is_int(mine, 8, "every line of a dump is recognised");
	is_int(trace_get(NULL, &m), 0, "nothing is kept while disabled");
	trace_msgs_free(m, 0);

	trace_enable(true);
	ok(!trace_feed("nta: INVITE (1): Connection refused"),
	    "other Sofia lines are not part of the trace");
	seq = trace_seq();
	feed_msg(true, "INVITE sip:b@x SIP/2.0", "Call-ID: abc@h", &mine);
	feed_msg(false, "SIP/2.0 180 Ringing", "i: abc@h", &mine);
	feed_msg(false, "REGISTER sip:x SIP/2.0", "Call-ID: other", &mine);
	is_int(trace_seq(), seq + 3, "the sequence counts messages");
	n = trace_get("abc@h", &m);
	is_int(n, 2, "two messages of call abc@h (Call-ID and compact i:)");
	if (n == 2) {
		ok(m[0].sent && !m[1].sent, "directions");
		is_str(m[0].when, "18:01:23.123", "time to the millisecond");
		is_str(m[0].peer, "udp/[127.0.0.1]:5060", "peer");
		ok(strncmp(m[0].text, "INVITE sip:b@x SIP/2.0\nVia:", 27) == 0,
		    "the text without Sofia's indent");
		ok(strstr(m[1].text, "180 Ringing") != NULL, "the response");
	}
	trace_msgs_free(m, n);
	n = trace_get(NULL, &m);
	is_int(n, 3, "all messages for no Call-ID");
	trace_msgs_free(m, n);

	for (i = 0; i < TRACE_MAX_MSGS + 10; i++)
		feed_msg(true, "OPTIONS sip:x SIP/2.0", "Call-ID: flood", &mine);
	n = trace_get(NULL, &m);
	is_int(n, TRACE_MAX_MSGS, "the ring holds at most TRACE_MAX_MSGS");
	ok(n > 0 && strcmp(m[n - 1].call_id, "flood") == 0 &&
	    m[n - 1].seq == trace_seq(), "the newest are kept");
	trace_msgs_free(m, n);
	n = trace_get("abc@h", &m);
	is_int(n, 0, "the oldest went first");
	trace_msgs_free(m, n);

	/* A dump whose closing rule never came is kept when the next starts. */
	trace_clear();
	ok(trace_feed("send 10 bytes to udp/[::1]:5060 at 01:02:03.000001:"),
	    "header");
	trace_feed("   -----------------------------------------------------");
	trace_feed("   BYE sip:x SIP/2.0");
	trace_feed("   Call-ID: cut");
	feed_msg(false, "SIP/2.0 200 OK", "Call-ID: cut", &mine);
	n = trace_get("cut", &m);
	is_int(n, 2, "an unterminated dump still counts");
	trace_msgs_free(m, n);
	trace_clear();
	trace_enable(false);
}

int
main(void)
{
	test_names();
	test_actions();
	test_conf();
	test_trace();
	return done_testing();
}
