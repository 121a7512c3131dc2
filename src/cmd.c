/*
 * cmd.c: the command table and the command-line splitter. Handlers check
 * their arguments and call into phone.c; failures come back as a cause
 * string and leave as an EVENT_ERROR naming the command.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cmd.h"
#include "contacts.h"
#include "event.h"
#include "history.h"
#include "log.h"
#include "messages-store.h"
#include "phone.h"
#include "sip-uri.h"
#include "util.h"

/* "dial +49 30 1234 56 work": a number typed with blanks is many words. */
#define CMD_DIAL_WORDS	16

static int	 cmd_dial(int, char **, char **);
static int	 cmd_message(int, char **, char **);
static int	 cmd_messages(int, char **, char **);
static int	 cmd_answer(int, char **, char **);
static int	 cmd_reject(int, char **, char **);
static int	 cmd_hangup(int, char **, char **);
static int	 cmd_hold(int, char **, char **);
static int	 cmd_resume(int, char **, char **);
static int	 cmd_mute(int, char **, char **);
static int	 cmd_unmute(int, char **, char **);
static int	 cmd_dtmf(int, char **, char **);
static int	 cmd_transfer(int, char **, char **);
static int	 cmd_refer(int, char **, char **);
static int	 cmd_switch(int, char **, char **);
static int	 cmd_conference(int, char **, char **);
static int	 cmd_split_call(int, char **, char **);
static int	 cmd_register(int, char **, char **);
static int	 cmd_unregister(int, char **, char **);
static int	 cmd_status(int, char **, char **);
static int	 cmd_contacts(int, char **, char **);
static int	 cmd_dnd(int, char **, char **);
static int	 cmd_forward(int, char **, char **);
static int	 cmd_history(int, char **, char **);
static int	 cmd_redial(int, char **, char **);
static int	 cmd_callback(int, char **, char **);
static int	 cmd_account(int, char **, char **);
static int	 cmd_quit(int, char **, char **);
static int	 cmd_help(int, char **, char **);
static int	 cmd_echotest(int, char **, char **);
static int	 cmd_record(int, char **, char **);
static int	 cmd_volume(int, char **, char **);
static int	 cmd_device(int, char **, char **);
static int	 cmd_presence(int, char **, char **);

/* "presence away back at three, call my mobile": a note of many words. */
#define CMD_NOTE_WORDS	64
static int	 cmd_watch(int, char **, char **);
static int	 cmd_unwatch(int, char **, char **);
static int	 cmd_voicemail(int, char **, char **);

static const struct cmd_entry cmd_entries[] = {
	{ "dial", "TARGET [ACCOUNT]", 1, CMD_DIAL_WORDS,
	  "call TARGET (a contact's name or part of it, a SIP or tel: URI, "
	  "user@host, or a number or name at the account's domain)",
	  cmd_dial, "d" },
	{ "answer", "[ID]", 0, 1,
	  "answer a ringing call (holding the call in progress)",
	  cmd_answer, "a" },
	{ "reject", "[ID] [CODE]", 0, 2,
	  "reject a ringing call with CODE (486 busy by default, 603 decline)",
	  cmd_reject, "r" },
	{ "hangup", "[ID]", 0, 1,
	  "hang up, cancel an outgoing call, or reject a ringing one",
	  cmd_hangup, "h" },
	{ "hold", "[ID]", 0, 1,
	  "put a call on hold",
	  cmd_hold, NULL },
	{ "resume", "[ID]", 0, 1,
	  "take a call off hold and make it current",
	  cmd_resume, NULL },
	{ "mute", "[ID]", 0, 1,
	  "stop sending the microphone (silence is sent instead)",
	  cmd_mute, NULL },
	{ "unmute", "[ID]", 0, 1,
	  "send the microphone again",
	  cmd_unmute, NULL },
	{ "dtmf", "DIGITS [ID]", 1, 2,
	  "send DTMF digits (0-9 * # A-D) by RFC 4733 or SIP INFO",
	  cmd_dtmf, NULL },
	{ "transfer", "TARGET|ID2 [ID]", 1, 2,
	  "blind-transfer a call to TARGET (REFER), or, when the first "
	  "argument is the id of another call, put the two parties through "
	  "to each other: call ID is replaced by call ID2 (attended, REFER "
	  "with Replaces)",
	  cmd_transfer, "t" },
	{ "refer", "accept|refuse [ID]", 1, 2,
	  "follow or refuse the transfer the remote party asks "
	  "([account] refer = ask)",
	  cmd_refer, NULL },
	{ "switch", "[ID]", 0, 1,
	  "make call ID (default: the next call) the current call",
	  cmd_switch, "Tab" },
	{ "conference", "[ID]", 0, 1,
	  "join the current call and held call ID (default: the call held "
	  "last) into a local 3-way call: each party hears the other two",
	  cmd_conference, NULL },
	{ "split", "[ID]", 0, 1,
	  "separate a conference again: call ID (default: the current call) "
	  "keeps the audio, the other is held",
	  cmd_split_call, NULL },
	{ "register", "[ACCOUNT]", 0, 1,
	  "register ACCOUNT (default: every account), resetting its retry backoff",
	  cmd_register, NULL },
	{ "unregister", "[ACCOUNT]", 0, 1,
	  "remove the registration of ACCOUNT (default: every account)",
	  cmd_unregister, NULL },
	{ "account", "NAME", 1, 1,
	  "make NAME the default account (the one dial uses without ACCOUNT)",
	  cmd_account, NULL },
	{ "dnd", "on|off [ACCOUNT]", 1, 2,
	  "do not disturb: incoming calls are refused with 486 Busy Here and "
	  "counted as missed, on ACCOUNT or (without one) on every account",
	  cmd_dnd, NULL },
	{ "forward", "TARGET|off [ACCOUNT]", 1, 2,
	  "redirect incoming calls with 302 to TARGET (a dial target), on "
	  "ACCOUNT or (without one) on every account; off stops",
	  cmd_forward, NULL },
	{ "echotest", "[on|off]", 0, 1,
	  "hear yourself through the codec and jitter buffer, with a call's "
	  "delay, to test a headset (no argument: on, or off)",
	  cmd_echotest, "e" },
	{ "record", "[on|off] [ID]", 0, 2,
	  "record a call, both directions, into a stereo WAV under the data "
	  "directory's recordings (no argument: on, or off)",
	  cmd_record, "R" },
	{ "volume", "in|out [+|-]DB", 2, 2,
	  "set the microphone (in) or speaker (out) volume in dB, or change it "
	  "by +DB or -DB",
	  cmd_volume, NULL },
	{ "device", "in|out NAME", 2, 16,
	  "switch the microphone (in) or the speaker (out) to device NAME, "
	  "during a call too (tsphone --list-devices names them)",
	  cmd_device, NULL },
	{ "presence", "online|busy|away|offline [NOTE]", 1, CMD_NOTE_WORDS,
	  "set our presence on every account, with NOTE (the rest of the "
	  "line); calls show busy while they last, then this again",
	  cmd_presence, NULL },
	{ "watch", "URI [ACCOUNT]", 1, 2,
	  "watch the presence of URI (or of a contact, by name): presence "
	  "events, and its state next to the contact and on its calls",
	  cmd_watch, NULL },
	{ "unwatch", "URI [ACCOUNT]", 1, 2,
	  "stop watching the presence of URI (un-SUBSCRIBE)",
	  cmd_unwatch, NULL },
	{ "voicemail", "[ACCOUNT]", 0, 1,
	  "dial the voicemail box of the default or given account "
	  "(its voicemail setting)",
	  cmd_voicemail, "v" },
	{ "contacts", "[TEXT]", 0, CMD_DIAL_WORDS,
	  "list the contacts whose name contains TEXT (default: all) as "
	  "contact events",
	  cmd_contacts, NULL },
	{ "history", "[N]", 0, 1,
	  "print the last N calls (default 20), in and out, as history "
	  "events, and clear the missed-call counter",
	  cmd_history, "H" },
	{ "message", "[-a ACCOUNT] TARGET TEXT...", 2, 4,
	  "send TEXT (the rest of the line, as typed) as a SIP MESSAGE to "
	  "TARGET (a contact's name, a URI, user@host, or a user at the "
	  "account's domain) from ACCOUNT (default: the default account); "
	  "a message event says sent or failed",
	  cmd_message, NULL },
	{ "messages", "[PEER]", 0, CMD_DIAL_WORDS,
	  "print the last 20 stored messages (with PEER: a contact's name, "
	  "an address or a user name) as message events, oldest first, and "
	  "mark them read; the screen opens the conversations",
	  cmd_messages, "M" },
	{ "redial", "", 0, 0,
	  "dial the target of the last outgoing call again",
	  cmd_redial, NULL },
	{ "callback", "N", 1, 1,
	  "dial the remote party of history entry N (its n field)",
	  cmd_callback, NULL },
	{ "status", "", 0, 0,
	  "report the state of every account and call as events",
	  cmd_status, NULL },
	{ "help", "[COMMAND]", 0, 1,
	  "list the commands, or describe one",
	  cmd_help, "?" },
	{ "quit", "", 0, 0,
	  "hang up, unregister (waiting briefly for the registrar) and exit",
	  cmd_quit, "q" },
};

/*
 * What a key does in the full-screen interface that no command does.
 * Defaults follow one rule: a key means the same thing in every state,
 * and says so on the screen when it cannot apply (no key answers in one
 * state and hangs up in another).
 */
static const struct cmd_entry cmd_action_entries[] = {
	{ "hold_toggle", "", 0, 0,
	  "put the current call on hold, or take it off hold",
	  NULL, "p" },
	{ "conference_toggle", "", 0, 0,
	  "join the current call and the call held last into a conference, "
	  "or split the conference of the current call",
	  NULL, "C" },
	{ "mute_toggle", "", 0, 0,
	  "mute the microphone of the current call, or unmute it",
	  NULL, "m" },
	{ "refer_accept", "", 0, 0,
	  "follow the transfer the remote party asks ([account] refer = ask)",
	  NULL, "y" },
	{ "refer_refuse", "", 0, 0,
	  "refuse the transfer the remote party asks",
	  NULL, "n" },
	{ "prev_call", "", 0, 0,
	  "make the call above the current one current",
	  NULL, "Up" },
	{ "next_call", "", 0, 0,
	  "make the call below the current one current",
	  NULL, "Down" },
	{ "prompt", "", 0, 0,
	  "type a command at the : prompt (history, Tab completion)",
	  NULL, ":" },
	{ "scroll_up", "", 0, 0,
	  "scroll the log (or the SIP trace) back",
	  NULL, "PageUp" },
	{ "scroll_down", "", 0, 0,
	  "scroll the log (or the SIP trace) forward",
	  NULL, "PageDown" },
	{ "trace", "", 0, 0,
	  "show the SIP messages of the current call instead of the log, or "
	  "the log again",
	  NULL, "s" },
	{ "redraw", "", 0, 0,
	  "redraw the screen",
	  NULL, "C-l" },
	{ "clear", "", 0, 0,
	  "remove the ended and missed calls from the call list",
	  NULL, "c" },
	{ "volume_up", "", 0, 0,
	  "speaker volume up by 3 dB",
	  NULL, ">" },
	{ "volume_down", "", 0, 0,
	  "speaker volume down by 3 dB",
	  NULL, "<" },
	{ "mic_up", "", 0, 0,
	  "microphone volume up by 3 dB",
	  NULL, "]" },
	{ "mic_down", "", 0, 0,
	  "microphone volume down by 3 dB",
	  NULL, "[" },
};

const struct cmd_entry *
cmd_actions(int *n)
{
	*n = (int)nitems(cmd_action_entries);
	return cmd_action_entries;
}

const struct cmd_entry *
cmd_find_bindable(const char *name)
{
	const struct cmd_entry	*ce;
	size_t			 i;

	if ((ce = cmd_find(name)) != NULL)
		return ce;
	for (i = 0; i < nitems(cmd_action_entries); i++) {
		if (strcmp(cmd_action_entries[i].name, name) == 0)
			return &cmd_action_entries[i];
	}
	return NULL;
}

const struct cmd_entry *
cmd_table(int *n)
{
	*n = (int)nitems(cmd_entries);
	return cmd_entries;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(cmd_entries); i++) {
		if (strcmp(cmd_entries[i].name, name) == 0)
			return &cmd_entries[i];
	}
	return NULL;
}

void
cmd_free_argv(int argc, char **argv)
{
	int	 i;

	if (argv == NULL)
		return;
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/*
 * The next word of *P into WORD (as long as the line): 1, 0 at the end
 * of the line, -1 with *cause for an unclosed quote. *P moves past it.
 */
static int
cmd_word(const char **pp, char *word, char **cause)
{
	const char	*p = *pp;
	size_t		 len = 0;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
	    *p != '\n') {
		if (*p != '"') {
			word[len++] = *p++;
			continue;
		}
		p++;
		while (*p != '"') {
			if (*p == '\0') {
				*cause = xstrdup("missing closing quote");
				return -1;
			}
			if (*p == '\\' && p[1] != '\0')
				p++;
			word[len++] = *p++;
		}
		p++;
	}
	word[len] = '\0';
	*pp = p;
	return 1;
}

static void
cmd_push(int *n, char ***v, const char *word)
{
	*v = xrealloc(*v, sizeof **v * (size_t)(*n + 2));
	(*v)[(*n)++] = xstrdup(word);
	(*v)[*n] = NULL;
}

int
cmd_split(const char *line, int *argc, char ***argv, char **cause)
{
	const char	*p = line;
	char		**v = NULL, *word;
	int		 n = 0, rc;

	word = xmalloc(strlen(line) + 1);
	while ((rc = cmd_word(&p, word, cause)) == 1)
		cmd_push(&n, &v, word);
	free(word);
	if (rc != 0) {
		cmd_free_argv(n, v);
		return -1;
	}
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	*argc = n;
	*argv = v;
	return 0;
}

/*
 * Does CE take free text as its last argument: the rest of the line as
 * typed (blanks and quotes kept), after an optional "-a ACCOUNT" and
 * min_args - 1 words? (message, only.)
 */
static bool
cmd_text(const struct cmd_entry *ce)
{
	return ce->handler == cmd_message;
}

/*
 * LINE for a command whose last argument is free text (cmd_text): the
 * name, "-a ACCOUNT" if given, min_args - 1 words, then the rest of the
 * line as typed, trailing blanks dropped, as one last word (none if
 * empty: the usage check says so).
 */
static int
cmd_split_text(const struct cmd_entry *ce, const char *line, int *argc,
    char ***argv, char **cause)
{
	const char	*p = line;
	char		**v = NULL, *word;
	size_t		 len;
	int		 n = 0, rc = 1, want = ce->min_args;

	word = xmalloc(strlen(line) + 1);
	while (n < want && (rc = cmd_word(&p, word, cause)) == 1) {
		cmd_push(&n, &v, word);
		if (n == 2 && strcmp(word, "-a") == 0)
			want += 2;
	}
	free(word);
	if (rc == -1) {
		cmd_free_argv(n, v);
		return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
	    p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len > 0) {
		word = xmalloc(len + 1);
		memcpy(word, p, len);
		word[len] = '\0';
		cmd_push(&n, &v, word);
		free(word);
	}
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	*argc = n;
	*argv = v;
	return 0;
}

int
cmd_execute(const char *line)
{
	const struct cmd_entry	*ce;
	char			**argv = NULL, *cause = NULL, name[32];
	const char		*p = line;
	size_t			 n;
	int			 argc = 0, rc = -1, split;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == '\r' || *p == '\n')
		return 0;
	/* A command whose last argument is text splits its own way: its
	 * text is kept as typed, quotes and all. */
	n = strcspn(p, " \t\r\n");
	snprintf(name, sizeof name, "%.*s", (int)n, p);
	if ((ce = cmd_find(name)) != NULL && cmd_text(ce))
		split = cmd_split_text(ce, p, &argc, &argv, &cause);
	else
		split = cmd_split(line, &argc, &argv, &cause);
	if (split != 0) {
		event_error(ce != NULL && cmd_text(ce) ? ce->name : "", "%s",
		    cause);
		goto out;
	}
	if (argc == 0) {
		rc = 0;
		goto out;
	}
	ce = cmd_find(argv[0]);
	if (ce == NULL) {
		event_error(argv[0], "unknown command \"%s\" (try: help)", argv[0]);
		goto out;
	}
	if (argc - 1 < ce->min_args || argc - 1 > ce->max_args) {
		event_error(ce->name, "usage: %s%s%s", ce->name,
		    *ce->args != '\0' ? " " : "", ce->args);
		goto out;
	}
	rc = ce->handler(argc - 1, argv + 1, &cause);
	if (rc != 0) {
		event_error(ce->name, "%s", cause != NULL ? cause : "failed");
		rc = -1;
	}
out:
	free(cause);
	cmd_free_argv(argc, argv);
	return rc;
}

/*
 * A number is typed with blanks between its groups, so the words of
 * "dial TARGET [ACCOUNT]" are: the last one the account when an account
 * has that name, and all the others one target when together they make a
 * phone number. Two words that are not a number are TARGET ACCOUNT, as
 * they always were (and an unknown account is said so).
 */
/* ARGV joined by blanks. */
static char *
cmd_join(int argc, char **argv)
{
	char	*s;
	size_t	 len = 0;
	int	 i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xcalloc(1, len + 1);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * The contact TARGET names, when it is not an address or a number: 1 with
 * *URI set, 0 for none, -1 when several match (*cause lists them).
 */
static int
cmd_dial_contact(const char *target, const char **uri, char **cause)
{
	const struct contact	*c;
	char			*num;

	if (strchr(target, ':') != NULL || strchr(target, '@') != NULL)
		return 0;
	if ((num = sip_uri_number(target)) != NULL) {
		free(num);
		return 0;
	}
	if ((c = contacts_resolve(contacts_current(), target, cause)) == NULL)
		return *cause != NULL ? -1 : 0;
	log_info("dial: \"%s\" is %s <%s>", target, c->name, c->uri);
	*uri = c->uri;
	return 1;
}

static int
cmd_dial(int argc, char **argv, char **cause)
{
	const char	*account = NULL, *uri;
	char		*target = NULL, *why = NULL, *num;
	int		 n = argc, rc;

	if (argc > 1 && phone_account(argv[argc - 1], &why) != NULL) {
		account = argv[argc - 1];
		n--;
	}
	free(why);
	/* "dial Alice Smith": a contact's name may have blanks too. */
	target = cmd_join(n, argv);
	if ((rc = cmd_dial_contact(target, &uri, cause)) != 0) {
		if (rc == 1)
			rc = phone_dial(uri, account, cause);
		free(target);
		return rc;
	}
	if (n > 1 && (num = sip_uri_number(target)) == NULL) {
		if (argc == 2) {
			/* "dial bob nosuchaccount" */
			rc = phone_dial(argv[0], argv[1], cause);
			free(target);
			return rc;
		}
		xasprintf(cause, "bad target \"%s\": only a phone number may "
		    "have blanks", target);
		free(target);
		return -1;
	} else if (n > 1)
		free(num);
	rc = phone_dial(target, account, cause);
	free(target);
	return rc;
}

/* message [-a ACCOUNT] TARGET TEXT: TEXT is the line's rest as typed. */
static int
cmd_message(int argc, char **argv, char **cause)
{
	const char	*account = NULL, *uri;
	int		 i = 0, rc;

	if (strcmp(argv[0], "-a") == 0) {
		account = argv[1];
		i = 2;
	}
	if (argc != i + 2) {
		*cause = xstrdup(argc == i + 1 ? "nothing to send: no text" :
		    "usage: message [-a ACCOUNT] TARGET TEXT...");
		return -1;
	}
	if ((rc = cmd_dial_contact(argv[i], &uri, cause)) < 0)
		return -1;
	return phone_message(rc == 1 ? uri : argv[i], account, argv[i + 1],
	    cause);
}

/*
 * The messages go out oldest first, so that a script or a terminal
 * ends on the newest, as events marked "stored" (no news: no hook, no
 * bell); printing them is reading them.
 */
static int
cmd_messages(int argc, char **argv, char **cause)
{
	const struct contact	*ct;
	struct event_message	*v;
	struct event		*ev;
	char			*text, peer[EVENT_TEXT_MAX], *why = NULL;
	const char		*name;
	int			 n, i;

	if (argc > 0) {
		text = cmd_join(argc, argv);
		/* A contact's name names its address. */
		name = text;
		if (strchr(text, ':') == NULL && strchr(text, '@') == NULL &&
		    (ct = contacts_resolve(contacts_current(), text, &why)) !=
		    NULL)
			name = ct->uri;
		free(why);
		if (messages_store_find_peer(name, peer, sizeof peer,
		    cause) != 0 && (name == text || messages_store_find_peer(
		    text, peer, sizeof peer, &why) != 0)) {
			free(why);
			free(text);
			return -1;
		}
		free(text);
	}
	v = xcalloc(MESSAGES_STORE_DEFAULT, sizeof *v);
	n = messages_store_list(argc > 0 ? peer : NULL, 0,
	    MESSAGES_STORE_DEFAULT, v, cause);
	if (n < 0) {
		free(v);
		return -1;
	}
	ev = xcalloc(1, sizeof *ev);
	for (i = n - 1; i >= 0; i--) {
		ev->kind = EVENT_MESSAGE;
		ev->u.message = v[i];
		event_emit(ev);
	}
	free(ev);
	free(v);
	messages_store_read(argc > 0 ? peer : NULL);
	return 0;
}

/* The call named by the optional id argument, or the current call. */
static struct call *
cmd_call(int argc, char **argv, int idx, char **cause)
{
	if (!phone_running()) {
		*cause = xstrdup("the phone is not running");
		return NULL;
	}
	return call_resolve(argc > idx ? argv[idx] : NULL, cause);
}

/* The first ringing call, for answer/reject without an id. */
static struct call *
cmd_ringing(int argc, char **argv, char **cause)
{
	struct call	*c;

	if (argc > 0 || ((c = call_current()) != NULL && c->state == CALL_INCOMING))
		return cmd_call(argc, argv, 0, cause);
	for (c = call_first(); c != NULL; c = c->next) {
		if (c->state == CALL_INCOMING)
			return c;
	}
	return cmd_call(argc, argv, 0, cause);
}

static int
cmd_answer(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_ringing(argc, argv, cause);

	return c != NULL ? call_answer(c, cause) : -1;
}

static int
cmd_reject(int argc, char **argv, char **cause)
{
	struct call	*c;
	char		*end;
	long		 code = 486;
	int		 n = argc;

	if (argc > 0) {
		/* "reject CODE" when the only word is a status and no call
		 * has that id; otherwise the last word is the code. */
		long v = strtol(argv[argc - 1], &end, 10);

		if (*end == '\0' && v >= 400 && v <= 699 &&
		    (argc == 2 || call_find((int)v) == NULL)) {
			code = v;
			n--;
		} else if (argc == 2) {
			xasprintf(cause, "bad status code \"%s\"", argv[1]);
			return -1;
		}
	}
	if ((c = cmd_ringing(n, argv, cause)) == NULL)
		return -1;
	return call_reject(c, (int)code, cause);
}

static int
cmd_hangup(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 0, cause);

	return c != NULL ? call_hangup(c, cause) : -1;
}

static int
cmd_hold(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 0, cause);

	return c != NULL ? call_hold(c, true, cause) : -1;
}

static int
cmd_resume(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 0, cause);

	return c != NULL ? call_hold(c, false, cause) : -1;
}

static int
cmd_mute(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 0, cause);

	return c != NULL ? call_mute(c, true, cause) : -1;
}

static int
cmd_unmute(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 0, cause);

	return c != NULL ? call_mute(c, false, cause) : -1;
}

static int
cmd_dtmf(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 1, cause);

	return c != NULL ? call_dtmf(c, argv[0], cause) : -1;
}

/* A bare number naming one of our calls is that call, not a number to
 * dial (SPEC 7: "transfer ID2 [id]"). */
static struct call *
cmd_call_named(const char *s)
{
	char	*end;
	long	 n;

	if (*s < '0' || *s > '9')
		return NULL;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n <= 0 || n > 1000000)
		return NULL;
	return call_find((int)n);
}

static int
cmd_transfer(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 1, cause), *to;

	if (c == NULL)
		return -1;
	if ((to = cmd_call_named(argv[0])) != NULL)
		return call_transfer_attended(c, to, cause);
	return call_transfer(c, argv[0], cause);
}

static int
cmd_refer(int argc, char **argv, char **cause)
{
	struct call	*c;
	bool		 accept;

	if (strcmp(argv[0], "accept") == 0)
		accept = true;
	else if (strcmp(argv[0], "refuse") == 0)
		accept = false;
	else {
		xasprintf(cause, "expected accept or refuse, not \"%s\"",
		    argv[0]);
		return -1;
	}
	if (argc > 1 || ((c = call_current()) != NULL && c->refer_asked))
		c = cmd_call(argc, argv, 1, cause);
	else {
		/* The call whose transfer waits. */
		for (c = call_first(); c != NULL && !c->refer_asked;
		    c = c->next)
			;
		if (c == NULL)
			c = cmd_call(argc, argv, 1, cause);
	}
	return c != NULL ? call_refer_answer(c, accept, cause) : -1;
}

static int
cmd_switch(int argc, char **argv, char **cause)
{
	struct call	*c;

	if (argc > 0) {
		if ((c = cmd_call(argc, argv, 0, cause)) == NULL)
			return -1;
	} else {
		c = call_current();
		c = c != NULL && c->next != NULL ? c->next : call_first();
		if (c == NULL) {
			*cause = xstrdup("no calls");
			return -1;
		}
	}
	return call_switch(c, cause);
}

/* conference [ID]: ID is the held call, not the current one. */
static int
cmd_conference(int argc, char **argv, char **cause)
{
	struct call	*held = NULL;

	if (!phone_running()) {
		*cause = xstrdup("the phone is not running");
		return -1;
	}
	if (argc > 0 && (held = call_resolve(argv[0], cause)) == NULL)
		return -1;
	return call_conference(held, cause);
}

static int
cmd_split_call(int argc, char **argv, char **cause)
{
	struct call	*c = cmd_call(argc, argv, 0, cause);

	return c != NULL ? call_split(c, cause) : -1;
}

static int
cmd_register(int argc, char **argv, char **cause)
{
	return phone_register(argc > 0 ? argv[0] : NULL, cause);
}

static int
cmd_unregister(int argc, char **argv, char **cause)
{
	return phone_unregister(argc > 0 ? argv[0] : NULL, cause);
}

static int
cmd_account(int argc, char **argv, char **cause)
{
	(void)argc;
	return phone_set_default(argv[0], cause);
}

static int
cmd_dnd(int argc, char **argv, char **cause)
{
	return phone_dnd(argv[0], argc > 1 ? argv[1] : NULL, cause);
}

static int
cmd_forward(int argc, char **argv, char **cause)
{
	return phone_forward(argv[0], argc > 1 ? argv[1] : NULL, cause);
}

/* A contact's name means its address; anything else is as typed. */
static const char *
cmd_watch_uri(const char *arg, char **cause)
{
	const char	*uri = arg;

	if (cmd_dial_contact(arg, &uri, cause) < 0)
		return NULL;
	return uri;
}

static int
cmd_watch(int argc, char **argv, char **cause)
{
	const char	*uri;

	if ((uri = cmd_watch_uri(argv[0], cause)) == NULL)
		return -1;
	return phone_watch(uri, argc > 1 ? argv[1] : NULL, cause);
}

static int
cmd_unwatch(int argc, char **argv, char **cause)
{
	const char	*uri;

	if ((uri = cmd_watch_uri(argv[0], cause)) == NULL)
		return -1;
	return phone_unwatch(uri, argc > 1 ? argv[1] : NULL, cause);
}

static int
cmd_voicemail(int argc, char **argv, char **cause)
{
	return phone_voicemail(argc > 0 ? argv[0] : NULL, cause);
}

static int
cmd_presence(int argc, char **argv, char **cause)
{
	char	*note = argc > 1 ? cmd_join(argc - 1, argv + 1) : NULL;
	int	 rc;

	rc = phone_presence(argv[0], note, cause);
	free(note);
	return rc;
}

static int
cmd_echotest(int argc, char **argv, char **cause)
{
	if (!phone_running()) {
		*cause = xstrdup("the phone is not running");
		return -1;
	}
	return phone_echotest(argc > 0 ? argv[0] : NULL, cause);
}

/* record [on|off] [ID]: the first word may be the id. */
static int
cmd_record(int argc, char **argv, char **cause)
{
	struct call	*c;
	int		 on = -1, idx = 0;

	if (argc > 0 && strcmp(argv[0], "on") == 0)
		on = 1, idx = 1;
	else if (argc > 0 && strcmp(argv[0], "off") == 0)
		on = 0, idx = 1;
	else if (argc > 1) {
		xasprintf(cause, "record takes on or off, not \"%s\"", argv[0]);
		return -1;
	}
	if ((c = cmd_call(argc, argv, idx, cause)) == NULL)
		return -1;
	if (on == -1)
		on = !c->recording;
	return call_record(c, on == 1, cause);
}

static int
cmd_inout(const char *word, bool *input, char **cause)
{
	if (strcmp(word, "in") == 0)
		*input = true;
	else if (strcmp(word, "out") == 0)
		*input = false;
	else {
		xasprintf(cause, "expected in (microphone) or out (speaker), "
		    "not \"%s\"", word);
		return -1;
	}
	return 0;
}

static int
cmd_volume(int argc, char **argv, char **cause)
{
	bool	 input;

	if (cmd_inout(argv[0], &input, cause) != 0)
		return -1;
	return phone_volume(input, argv[1], cause);
}

static int
cmd_device(int argc, char **argv, char **cause)
{
	char	*name;
	size_t	 len = 0;
	int	 i, rc;
	bool	 input;

	if (cmd_inout(argv[0], &input, cause) != 0)
		return -1;
	/* Device names have blanks: "HDA Intel PCH: ALC3246 Analog". */
	for (i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	name = xcalloc(1, len + 1);
	for (i = 1; i < argc; i++) {
		if (i > 1)
			strcat(name, " ");
		strcat(name, argv[i]);
	}
	rc = phone_device(input, name, cause);
	free(name);
	return rc;
}

static int
cmd_contacts(int argc, char **argv, char **cause)
{
	char	*text = cmd_join(argc, argv);
	int	 n;

	n = contacts_emit(text);
	log_info("contacts: %d of %d match \"%s\"", n,
	    contacts_current()->n, text);
	free(text);
	return 0;
}

static int
cmd_status(int argc, char **argv, char **cause)
{
	phone_status();
	return 0;
}

/*
 * The entries go out oldest first, so that a script or a terminal reading
 * them ends on the newest; reading them is looking at the missed calls.
 * They are read a page at a time: N may be large.
 */
#define CMD_HISTORY_MAX		10000
#define CMD_HISTORY_PAGE	100

static int
cmd_history(int argc, char **argv, char **cause)
{
	struct event_history	*h;
	struct event		 ev;
	char			*end;
	long long		 n = HISTORY_DEFAULT, left, k;
	int			 got, i;

	if (argc > 0) {
		n = strtoll(argv[0], &end, 10);
		if (*argv[0] == '\0' || *end != '\0' || n <= 0 ||
		    n > CMD_HISTORY_MAX) {
			xasprintf(cause, "bad number of entries \"%s\" (1 to %d)",
			    argv[0], CMD_HISTORY_MAX);
			return -1;
		}
	}
	h = xcalloc(CMD_HISTORY_PAGE, sizeof *h);
	if ((left = history_count()) > n)
		left = n;
	if (history_list(0, 0, h, cause) < 0) {
		free(h);
		return -1;
	}
	for (; left > 0; left -= k) {
		k = left < CMD_HISTORY_PAGE ? left : CMD_HISTORY_PAGE;
		if ((got = history_list(left - k, (int)k, h, cause)) < 0) {
			free(h);
			return -1;
		}
		for (i = got - 1; i >= 0; i--) {
			memset(&ev, 0, sizeof ev);
			ev.kind = EVENT_HISTORY;
			ev.u.history = h[i];
			event_emit(&ev);
		}
	}
	free(h);
	history_seen();
	return 0;
}

static int
cmd_redial(int argc, char **argv, char **cause)
{
	char	 target[EVENT_TEXT_MAX];

	if (history_last_target(target, sizeof target, cause) != 0)
		return -1;
	return phone_dial(target, NULL, cause);
}

static int
cmd_callback(int argc, char **argv, char **cause)
{
	struct event_history	 h;
	char			 uri[EVENT_TEXT_MAX], *end, *why = NULL;
	const char		*account = NULL;
	long long		 n;

	n = strtoll(argv[0], &end, 10);
	if (*argv[0] == '\0' || *end != '\0' || n <= 0) {
		xasprintf(cause, "bad history entry \"%s\"", argv[0]);
		return -1;
	}
	if (history_get(n, &h, cause) != 0)
		return -1;
	history_split(h.remote, uri, sizeof uri, NULL, 0);
	/* The account the call was on, if it still exists. */
	if (h.account[0] != '\0' && phone_account(h.account, &why) != NULL)
		account = h.account;
	free(why);
	return phone_dial(uri, account, cause);
}

/* Help goes out as log events so every front end shows it. */
static void
cmd_help_one(const struct cmd_entry *ce)
{
	log_info("%s%s%s: %s", ce->name, *ce->args != '\0' ? " " : "",
	    ce->args, ce->help);
}

static int
cmd_help(int argc, char **argv, char **cause)
{
	const struct cmd_entry	*ce;
	size_t			 i;

	if (argc > 0) {
		if ((ce = cmd_find(argv[0])) == NULL) {
			xasprintf(cause, "unknown command \"%s\"", argv[0]);
			return -1;
		}
		cmd_help_one(ce);
		return 0;
	}
	for (i = 0; i < nitems(cmd_entries); i++)
		cmd_help_one(&cmd_entries[i]);
	return 0;
}

static int
cmd_quit(int argc, char **argv, char **cause)
{
	phone_quit();
	return 0;
}
