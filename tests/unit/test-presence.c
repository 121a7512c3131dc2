/*
 * test-presence.c: our own presence (presence.c) in the phone, against
 * fakes: what each account shows (the user's state; busy while a call is
 * dialled, up or held, not while one only rings in; offline through
 * calls), the presence events it emits, PUBLISH for presence = yes only
 * (changes, a refusal said once and never retried until the user asks,
 * other failures retried with the backoff), peers that subscribe to us
 * served and notified, and quit: the publication removed and watchers
 * ended within the phone's bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "call.h"
#include "fakes.h"
#include "model.h"
#include "phone.h"
#include "presence.h"
#include "tap.h"

static struct conf	 conf;

static void
conf_init(void)
{
	memset(&conf, 0, sizeof conf);
	conf.ring_timeout = 60;
	conf.rtp_timeout = 30;
	conf.accounts = model_conf_account("alice", "sip:alice@example.com", 0);
	conf.accounts->presence = true;
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
	char		*cause = NULL;
	struct account	*a = phone_account(name, &cause);

	free(cause);
	return a;
}

static void
start(void)
{
	struct phone_opts	 o;
	char			*cause = NULL;

	memset(&o, 0, sizeof o);
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
	fake_sip_reset();
	fake_sip_pres_reset();
	model_clear();
}

/* The last own presence event of ACCOUNT since model_clear, or NULL. */
static const struct event_presence *
own(const char *account)
{
	int	 i;

	fake_loop_run();
	for (i = model_nev - 1; i >= 0; i--) {
		if (model_ev[i].kind == EVENT_PRESENCE &&
		    model_ev[i].u.presence.own &&
		    strcmp(model_ev[i].u.presence.account, account) == 0)
			return &model_ev[i].u.presence;
	}
	return NULL;
}

static enum presence_state
own_state(const char *account)
{
	const struct event_presence	*p = own(account);

	return p != NULL ? p->state : (enum presence_state)-1;
}

static int
set(const char *state, const char *note)
{
	char	*cause = NULL;
	int	 rc = phone_presence(state, note, &cause);

	if (rc != 0) {
		printf("# %s\n", cause);
		free(cause);
	}
	fake_loop_run();
	return rc;
}

static void
test_start_and_set(void)
{
	struct fake_sip_pub	*p;
	char			*cause = NULL;

	model_start_recording();
	start();
	ok(fake_sip_pres_started == 1, "SUBSCRIBEs for presence are taken");
	is_int(fake_sip_count("pub new alice"), 1,
	    "alice (presence = yes) makes a publication");
	is_int(fake_sip_count("pub new bob"), 0, "bob (presence = no) does not");
	p = fake_sip_pub_last();
	ok(p != NULL && strstr(p->doc, "<basic>open</basic>") != NULL &&
	    strstr(p->doc, "entity=\"sip:alice@example.com\"") != NULL,
	    "alice publishes open, as herself");
	is_int(p != NULL ? p->expires : 0, 600, "for the account's expires");
	is_int(own_state("alice"), PRESENCE_ONLINE, "alice: an own event, online");
	ok(own("bob") == NULL, "bob: no event at start");
	fake_sip_pub_report(p, SIP_PUB_OK, 200, NULL);
	ok(!model_logged("presence"), "a success is not news");

	model_clear();
	is_int(set("away", "at lunch"), 0, "presence away at lunch");
	is_int(own_state("alice"), PRESENCE_AWAY, "alice shows away");
	is_int(own_state("bob"), PRESENCE_AWAY, "and so does bob");
	ok(own("bob") != NULL && strcmp(own("bob")->note, "at lunch") == 0,
	    "with the note");
	ok(own("bob") != NULL && strcmp(own("bob")->uri,
	    "sip:bob@example.com") == 0, "and the account's address");
	ok(strstr(p->doc, "<rpid:away/>") != NULL &&
	    strstr(p->doc, "at lunch") != NULL, "alice publishes it");
	is_int(fake_sip_count("pub new alice"), 1, "on the same publication");
	is_int(fake_sip_count("publish bob"), 0, "bob publishes nothing");
	is_int(presence_chosen(), PRESENCE_AWAY, "status has it");

	model_clear();
	is_int(set("away", "at lunch"), 0, "the same again");
	is_int(model_count(EVENT_PRESENCE), 2, "still said on every account");
	is_int(p->sends, 2, "but not published again");

	is_int(phone_presence("ringing", NULL, &cause), -1, "ringing is not ours to set");
	ok(cause != NULL && strstr(cause, "online, busy, away or offline"),
	    "says what is");
	free(cause);
	cause = NULL;
	is_int(phone_presence("unknown", NULL, &cause), -1, "nor unknown");
	free(cause);
	cause = NULL;
	is_int(set("online", NULL), 0, "presence online");
	ok(strstr(p->doc, "<note>") == NULL, "without a note, none is published");
	stop();
}

static void
test_calls(void)
{
	struct fake_sip_call	*f;
	struct fake_sip_pub	*p;
	struct call		*c;
	char			*cause = NULL;

	start();
	p = fake_sip_pub_last();
	fake_sip_pub_report(p, SIP_PUB_OK, 200, NULL);

	model_clear();
	f = fake_sip_incoming("bob", "<sip:carol@example.com>");
	is_int(model_count(EVENT_PRESENCE), 0, "a call ringing in changes nothing");
	c = call_first();
	ok(c != NULL && call_answer(c, &cause) == 0, "bob answers");
	fake_sip_report(f, SIP_CALL_ESTABLISHED, 200, "OK");
	is_int(own_state("bob"), PRESENCE_BUSY, "bob is busy in the call");
	ok(own("alice") == NULL, "alice is not");
	ok(strstr(p->doc, "on-the-phone") == NULL, "nor published busy");
	call_hold(c, true, &cause);
	fake_sip_report(f, SIP_CALL_REINVITE_DONE, 200, "OK");
	is_int(own_state("bob"), PRESENCE_BUSY, "still busy on hold");

	model_clear();
	ok(phone_dial("dave", "alice", &cause) == 0, "alice dials");
	is_int(own_state("alice"), PRESENCE_BUSY, "busy from the moment she dials");
	ok(strstr(p->doc, "<rpid:on-the-phone/>") != NULL, "published busy");

	model_clear();
	is_int(set("away", "brb"), 0, "presence away during the calls");
	is_int(own_state("alice"), PRESENCE_BUSY, "a call still shows busy");
	ok(own("alice") != NULL && strcmp(own("alice")->note, "brb") == 0,
	    "with the new note");

	model_clear();
	fake_sip_report(fake_sip_call(2), SIP_CALL_ENDED, 486, "Busy Here");
	is_int(own_state("alice"), PRESENCE_AWAY, "alice's call ends: away again");
	ok(strstr(p->doc, "<rpid:away/>") != NULL, "published away");
	ok(own("bob") == NULL, "bob, still in his call, is unchanged");
	fake_sip_report(f, SIP_CALL_ENDED, 200, "hung up");
	is_int(own_state("bob"), PRESENCE_AWAY, "bob's ends: away again");

	model_clear();
	is_int(set("offline", NULL), 0, "presence offline");
	ok(strstr(p->doc, "<basic>closed</basic>") != NULL, "published closed");
	ok(phone_dial("dave", "alice", &cause) == 0, "alice dials again");
	fake_loop_run();
	is_int(own_state("alice"), PRESENCE_OFFLINE,
	    "offline stays offline through a call");
	ok(strstr(p->doc, "on-the-phone") == NULL, "nothing about the call leaks");
	fake_sip_report(fake_sip_call(3), SIP_CALL_ENDED, 486, "Busy Here");
	stop();
}

static void
test_failures(void)
{
	struct fake_sip_pub	*p;

	start();
	p = fake_sip_pub_last();
	model_clear();
	fake_sip_pub_report(p, SIP_PUB_FAILED, 405, "the server does not take PUBLISH");
	ok(model_logged("account alice: presence not published: the server "
	    "does not take PUBLISH (405 Error); peers that subscribe to us "
	    "directly still see it"), "a 405 is said in words");
	is_int(fake_sip_pubs_live(), 0, "the publication is freed");
	fake_loop_advance(120000);
	is_int(fake_sip_count("pub new alice"), 1, "and never tried again");
	set("busy", NULL);
	is_int(fake_sip_count("pub new alice"), 2, "until the user sets a state");
	p = fake_sip_pub_last();

	model_clear();
	fake_sip_pub_report(p, SIP_PUB_FAILED, 503, "the server is unavailable");
	ok(model_logged("trying again in 4 s"), "a 503 is tried again in 4 s");
	fake_loop_advance(3900);
	is_int(fake_sip_count("pub new alice"), 2, "not before");
	fake_loop_advance(200);
	is_int(fake_sip_count("pub new alice"), 3, "then a new publication");
	p = fake_sip_pub_last();
	ok(p != NULL && strstr(p->doc, "on-the-phone") != NULL,
	    "of the state as it is now");
	model_clear();
	fake_sip_pub_report(p, SIP_PUB_FAILED, 503, "the server is unavailable");
	ok(!model_logged("presence not published"),
	    "the same failure again is not logged again");
	fake_loop_advance(4100);
	is_int(fake_sip_count("pub new alice"), 3, "the backoff doubles");
	fake_loop_advance(4000);
	is_int(fake_sip_count("pub new alice"), 4, "8 s");
	p = fake_sip_pub_last();
	fake_sip_pub_report(p, SIP_PUB_FAILED, 503, "the server is unavailable");
	is_int(fake_sip_pubs_live(), 0, "each failed one freed");
	stop();
}

static void
test_watchers(void)
{
	int	 w1, w2;

	start();
	w1 = fake_sip_pres_new("bob", "\"W\" <sip:w@example.com>");
	is_int(fake_sip_count("serve 1 2"), 1, "a peer watching bob is served bob's");
	ok(strstr(fake_sip_pres_doc, "<basic>open</basic>") != NULL &&
	    strstr(fake_sip_pres_doc, "sip:bob@example.com") != NULL,
	    "with his document");
	ok(model_logged("\"W\" <sip:w@example.com> watches the presence of bob"),
	    "logged");
	w2 = fake_sip_pres_new("alice", "<sip:v@example.com>");
	is_int(fake_sip_count("serve 2 1"), 1, "one watching alice, alice's");
	set("busy", "meeting");
	is_int(fake_sip_count("notify 1"), 1, "a change is notified to bob's watcher");
	is_int(fake_sip_count("notify 2"), 1, "and to alice's");
	ok(strstr(fake_sip_pres_doc, "on-the-phone") != NULL, "saying busy");
	fake_sip_pres_ended(w2);
	ok(model_logged("no longer watches the presence of alice"),
	    "an un-SUBSCRIBE is logged");
	set("online", NULL);
	is_int(fake_sip_count("notify 2"), 1, "and that watcher is left alone");
	is_int(fake_sip_count("notify 1"), 2, "the other is not");

	/* quit: watchers ended with offline, the publication removed */
	model_clear();
	fake_sip_pub_report(fake_sip_pub_last(), SIP_PUB_OK, 200, NULL);
	phone_quit();
	fake_loop_run();
	is_int(fake_sip_count("end 1"), 1, "quit ends the watcher");
	ok(strstr(fake_sip_pres_doc, "<basic>closed</basic>") != NULL,
	    "saying offline");
	is_int(fake_sip_count("unpublish alice"), 1, "and removes the publication");
	is_int(own_state("alice"), PRESENCE_OFFLINE, "alice shows offline");
	is_int(own_state("bob"), PRESENCE_OFFLINE, "bob (watched) too");
	is_int(set("online", NULL), -1, "no presence while quitting");
	is_int(fake_sip_shutdowns, 0, "the stack waits for them");
	fake_sip_pub_report(fake_sip_pub_last(), SIP_PUB_REMOVED, 200, NULL);
	is_int(fake_sip_shutdowns, 0, "still for the watcher");
	fake_sip_pres_ended(w1);
	is_int(fake_sip_shutdowns, 1, "then the stack shuts down");
	is_int(fake_loop_breaks, 1, "and the loop is left");
	ok(!model_logged("did not answer"), "nothing was abandoned");
	stop();
	fake_sip_shutdowns = 0;

	/* a server that never answers the removal costs the bound */
	start();
	fake_sip_pub_report(fake_sip_pub_last(), SIP_PUB_OK, 200, NULL);
	phone_quit();
	fake_loop_run();
	is_int(fake_sip_shutdowns, 0, "quit waits for the removal");
	fake_loop_advance(PHONE_UNREG_WAIT + 10);
	ok(model_logged("did not answer the removal of our presence"),
	    "not answered in time: said");
	is_int(fake_sip_shutdowns, 1, "and the stack shuts down anyway");
	stop();
	fake_sip_shutdowns = 0;

	/* nothing out: quit does not wait */
	start();
	fake_sip_pub_report(fake_sip_pub_last(), SIP_PUB_FAILED, 489, "no presence");
	phone_quit();
	fake_loop_run();
	is_int(fake_sip_count("unpublish"), 0, "nothing published: nothing removed");
	is_int(fake_sip_shutdowns, 1, "quit goes straight on");
	stop();
	fake_sip_shutdowns = 0;
}

int
main(void)
{
	conf_init();
	test_start_and_set();
	test_calls();
	test_failures();
	test_watchers();
	conf_done();
	(void)acct;
	return done_testing();
}
