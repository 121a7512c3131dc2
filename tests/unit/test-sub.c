/*
 * test-sub.c: the subscriptions of an account (sub.c) against fakes of
 * the SIP layer and the loop: when they start (registered, or at once
 * without registering), voicemail counts from NOTIFYs (and a body that
 * is no message-summary), presence states, every way a subscription
 * ends and what follows (at once, retry-after, the backoff, given up),
 * a registration coming back cutting a retry short, unwatch, and the
 * un-SUBSCRIBEs of unregister and quit, answered or abandoned.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "fakes.h"
#include "model.h"
#include "sub.h"
#include "tap.h"

#define PIDF_HEAD "<?xml version=\"1.0\"?><presence " \
	"xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:bob@x\">" \
	"<tuple id=\"t\"><status><basic>"
#define PIDF_OPEN	PIDF_HEAD "open</basic></status></tuple></presence>"
#define PIDF_CLOSED	PIDF_HEAD "closed</basic></status></tuple></presence>"
#define PIDF_BUSY	"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" " \
	"xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" " \
	"xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"><tuple id=\"a\">" \
	"<status><basic>open</basic></status></tuple><dm:person id=\"p\">" \
	"<rpid:activities><rpid:on-the-phone/></rpid:activities>" \
	"<dm:note>On the phone</dm:note></dm:person></presence>"

static const struct event_mwi *
mwi(void)
{
	const struct event	*ev = model_last(EVENT_MWI);

	return ev != NULL ? &ev->u.mwi : NULL;
}

static const struct event_presence *
presence(void)
{
	const struct event	*ev = model_last(EVENT_PRESENCE);

	return ev != NULL ? &ev->u.presence : NULL;
}

/* An account that registers, registered. */
static struct account *
registered(struct conf_account *ca)
{
	struct account	*a = account_new(1, ca);

	account_register(a);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	return a;
}

static void
done(struct account *a, struct conf_account *ca)
{
	account_free(a);
	model_conf_account_free(ca);
	fake_loop_run();
	is_int(fake_sip_subs_live(), 0, "every subscription handle freed");
	fake_sip_sub_reset();
	model_clear();
}

static void
test_mwi(void)
{
	struct conf_account	*ca = model_conf_account("alice",
	    "sip:alice@127.0.0.1", 1);
	struct account		*a;
	struct fake_sip_sub	*f;

	/* mwi = no (the default): nothing is subscribed. */
	a = registered(ca);
	is_int(fake_sip_subs(), 0, "mwi = no: no subscription");
	done(a, ca);

	ca = model_conf_account("alice", "sip:alice@127.0.0.1", 1);
	ca->mwi = true;
	a = account_new(1, ca);
	account_register(a);
	is_int(fake_sip_subs(), 0, "mwi = yes: nothing before registering");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	f = fake_sip_sub_last();
	ok(f != NULL && f->sends == 1, "registered: SUBSCRIBE sent");
	is_str(f->event, "message-summary", "for message-summary");
	is_str(f->accept, "application/simple-message-summary",
	    "taking simple-message-summary");
	is_str(f->target, "sip:alice@127.0.0.1", "at the account's uri");
	is_int(f->expires, SUB_EXPIRES, "for SUB_EXPIRES seconds");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	is_int(fake_sip_subs(), 1, "a registration refresh subscribes nothing");

	fake_sip_sub_answer(f, 200, 60);
	is_int(a->subs->phase, SUB_ACTIVE, "accepted: active");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0,
	    "application/simple-message-summary",
	    "Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/0)\r\n");
	ok(mwi() != NULL && mwi()->waiting && mwi()->new_msgs == 2 &&
	    mwi()->old_msgs == 8, "a NOTIFY: mwi event 2/8, waiting");
	is_str(mwi()->account, "alice", "for the account");
	ok(a->mwi_known && a->mwi.new_msgs == 2, "kept on the account");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, NULL,
	    "Messages-Waiting: no\r\nVoice-Message: 0/10\r\n");
	ok(mwi()->new_msgs == 0 && mwi()->old_msgs == 10 && !mwi()->waiting,
	    "then 0/10, none waiting");
	model_clear();
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, NULL, "garbage\r\n");
	is_int(model_count(EVENT_MWI), 0, "a garbage body: no mwi event");
	ok(model_logged("without Messages-Waiting"), "but a log line");
	is_int(a->mwi.old_msgs, 10, "and the counts kept");

	/* The notifier ends it (timeout): again at once, once. */
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "timeout", 0, NULL, NULL);
	ok(f->freed, "ended: the handle is freed");
	fake_loop_advance(0);
	is_int(fake_sip_subs(), 2, "timeout: subscribed again at once");
	f = fake_sip_sub_last();
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "deactivated", 0, NULL,
	    NULL);
	fake_loop_advance(3000);
	is_int(fake_sip_subs(), 2, "twice in a row: no longer at once");
	fake_loop_advance(1500);
	is_int(fake_sip_subs(), 3, "but after the backoff's 4 s");
	f = fake_sip_sub_last();
	fake_sip_sub_answer(f, 200, 600);

	/* A refresh that fails: the backoff, growing, Retry-After. */
	fake_sip_sub_ended(f, 500, "Server Error", NULL, 0);
	is_int(a->subs->phase, SUB_RETRY, "a failed refresh: retry armed");
	is_int(a->subs->retry_in, 4, "in 4 s");
	ok(model_logged("500 Server Error"), "the failure is logged");
	fake_loop_advance(4500);
	f = fake_sip_sub_last();
	is_int(f->n, 4, "retried");
	fake_sip_sub_ended(f, 503, "Service Unavailable", NULL, 0);
	is_int(a->subs->retry_in, 8, "then 8 s");
	fake_loop_advance(9000);
	f = fake_sip_sub_last();
	fake_sip_sub_ended(f, 503, "Service Unavailable", NULL, 120);
	is_int(a->subs->retry_in, 120, "Retry-After is honoured");
	fake_loop_advance(60000);
	is_int(fake_sip_subs(), 5, "nothing before it");

	/* The registration comes back: retry at once. */
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_FAILED, 503, NULL, 0,
	    0);
	fake_loop_advance(4500);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	is_int(fake_sip_subs(), 6, "registered again: subscribed at once");
	f = fake_sip_sub_last();
	fake_sip_sub_answer(f, 200, 600);
	is_int(a->subs->failures, 0, "the backoff starts afresh");

	/* Unregistering ends it first. */
	account_unregister(a);
	is_int(f->ends, 1, "unregister: un-SUBSCRIBE sent");
	ok(sub_account_ending(a), "its answer awaited");
	fake_sip_sub_ended(f, 200, "OK", "unsubscribed", 0);
	ok(!sub_account_ending(a), "answered: no longer ending");
	is_int(a->subs->phase, SUB_IDLE, "idle, for the next registration");
	fake_loop_advance(100000);
	is_int(fake_sip_subs(), 6, "and nothing retried meanwhile");
	done(a, ca);
}

static void
test_mwi_refused(void)
{
	struct conf_account	*ca = model_conf_account("alice",
	    "sip:alice@127.0.0.1", 1);
	struct account		*a;
	struct fake_sip_sub	*f;

	ca->mwi = true;
	ca->mwi_uri = xstrdup("sip:vm@127.0.0.1");
	a = registered(ca);
	f = fake_sip_sub_last();
	is_str(f->target, "sip:vm@127.0.0.1", "mwi = URI: subscribed there");
	fake_sip_sub_ended(f, 489, "Bad Event", NULL, 0);
	is_int(a->subs->phase, SUB_STOPPED, "489: given up");
	ok(model_logged("not trying again"), "and said so");
	fake_loop_advance(200000);
	is_int(fake_sip_subs(), 1, "never retried");

	/* A SUBSCRIBE that cannot even be sent is a failure like others. */
	fake_sip_sub_fail_send = true;
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_FAILED, 503, NULL, 0,
	    0);
	fake_loop_advance(4500);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	is_int(a->subs->phase, SUB_STOPPED, "given up stays given up");
	is_int(fake_sip_subs(), 1, "and sends nothing");
	fake_sip_sub_fail_send = false;
	free(ca->mwi_uri);
	done(a, ca);
}

static void
test_presence(void)
{
	struct conf_account	*ca = model_conf_account("alice",
	    "sip:alice@127.0.0.1", 0);
	struct account		*a = account_new(1, ca);
	struct fake_sip_sub	*f;
	char			*cause = NULL;
	bool			 watched;

	ok(sub_watch(a, "sip:bob@127.0.0.1", &cause) == 0, "watch");
	f = fake_sip_sub_last();
	ok(f != NULL && f->sends == 1, "register = no: SUBSCRIBE at once");
	is_str(f->event, "presence", "for presence");
	is_str(f->accept, "application/pidf+xml", "taking PIDF");
	is_str(f->target, "sip:bob@127.0.0.1", "to the watched URI");
	ok(presence() != NULL && presence()->state == PRESENCE_UNKNOWN &&
	    !presence()->own, "a presence event: unknown at first");
	is_str(presence()->uri, "sip:bob@127.0.0.1", "naming the URI");
	is_str(presence()->account, "alice", "and the account");
	ok(sub_watch(a, "sip:bob@127.0.0.1", &cause) == 0 &&
	    fake_sip_subs() == 1, "watching again: no second subscription");

	fake_sip_sub_answer(f, 202, 600);
	fake_sip_sub_notify(f, SIP_SUB_PENDING, NULL, 0, NULL, NULL);
	is_int(presence()->state, PRESENCE_UNKNOWN, "pending: still unknown");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, "application/pidf+xml",
	    PIDF_OPEN);
	is_int(presence()->state, PRESENCE_ONLINE, "open: online");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, "application/pidf+xml",
	    PIDF_BUSY);
	is_int(presence()->state, PRESENCE_BUSY, "on-the-phone: busy");
	is_str(presence()->note, "On the phone", "with the note");
	is_int(sub_presence_of(a, "\"Bob\" <sip:bob@127.0.0.1:5070;transport=udp>",
	    &watched), PRESENCE_BUSY, "a call's remote finds the state");
	ok(watched, "as watched");
	ok(sub_presence_of(a, "sip:carol@127.0.0.1", &watched) ==
	    PRESENCE_UNKNOWN && !watched, "another address is not watched");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, "application/pidf+xml",
	    PIDF_CLOSED);
	is_int(presence()->state, PRESENCE_OFFLINE, "closed: offline");
	model_clear();
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, "application/pidf+xml",
	    PIDF_CLOSED);
	is_int(model_count(EVENT_PRESENCE), 0, "no news: no event");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, "application/pidf+xml",
	    "<presence><tuple>");
	is_int(presence()->state, PRESENCE_UNKNOWN, "unreadable: unknown");
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, NULL, NULL);
	is_int(presence()->state, PRESENCE_OFFLINE,
	    "active without a document: offline");

	/* deactivated: at once, and the state stays. */
	fake_sip_sub_notify(f, SIP_SUB_ACTIVE, NULL, 0, NULL, PIDF_OPEN);
	model_clear();
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "deactivated", 0, NULL,
	    NULL);
	fake_loop_advance(0);
	is_int(fake_sip_subs(), 2, "deactivated: subscribed again at once");
	is_int(model_count(EVENT_PRESENCE), 0, "the state shown stays");
	f = fake_sip_sub_last();
	fake_sip_sub_answer(f, 200, 600);

	/* probation: after its retry-after, unknown meanwhile. */
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "probation", 20, NULL, NULL);
	is_int(presence()->state, PRESENCE_UNKNOWN, "probation: unknown");
	is_int(a->subs->retry_in, 20, "again after retry-after");
	fake_loop_advance(19000);
	is_int(fake_sip_subs(), 2, "not before");
	fake_loop_advance(3000);
	is_int(fake_sip_subs(), 3, "then subscribed again");
	f = fake_sip_sub_last();

	/* rejected: given up, unknown, until watched again. */
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "rejected", 0, NULL, NULL);
	is_int(a->subs->phase, SUB_STOPPED, "rejected: given up");
	is_int(presence()->state, PRESENCE_UNKNOWN, "shown unknown");
	fake_loop_advance(200000);
	is_int(fake_sip_subs(), 3, "never retried by itself");
	ok(sub_watch(a, "sip:bob@127.0.0.1", &cause) == 0 &&
	    fake_sip_subs() == 4, "watch again: subscribed again");
	f = fake_sip_sub_last();
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "noresource", 0, NULL,
	    NULL);
	is_int(a->subs->phase, SUB_STOPPED, "noresource: given up too");
	ok(sub_watch(a, "sip:bob@127.0.0.1", &cause) == 0, "watch again");
	f = fake_sip_sub_last();
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, "giveup", 30, NULL, NULL);
	is_int(a->subs->retry_in, 30, "giveup: after retry-after");
	fake_loop_advance(34000);
	f = fake_sip_sub_last();
	fake_sip_sub_notify(f, SIP_SUB_TERMINATED, NULL, 0, NULL, NULL);
	is_int(a->subs->phase, SUB_RETRY, "no reason: the backoff");
	fake_loop_advance(10000);
	f = fake_sip_sub_last();
	fake_sip_sub_answer(f, 200, 600);

	/* unwatch: un-SUBSCRIBE, forgotten once answered. */
	ok(sub_unwatch(a, "sip:carol@127.0.0.1", &cause) == -1 &&
	    cause != NULL && strstr(cause, "not watching") != NULL,
	    "unwatch what is not watched: an error");
	free(cause);
	cause = NULL;
	ok(sub_unwatch(a, "sip:bob@127.0.0.1", &cause) == 0, "unwatch");
	is_int(f->ends, 1, "un-SUBSCRIBE sent");
	is_int(presence()->state, PRESENCE_UNKNOWN, "shown unknown");
	ok(sub_find(a, SUB_PRESENCE, "sip:bob@127.0.0.1") == NULL,
	    "no longer found");
	fake_sip_sub_ended(f, 200, "OK", "unsubscribed", 0);
	ok(a->subs == NULL, "answered: gone");

	/* A watch ended before anything went out is forgotten at once. */
	fake_sip_sub_fail_new = true;
	ok(sub_watch(a, "sip:dave@127.0.0.1", &cause) == 0,
	    "watch (the handle cannot be made)");
	is_int(a->subs->phase, SUB_RETRY, "a failure: retry armed");
	ok(sub_unwatch(a, "sip:dave@127.0.0.1", &cause) == 0 &&
	    a->subs == NULL, "unwatch: gone at once");
	fake_loop_advance(100000);
	is_int(fake_sip_subs(), 7, "and never retried");
	done(a, ca);
}

/* The un-SUBSCRIBEs of quit: three open, answered or abandoned. */
static void
test_quit(void)
{
	struct conf_account	*ca = model_conf_account("alice",
	    "sip:alice@127.0.0.1", 1);
	struct account		*a;
	char			*cause = NULL;
	int			 i;

	ca->mwi = true;
	a = registered(ca);
	sub_watch(a, "sip:bob@127.0.0.1", &cause);
	sub_watch(a, "sip:carol@127.0.0.1", &cause);
	is_int(fake_sip_subs(), 3, "three subscriptions");
	for (i = 1; i <= 3; i++)
		fake_sip_sub_answer(fake_sip_sub(i), 200, 600);
	fake_sip_sub_notify(fake_sip_sub(2), SIP_SUB_ACTIVE, NULL, 0, NULL,
	    "<presence><tuple><status><basic>open</basic></status></tuple>"
	    "</presence>");
	is_int(presence()->state, PRESENCE_ONLINE, "bob online");
	account_stop_retry(a);
	account_unregister(a);
	for (i = 1; i <= 3; i++)
		is_int(fake_sip_sub(i)->ends, 1, "un-SUBSCRIBE %d sent", i);
	ok(sub_account_ending(a), "answers awaited");
	fake_sip_sub_notify(fake_sip_sub(2), SIP_SUB_ACTIVE, NULL, 0, NULL,
	    "<presence><tuple><status><basic>closed</basic></status></tuple>"
	    "</presence>");
	is_int(presence()->state, PRESENCE_ONLINE,
	    "a NOTIFY while ending changes nothing");
	fake_sip_sub_ended(fake_sip_sub(1), 200, "OK", NULL, 0);
	fake_sip_sub_notify(fake_sip_sub(2), SIP_SUB_TERMINATED, "timeout", 0,
	    NULL, NULL);
	ok(strcmp(presence()->uri, "sip:bob@127.0.0.1") == 0 &&
	    presence()->state == PRESENCE_UNKNOWN,
	    "a watch ended by us is unknown until it starts again");
	ok(sub_account_ending(a), "one still awaited");
	fake_loop_advance(60000);
	is_int(fake_sip_subs(), 3, "an end while ending is not retried");
	account_abandon(a);
	ok(!sub_account_ending(a), "abandoned: nothing awaited");
	ok(fake_sip_sub(3)->freed, "its handle let go");
	ok(model_logged("no answer to the un-SUBSCRIBE"), "and said so");
	done(a, ca);
}

static void
test_address(void)
{
	ok(sub_same_address("sip:bob@Example.com", "<sip:bob@example.com:5060>"),
	    "host case and port do not matter");
	ok(sub_same_address("\"Bob\" <sips:bob@h;transport=tls>", "sip:bob@h"),
	    "nor the scheme, parameters or a name");
	ok(!sub_same_address("sip:bob@h", "sip:Bob@h"), "the user's case does");
	ok(!sub_same_address("sip:bob@h", "sip:bob@g"), "other host");
	ok(sub_same_address("sip:[::1]:5060", "sip:[::1]"), "IPv6 host");
	ok(!sub_same_address("", "sip:bob@h"), "nothing is no address");
}

int
main(void)
{
	model_start_recording();
	test_mwi();
	test_mwi_refused();
	test_presence();
	test_quit();
	test_address();
	fake_loop_run();
	free(model_ev);
	return done_testing();
}
