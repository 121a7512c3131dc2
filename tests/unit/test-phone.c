/*
 * test-phone.c: the phone as a whole (phone.c) against fakes: start,
 * TARGET dialled once the default account is registered, incoming calls
 * matched to accounts, status, commands refused when not running, and the
 * quit sequence, with every step answering and with each step stuck.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "call.h"
#include "contacts.h"
#include "fakes.h"
#include "media.h"
#include "model.h"
#include "message.h"
#include "phone.h"
#include "sip-msg.h"
#include "sub.h"
#include "tap.h"

static struct conf	 conf;

static void
conf_init(void)
{
	memset(&conf, 0, sizeof conf);
	conf.ring_timeout = 60;
	conf.rtp_timeout = 30;
	conf.accounts = model_conf_account("alice", "sip:alice@example.com", 1);
	conf.accounts->next = model_conf_account("bob", "sip:bob@example.com",
	    0);
	conf.naccounts = 2;
}

static void
conf_done(void)
{
	model_conf_account_free(conf.accounts->next);
	model_conf_account_free(conf.accounts);
}

static struct account *
acct(const char *name)
{
	char	*cause = NULL;
	struct account *a = phone_account(name, &cause);

	free(cause);
	return a;
}

static void
start(const char *target, const char *def)
{
	struct phone_opts	 o;
	char			*cause = NULL;

	memset(&o, 0, sizeof o);
	o.target = target;
	o.default_account = def;
	fake_loop_breaks = 0;
	if (phone_start(&conf, &o, &cause) != 0) {
		ok(0, "phone_start: %s", cause);
		free(cause);
	}
	fake_loop_run();
}

static void
stop(void)
{
	phone_free();
	fake_loop_run();
	fake_sip_log_clear();
	model_clear();
}

static void
test_start(void)
{
	char	*cause = NULL;
	const struct event *ev;

	is_int(phone_dial("x", NULL, &cause), -1, "dial before start: refused");
	ok(cause != NULL && strstr(cause, "not running"), "saying why");
	free(cause);
	cause = NULL;
	phone_quit();
	is_int(fake_loop_breaks, 1, "quit before start leaves the loop");

	start("carol", NULL);
	ok(phone_running() && !phone_quitting(), "running");
	ok(fake_sip_count("register") == 1, "alice registers at start");
	is_int(fake_sip_calls(), 0, "TARGET waits for the registration");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	ok(fake_sip_count("new 1 carol") == 1 && fake_sip_count("invite 1") == 1,
	    "then TARGET is dialled");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	is_int(fake_sip_count("invite"), 1, "once");

	model_clear();
	phone_status();
	ev = model_last(EVENT_STATUS);
	ok(ev != NULL && ev->u.status.accounts == 2 && ev->u.status.calls == 1,
	    "status ends with a status event: 2 accounts, 1 call");
	is_int(ev != NULL ? ev->u.status.handles : -1, 2,
	    "and the live SIP handles (a registration, a call)");
	is_int(model_count(EVENT_REGISTRATION), 2, "status shows each account");
	is_int(model_count(EVENT_CALL), 1, "and each call");

	is_int(phone_dial("dave", "nobody", &cause), -1, "dial from no account");
	ok(cause != NULL && strstr(cause, "no account \"nobody\""), "says so");
	free(cause);
	cause = NULL;
	is_int(phone_dial("dave", "bob", &cause), 0, "dial from bob");
	ok(call_current()->acct == acct("bob"), "the call is bob's");
	is_int(phone_register("nobody", &cause), -1, "register no account");
	free(cause);
	cause = NULL;
	is_int(phone_register("bob", &cause), 0, "register bob");
	is_int(phone_unregister(NULL, &cause), 0, "unregister all");
	ok(acct(NULL) == acct("alice"), "the first account is the default");
	stop();

	/* An account that does not register dials TARGET at once. */
	start("carol", "bob");
	ok(fake_sip_count("new 1 carol") == 1, "-a bob: TARGET dialled at once");
	ok(acct(NULL) == acct("bob"), "-a picks the default account");
	stop();
}

/* The registration event of account NAME, the last one recorded. */
static const struct event_registration *
reg_event(const char *name)
{
	int	 i;

	fake_loop_run();
	for (i = model_nev - 1; i >= 0; i--) {
		if (model_ev[i].kind == EVENT_REGISTRATION &&
		    strcmp(model_ev[i].u.reg.account, name) == 0)
			return &model_ev[i].u.reg;
	}
	return NULL;
}

static void
test_default(void)
{
	const struct event_registration *r;
	char	*cause = NULL;

	is_int(phone_set_default("bob", &cause), -1,
	    "account before start: refused");
	ok(cause != NULL && strstr(cause, "not running"), "saying why");
	free(cause);
	cause = NULL;

	start(NULL, NULL);
	r = reg_event("alice");
	ok(r != NULL && r->is_default, "alice's events say she is the default");
	r = reg_event("bob");
	ok(r != NULL && !r->is_default, "bob's say he is not");

	model_clear();
	is_int(phone_set_default("nobody", &cause), -1, "no such account");
	ok(cause != NULL && strstr(cause, "no account \"nobody\""), "says so");
	free(cause);
	cause = NULL;
	is_int(model_count(EVENT_REGISTRATION), 0, "and nothing changes");

	is_int(phone_set_default("bob", &cause), 0, "account bob");
	ok(acct(NULL) == acct("bob"), "bob is the default now");
	is_int(model_count(EVENT_REGISTRATION), 2, "both accounts are re-shown");
	r = reg_event("bob");
	ok(r != NULL && r->is_default, "bob's event says default");
	r = reg_event("alice");
	ok(r != NULL && !r->is_default, "alice's does not any more");
	is_int(phone_dial("carol", NULL, &cause), 0, "dial without an account");
	ok(call_current() != NULL && call_current()->acct == acct("bob"),
	    "uses bob");

	model_clear();
	phone_status();
	r = reg_event("bob");
	ok(r != NULL && r->is_default, "status says bob is the default");
	r = reg_event("alice");
	ok(r != NULL && !r->is_default, "and alice not");

	model_clear();
	is_int(phone_set_default("bob", &cause), 0, "account bob again");
	is_int(model_count(EVENT_REGISTRATION), 1, "re-shows bob alone");
	stop();

	/* -a names the first default. */
	start(NULL, "bob");
	r = reg_event("bob");
	ok(r != NULL && r->is_default, "-a bob: bob's events say default");
	stop();
}

static void
test_inbox(void)
{
	struct sip_msg_report	 r;
	const struct event	*ev;
	int			 started = fake_sip_msg_started;

	start(NULL, NULL);
	is_int(fake_sip_msg_started - started, 1,
	    "start has the SIP layer answer messages itself");

	model_clear();
	memset(&r, 0, sizeof r);
	r.kind = SIP_MSG_TEXT;
	util_strlcpy(r.ruri_user, "bob", sizeof r.ruri_user);
	util_strlcpy(r.peer, "\"Carol\" <sip:carol@x>", sizeof r.peer);
	util_strlcpy(r.text, "Gr\xc3\xbc\xc3\x9f dich\r\nline 2\x1b[2J",
	    sizeof r.text);
	r.code = 200;
	fake_sip_msg(&r);
	ev = model_last(EVENT_MESSAGE);
	ok(ev != NULL, "a MESSAGE is a message event");
	if (ev != NULL) {
		is_str(ev->u.message.account, "bob", "for the account it was sent to");
		ok(!ev->u.message.outgoing, "direction in");
		is_str(ev->u.message.peer, "\"Carol\" <sip:carol@x>", "peer");
		is_str(ev->u.message.text, r.text, "the text, as it came");
		is_str(event_message_state_name(ev->u.message.state),
		    "received", "state received");
		is_int(ev->u.message.code, 200, "code 200");
	}
	ok(model_logged("message from \"Carol\" <sip:carol@x> to bob: "
	    "Gr\xc3\xbc\xc3\x9f dich  line 2 [2J"),
	    "the text is in the log, without control characters");

	model_clear();
	r.code = 415;
	r.text[0] = '\0';
	util_strlcpy(r.reason, "charset iso-8859-1 is not UTF-8",
	    sizeof r.reason);
	fake_sip_msg(&r);
	ev = model_last(EVENT_MESSAGE);
	ok(ev != NULL && ev->u.message.state == MESSAGE_FAILED &&
	    ev->u.message.code == 415 &&
	    strcmp(ev->u.message.reason, r.reason) == 0,
	    "a refused MESSAGE is shown failed, with code and reason");
	ok(model_logged("refused (415): charset iso-8859-1"), "and logged");

	model_clear();
	memset(&r, 0, sizeof r);
	r.kind = SIP_MSG_MWI;
	util_strlcpy(r.ruri_user, "alice", sizeof r.ruri_user);
	util_strlcpy(r.peer, "<sip:asterisk@pbx>", sizeof r.peer);
	r.code = 200;
	r.mwi.waiting = true;
	r.mwi.new_msgs = 2;
	r.mwi.old_msgs = 8;
	fake_sip_msg(&r);
	ev = model_last(EVENT_MWI);
	ok(ev != NULL && strcmp(ev->u.mwi.account, "alice") == 0 &&
	    ev->u.mwi.waiting && ev->u.mwi.new_msgs == 2 &&
	    ev->u.mwi.old_msgs == 8, "a voicemail notice: mwi alice 2 new 8 old");
	ok(model_logged("voicemail for alice: messages waiting, 2 new, 8 old"),
	    "logged");
	model_clear();
	phone_status();
	is_int(model_count(EVENT_MWI), 1, "status repeats it, for alice only");
	r.mwi.waiting = false;
	r.mwi.new_msgs = 0;
	fake_sip_msg(&r);
	ev = model_last(EVENT_MWI);
	ok(ev != NULL && !ev->u.mwi.waiting && ev->u.mwi.new_msgs == 0,
	    "a later notice replaces it");
	stop();
}

/* The message events of id ID, their states in order ("sending sent"). */
static void
message_states(int id, char *buf, size_t len)
{
	int	 i;

	fake_loop_run();
	buf[0] = '\0';
	for (i = 0; i < model_nev; i++) {
		if (model_ev[i].kind != EVENT_MESSAGE ||
		    model_ev[i].u.message.id != id)
			continue;
		if (buf[0] != '\0')
			util_strlcpy(buf + strlen(buf), " ", len - strlen(buf));
		util_strlcpy(buf + strlen(buf), event_message_state_name(
		    model_ev[i].u.message.state), len - strlen(buf));
	}
}

static void
test_messages(void)
{
	const struct event	*ev;
	struct fake_sip_msg	*f;
	char			*cause = NULL, states[128];
	int			 id, i;

	start(NULL, NULL);
	model_clear();
	is_int(phone_message("carol", NULL, "Gr\xc3\xbc\xc3\x9f dich",
	    &cause), 0, "a message from the default account");
	f = fake_sip_msg_last();
	ok(f != NULL && strcmp(f->target, "sip:carol@example.com") == 0,
	    "to carol at the account's domain");
	ev = model_last(EVENT_MESSAGE);
	ok(ev != NULL && ev->u.message.outgoing &&
	    ev->u.message.state == MESSAGE_SENDING &&
	    strcmp(ev->u.message.account, "alice") == 0 &&
	    strcmp(ev->u.message.peer, "sip:carol@example.com") == 0,
	    "at once: sending, from alice to carol");
	id = ev != NULL ? ev->u.message.id : -1;
	ok(id > 0 && ev->u.message.time > 0, "with an id and a time");
	ok(model_logged(" to sip:carol@example.com from alice: "
	    "Gr\xc3\xbc\xc3\x9f dich"), "logged with its text");
	fake_sip_msg_answer(f, 200, "");
	ev = model_last(EVENT_MESSAGE);
	ok(ev != NULL && ev->u.message.id == id &&
	    ev->u.message.state == MESSAGE_SENT && ev->u.message.code == 200 &&
	    strcmp(ev->u.message.text, "Gr\xc3\xbc\xc3\x9f dich") == 0,
	    "then sent, 200, under the same id, with its text");
	message_states(id, states, sizeof states);
	is_str(states, "sending sent", "two events for it");
	is_int(fake_sip_msgs_live(), 0, "its request is let go");

	model_clear();
	is_int(phone_message("dave", "bob", "hello?", &cause), 0,
	    "from a given account");
	f = fake_sip_msg_last();
	fake_sip_msg_answer(f, 480, "the user is not online (480 Temporarily "
	    "Unavailable)");
	ev = model_last(EVENT_MESSAGE);
	ok(ev != NULL && ev->u.message.state == MESSAGE_FAILED &&
	    ev->u.message.code == 480 &&
	    strstr(ev->u.message.reason, "not online") != NULL &&
	    strcmp(ev->u.message.account, "bob") == 0,
	    "failed, 480, with the reason, from bob");
	ok(model_logged("failed: the user is not online"), "logged");

	model_clear();
	is_int(phone_message("dave", NULL, "", &cause), -1, "an empty text");
	ok(cause != NULL && strstr(cause, "empty") != NULL, "says so");
	free(cause);
	cause = NULL;
	is_int(phone_message("dave", "nobody", "x", &cause), -1,
	    "an unknown account");
	free(cause);
	cause = NULL;
	fake_sip_fail_message = true;
	is_int(phone_message("dave", NULL, "x", &cause), -1,
	    "the SIP layer refuses");
	ok(cause != NULL && strstr(cause, "fake") != NULL, "its cause");
	free(cause);
	cause = NULL;
	is_int(model_count(EVENT_MESSAGE), 0, "no event for what never went");

	for (i = 0; i < MESSAGE_PENDING_MAX; i++)
		phone_message("dave", NULL, "x", &cause);
	is_int(message_pending(), MESSAGE_PENDING_MAX, "a full queue");
	is_int(phone_message("dave", NULL, "x", &cause), -1,
	    "one more is refused");
	ok(cause != NULL && strstr(cause, "waiting for an answer") != NULL,
	    "saying why");
	free(cause);
	cause = NULL;
	model_clear();
	phone_free();
	fake_loop_run();
	is_int(message_pending(), 0, "quitting gives them up");
	is_int(fake_sip_msgs_live(), 0, "and lets their requests go");
	ev = model_last(EVENT_MESSAGE);
	ok(ev != NULL && ev->u.message.state == MESSAGE_FAILED &&
	    strstr(ev->u.message.reason, "quit before") != NULL,
	    "each one failed, saying why");
	is_int(model_count(EVENT_MESSAGE), MESSAGE_PENDING_MAX, "all of them");
	fake_sip_log_clear();
	model_clear();
}

static void
test_incoming(void)
{
	struct fake_sip_call	*f;

	start(NULL, NULL);
	f = fake_sip_incoming("bob", "<sip:x@y>");
	ok(call_first() != NULL && call_first()->acct == acct("bob"),
	    "an INVITE to bob is bob's call");
	fake_sip_report(f, SIP_CALL_ENDED, 487, "cancelled");
	f = fake_sip_incoming("nobody", "<sip:x@y>");
	ok(call_first() != NULL && call_first()->acct == acct("alice"),
	    "an INVITE to no known user goes to the first account");
	fake_sip_report(f, SIP_CALL_ENDED, 487, "cancelled");
	stop();
}

static void
test_audio(void)
{
	const struct event	*ev;
	char			*cause = NULL;
	float			 in, out;

	conf.input = "mic.wav";
	conf.output = "spk.wav";
	start(NULL, NULL);
	model_clear();
	phone_status();
	fake_loop_run();
	ev = model_last(EVENT_AUDIO);
	ok(ev != NULL && ev->u.audio.in_volume == 0 &&
	    ev->u.audio.out_volume == 0 && !ev->u.audio.echotest &&
	    strcmp(ev->u.audio.input, "mic.wav") == 0 &&
	    strcmp(ev->u.audio.output, "spk.wav") == 0,
	    "status includes the audio settings");

	is_int(phone_volume(false, "-6", &cause), 0, "volume out -6");
	is_int(media_volume(false), -6, "the speaker is at -6 dB");
	is_int(phone_volume(false, "+3", &cause), 0, "volume out +3");
	is_int(media_volume(false), -3, "relative: now -3 dB");
	is_int(phone_volume(true, "12", &cause), 0, "volume in 12");
	fake_loop_run();
	ev = model_last(EVENT_AUDIO);
	ok(ev != NULL && ev->u.audio.in_volume == 12 &&
	    ev->u.audio.out_volume == -3, "an audio event shows both");
	ok(model_logged("microphone volume +12 dB"), "and the log says it");
	is_int(phone_volume(true, "+9", &cause), -1, "beyond +20: refused");
	ok(cause != NULL && strstr(cause, "from -40 to +20") != NULL,
	    "saying the range: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	is_int(phone_volume(true, "loud", &cause), -1, "not a number: refused");
	free(cause);
	cause = NULL;
	is_int(media_volume(true), 12, "refusals change nothing");

	is_int(phone_echotest(NULL, &cause), 0, "echotest toggles on");
	ok(media_echotest_running(), "the engine runs it");
	fake_loop_run();
	ok(model_last(EVENT_AUDIO)->u.audio.echotest, "and the event says so");
	is_int(phone_echotest("off", &cause), 0, "echotest off");
	ok(!media_echotest_running(), "stopped");
	is_int(phone_echotest("off", &cause), -1, "off again: refused");
	free(cause);
	cause = NULL;
	is_int(phone_echotest("sideways", &cause), -1, "a bad word: refused");
	ok(cause != NULL && strstr(cause, "on or off") != NULL, "saying why");
	free(cause);
	cause = NULL;

	is_int(phone_device(false, "headset.wav", &cause), 0, "device out");
	fake_loop_run();
	ok(strcmp(model_last(EVENT_AUDIO)->u.audio.output, "headset.wav") == 0,
	    "the event names the new speaker");
	fake_media_fail_device = true;
	is_int(phone_device(true, "nothing", &cause), -1,
	    "a device that fails: refused");
	fake_media_fail_device = false;
	free(cause);
	cause = NULL;
	phone_status();
	fake_loop_run();
	ok(strcmp(model_last(EVENT_AUDIO)->u.audio.input, "mic.wav") == 0,
	    "and the old microphone stays");
	phone_levels(&in, &out);
	ok(in <= -90 && out <= -90, "levels without a call: silence");
	media_set_volume(true, 0);
	media_set_volume(false, 0);
	stop();
	conf.input = conf.output = NULL;
}

/* Bring the phone to: alice registered, one call up. */
static struct fake_sip_call *
busy_phone(void)
{
	struct fake_sip_call	*f;
	char			*cause = NULL;

	start(NULL, NULL);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	phone_dial("carol", NULL, &cause);
	f = fake_sip_call(fake_sip_calls());
	fake_sip_report(f, SIP_CALL_ESTABLISHED, 200, "OK");
	fake_sip_log_clear();
	model_clear();
	return f;
}

static void
test_quit(void)
{
	struct fake_sip_call	*f;
	char			*cause = NULL;

	/* Every step answers. */
	f = busy_phone();
	phone_quit();
	fake_loop_run();
	ok(phone_quitting() && !phone_running(), "quitting");
	ok(fake_sip_count("hangup") == 1, "first the call is hung up");
	is_int(fake_sip_count("unregister"), 0, "not unregistered yet");
	is_int(phone_dial("x", NULL, &cause), -1, "no dialling while quitting");
	ok(strstr(cause, "quitting") != NULL, "says why");
	free(cause);
	cause = NULL;
	is_int(phone_register(NULL, &cause), -1, "nor registering");
	free(cause);
	cause = NULL;
	ok(fake_sip_incoming("alice", "<sip:x@y>") &&
	    fake_sip_count(" 480") == 1, "a new INVITE gets 480");
	phone_quit();
	fake_sip_report(f, SIP_CALL_ENDED, 200, "hung up");
	ok(fake_sip_count("unregister") == 1, "then the account unregisters");
	is_int(fake_sip_shutdowns, 0, "the stack waits for the registrar");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_UNREGISTERED, 200, NULL,
	    0, 0);
	is_int(fake_sip_shutdowns, 1, "then the stack shuts down");
	ok(strstr(fake_sip_log(), "hangup") < strstr(fake_sip_log(),
	    "unregister") && strstr(fake_sip_log(), "unregister") <
	    strstr(fake_sip_log(), "ua shutdown"), "in that order");
	is_int(fake_loop_breaks, 1, "and the loop is left");
	ok(!model_logged("did not"), "nothing was abandoned");
	is_int(phone_exit_status(), 0, "exit status 0");
	stop();
	fake_sip_shutdowns = 0;

	/* Every step stuck: the call never ends, the registrar never
	 * answers, the stack never shuts down. */
	busy_phone();
	fake_sip_shutdown_answers = false;
	phone_quit();
	fake_loop_advance(PHONE_CALLS_WAIT - 100);
	is_int(fake_sip_count("unregister"), 0, "calls get their time");
	fake_loop_advance(100);
	ok(model_logged("1 call did not end"), "a stuck call is abandoned, and said");
	ok(fake_sip_count("unregister") == 1, "the accounts unregister anyway");
	fake_loop_advance(PHONE_UNREG_WAIT - 100);
	is_int(fake_sip_shutdowns, 0, "the registrar gets its time");
	fake_loop_advance(100);
	ok(model_logged("the binding will expire on its own"),
	    "a silent registrar is abandoned, and said");
	is_int(fake_sip_shutdowns, 1, "the stack is shut down anyway");
	is_int(call_count(), 0, "the stuck call is gone before the shutdown");
	fake_loop_advance(PHONE_SHUTDOWN_WAIT - 100);
	is_int(fake_loop_breaks, 0, "the stack gets its time");
	fake_loop_advance(100);
	ok(model_logged("did not shut down"), "a stuck stack is left, and said");
	is_int(fake_loop_breaks, 1, "the loop is left within the bounds");
	is_int(phone_exit_status(), 0, "exit status 0");
	stop();
	fake_sip_shutdown_answers = true;
	fake_sip_shutdowns = 0;

	/* Only the registrar is stuck. */
	f = busy_phone();
	phone_quit();
	fake_sip_report(f, SIP_CALL_ENDED, 200, "hung up");
	fake_loop_advance(PHONE_UNREG_WAIT);
	is_int(fake_loop_breaks, 1, "a dead registrar costs its bound, no more");
	stop();
	fake_sip_shutdowns = 0;

	/* Nothing to wait for. */
	start(NULL, "bob");
	acct("alice")->state = REG_FAILED;
	phone_quit();
	fake_loop_run();
	is_int(fake_loop_breaks, 1, "with nothing to end, quit is immediate");
	stop();
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		ok(0, "cannot write %s", path);
}

static const struct event_contact *
contact_ev(const char *name)
{
	int	 i;

	fake_loop_run();
	for (i = model_nev - 1; i >= 0; i--) {
		if (model_ev[i].kind == EVENT_CONTACT &&
		    strcmp(model_ev[i].u.contact.name, name) == 0)
			return &model_ev[i].u.contact;
	}
	return NULL;
}

static void
test_contacts_watched(void)
{
	char			 dir[] = "/tmp/test-phone.XXXXXX", path[64];
	char			 cpath[64];
	struct fake_sip_sub	*f;
	char			*cause = NULL;
	int			 n;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/tsphone.conf", dir);
	snprintf(cpath, sizeof cpath, "%s/contacts", dir);
	write_file(cpath, "Erin <sip:erin@example.com>;presence=yes\n"
	    "Eve <sip:eve@example.com>\n");
	conf.path = path;
	is_int(phone_watch("x", NULL, &cause), -1, "watch before start: refused");
	free(cause);
	cause = NULL;
	is_int(phone_unwatch("x", NULL, &cause), -1, "unwatch too");
	free(cause);
	cause = NULL;
	is_int(phone_voicemail(NULL, &cause), -1, "voicemail too");
	free(cause);
	cause = NULL;
	n = fake_sip_subs();
	start(NULL, NULL);
	ok(sub_find(acct("alice"), SUB_PRESENCE, "sip:erin@example.com") != NULL,
	    "the contact marked presence=yes is watched by the default account");
	ok(sub_find(acct("alice"), SUB_PRESENCE, "sip:eve@example.com") == NULL,
	    "the other is not");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	f = fake_sip_sub_last();
	ok(f != NULL && fake_sip_subs() == n + 2 &&
	    strcmp(f->target, "sip:erin@example.com") == 0,
	    "subscribed once registered (after the voicemail)");
	fake_sip_sub_answer(f, 200, 600);
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, "application/pidf+xml",
	    "<presence><tuple><status><basic>open</basic></status></tuple>"
	    "</presence>");
	model_clear();
	contacts_emit("");
	ok(contact_ev("Erin") != NULL &&
	    strcmp(contact_ev("Erin")->presence, "online") == 0,
	    "the contact event carries the watched state");
	ok(contact_ev("Eve") != NULL &&
	    strcmp(contact_ev("Eve")->presence, "unknown") == 0,
	    "unknown for a contact not watched");

	write_file(cpath, "Erin <sip:erin@example.com>\n");
	contacts_reload();
	is_int(f->ends, 1, "the mark removed: un-SUBSCRIBE");
	ok(sub_find(acct("alice"), SUB_PRESENCE, "sip:erin@example.com") == NULL,
	    "and no longer watched");
	fake_sip_sub_ended(f, 200, "OK", NULL, 0);
	ok(phone_watch("sip:zoe@example.com", "bob", &cause) == 0 &&
	    phone_unwatch("sip:zoe@example.com", "bob", &cause) == 0,
	    "watch and unwatch on a named account");
	ok(phone_watch("sip:zoe@example.com", "bob", &cause) == 0 &&
	    phone_unwatch("sip:zoe@example.com", NULL, &cause) == 0,
	    "unwatch finds the account that watches");
	is_int(phone_unwatch("sip:zoe@example.com", "nobody", &cause), -1,
	    "unwatch on no such account");
	free(cause);
	cause = NULL;
	stop();
	conf.path = NULL;
	remove(cpath);
	remove(dir);
}

/* Subscriptions through the phone: watch and unwatch on the default or
 * a given account, the voicemail box, status, and quit waiting for the
 * un-SUBSCRIBEs within the unregister step's bound. */
static void
test_subs(void)
{
	struct fake_sip_sub	*mwi, *carol, *dave;
	char			*cause = NULL;
	int			 n;

	fake_sip_shutdowns = 0;
	conf.accounts->mwi = true;
	start(NULL, NULL);
	is_int(fake_sip_subs(), 0, "mwi waits for alice's registration");
	ok(phone_watch("sip:carol@example.com", NULL, &cause) == 0,
	    "watch from the default account");
	is_int(fake_sip_subs(), 0, "which waits for its registration too");
	ok(phone_watch("dave", "bob", &cause) == 0, "watch from bob");
	dave = fake_sip_sub_last();
	ok(dave != NULL && dave->sends == 1 && strcmp(dave->account, "bob") == 0,
	    "bob does not register: subscribed at once");
	is_str(dave->target, "sip:dave@example.com", "a user at bob's domain");
	is_int(phone_watch("x", "nobody", &cause), -1, "no such account");
	free(cause);
	cause = NULL;
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	is_int(fake_sip_subs(), 3, "alice registered: her two start");
	mwi = fake_sip_sub(2);
	carol = fake_sip_sub(3);
	ok(strcmp(mwi->event, "message-summary") == 0 &&
	    strcmp(carol->event, "presence") == 0, "voicemail, then the watch");
	fake_sip_sub_answer(mwi, 200, 600);
	fake_sip_sub_answer(carol, 200, 600);
	fake_sip_sub_answer(dave, 200, 600);

	model_clear();
	phone_status();
	/* (and one of our own presence per account: presence.c's) */
	is_int(model_count(EVENT_PRESENCE), 2 + 2,
	    "status: a presence event a watch, and our own on each account");

	is_int(phone_voicemail(NULL, &cause), -1, "no voicemail box: refused");
	ok(cause != NULL && strstr(cause, "voicemail") != NULL, "saying why");
	free(cause);
	cause = NULL;
	conf.accounts->voicemail = xstrdup("*97");
	n = fake_sip_calls();
	ok(phone_voicemail(NULL, &cause) == 0 && fake_sip_calls() == n + 1 &&
	    fake_sip_count("new 1 *97") == 1, "voicemail dials the box");
	fake_sip_report(fake_sip_call(n + 1), SIP_CALL_ENDED, 404, "no");
	free(conf.accounts->voicemail);
	conf.accounts->voicemail = NULL;

	is_int(phone_unwatch("sip:nobody@example.com", NULL, &cause), -1,
	    "unwatch what nobody watches: refused");
	free(cause);
	cause = NULL;

	/* Quit: the un-SUBSCRIBEs go with the un-REGISTER; the stack
	 * waits for them, and for no more than the step's bound. */
	phone_quit();
	fake_loop_run();
	ok(mwi->ends == 1 && carol->ends == 1 && dave->ends == 1,
	    "quit un-SUBSCRIBEs all three");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_UNREGISTERED, 200, NULL,
	    0, 0);
	fake_sip_sub_ended(mwi, 200, "OK", NULL, 0);
	fake_sip_sub_notify(carol, SIP_SUB_TERMINATED, "timeout", 0, NULL, NULL);
	is_int(fake_sip_shutdowns, 0, "the stack waits for the last one");
	fake_loop_advance(PHONE_UNREG_WAIT - 100);
	is_int(fake_sip_shutdowns, 0, "for the step's time");
	fake_loop_advance(100);
	ok(model_logged("no answer to the un-SUBSCRIBE of sip:dave@example.com"),
	    "then it is abandoned, and said");
	is_int(fake_sip_shutdowns, 1, "and the stack shut down");
	stop();
	fake_sip_shutdowns = 0;

	/* Contacts marked presence=yes are watched by the default account,
	 * and no longer once the mark is gone. */
	test_contacts_watched();

	/* Everything answers: no waiting beyond the answers. */
	start(NULL, NULL);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	mwi = fake_sip_sub_last();
	fake_sip_sub_answer(mwi, 200, 600);
	phone_quit();
	fake_loop_run();
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_UNREGISTERED, 200, NULL,
	    0, 0);
	is_int(fake_sip_shutdowns, 0, "unregistered, un-SUBSCRIBE unanswered");
	fake_sip_sub_ended(mwi, 0, NULL, "timeout", 0);
	is_int(fake_sip_shutdowns, 1, "its end lets quit go on at once");
	stop();
	fake_sip_shutdowns = 0;
	conf.accounts->mwi = false;
	fake_sip_sub_reset();
}

/* The commands' way to do-not-disturb and forwarding (the rules
 * themselves are test-account's and test-call's). */
static void
test_divert(void)
{
	char	*cause = NULL;

	ok(phone_dnd("on", NULL, &cause) == -1 && cause != NULL,
	    "dnd refused before the phone runs");
	free(cause);
	cause = NULL;
	ok(phone_forward("sip:x@example.com", NULL, &cause) == -1 &&
	    cause != NULL, "forward too");
	free(cause);
	cause = NULL;
	start(NULL, NULL);
	ok(phone_dnd("maybe", NULL, &cause) == -1 &&
	    strstr(cause, "on or off") != NULL, "dnd takes on or off");
	free(cause);
	cause = NULL;
	ok(phone_dnd("on", "nosuch", &cause) == -1 && cause != NULL,
	    "dnd for an unknown account");
	free(cause);
	cause = NULL;
	is_int(phone_dnd("on", NULL, &cause), 0, "dnd on");
	ok(account_dnd(phone_accounts_first()), "every account: dnd");
	is_int(phone_dnd("off", "alice", &cause), 0, "dnd off alice");
	ok(!account_dnd(phone_accounts_first()), "alice rings again");
	ok(phone_forward("sip:x@example.com", "nosuch", &cause) == -1 &&
	    cause != NULL, "forward for an unknown account");
	free(cause);
	cause = NULL;
	is_int(phone_forward("sip:x@example.com", NULL, &cause), 0,
	    "forward to a URI");
	ok(account_forward(phone_accounts_first()) != NULL, "alice forwards");
	is_int(phone_forward("off", NULL, &cause), 0, "forward off");
	ok(account_forward(phone_accounts_first()) == NULL, "alice does not");
	stop();
}

int
main(void)
{
	model_start_recording();
	conf_init();
	test_start();
	test_default();
	test_inbox();
	test_messages();
	test_incoming();
	test_audio();
	test_divert();
	test_quit();
	test_subs();
	conf_done();
	fake_loop_run();
	free(model_ev);
	return done_testing();
}
