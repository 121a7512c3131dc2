/*
 * test-account.c: the registration model (account.c) against a fake SIP
 * layer and a manual clock: attempts, results, the backoff and its cap,
 * Retry-After, a failure logged once however often retries fail the same
 * way, a secret that cannot be had, unregistering (answered, unanswered,
 * late answers), and matching a request to an account.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "fakes.h"
#include "model.h"
#include "tap.h"

static const struct event_registration *
reg(void)
{
	const struct event	*ev = model_last(EVENT_REGISTRATION);

	return ev != NULL ? &ev->u.reg : NULL;
}

static void
test_backoff(void)
{
	static const int want[] = { 4, 8, 16, 32, 60, 60, 60 };
	int	 i;

	for (i = 0; i < 7; i++)
		is_int(account_backoff(i + 1), want[i], "backoff after %d failures",
		    i + 1);
}

static void
test_register(void)
{
	struct conf_account	*ca = model_conf_account("alice",
	    "sip:alice@127.0.0.1", 1);
	struct account		*a = account_new(1, ca);
	struct fake_sip_reg	*r;
	int			 sends;

	account_register(a);
	r = fake_sip_reg_last();
	ok(r != NULL && r->sends == 1, "register sends a REGISTER");
	is_int(reg()->state, REG_REGISTERING, "registering");
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 300, 0);
	is_int(reg()->state, REG_REGISTERED, "registered");
	is_int(reg()->expires, 300, "with what the registrar granted");
	ok(model_logged("registered (expires in 300 s)"), "logged");
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 300, 0);
	is_int(a->state, REG_REGISTERED, "a refresh keeps it registered");

	/* The registrar goes away: failed, then retried with backoff. */
	fake_sip_reg_report(r, SIP_REG_FAILED, 503, "cannot reach the registrar",
	    0, 0);
	is_int(reg()->state, REG_FAILED, "a failure: failed");
	ok(strstr(reg()->reason, "cannot reach the registrar (503") != NULL,
	    "the reason in plain words, with the code");
	is_int(reg()->retry_in, 4, "the first retry in 4 s");
	is_int(fake_sip_regs_live(), 0, "the failed handle is freed");
	fake_loop_advance(3900);
	ok(fake_sip_reg_last() == NULL, "no retry before 4 s");
	fake_loop_advance(500);
	r = fake_sip_reg_last();
	ok(r != NULL && r->sends == 1, "retried after 4 s (+ jitter)");
	fake_sip_reg_report(r, SIP_REG_FAILED, 401, "wrong user name or password",
	    0, 0);
	is_int(reg()->retry_in, 8, "then 8 s: a wrong password is no tight loop");
	fake_loop_advance(8900);
	r = fake_sip_reg_last();
	fake_sip_reg_report(r, SIP_REG_FAILED, 503, NULL, 0, 45);
	is_int(reg()->retry_in, 45, "Retry-After is honoured");
	ok(strstr(reg()->reason, "503") != NULL, "a bare code is still shown");
	fake_loop_advance(50000);
	r = fake_sip_reg_last();
	fake_sip_reg_report(r, SIP_REG_FAILED, 503, NULL, 0, 600);
	is_int(reg()->retry_in, 60, "but capped at 60 s");

	/* The user asks: a fresh attempt at once, backoff reset. */
	account_register(a);
	r = fake_sip_reg_last();
	ok(r != NULL && r->sends == 1, "register retries at once");
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 600, 0);
	is_int(a->failures, 0, "success resets the backoff");
	sends = r->sends;
	account_register(a);
	is_int(r->sends, sends + 1, "register again refreshes on the same handle");
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 600, 0);

	/* Unregister: answered. */
	ok(account_unregister(a), "unregister waits for an answer");
	is_int(r->unsends, 1, "an un-REGISTER went out");
	ok(account_unregister(a), "asking twice waits for the same answer");
	is_int(r->unsends, 1, "and sends nothing more");
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 600, 0);
	is_int(a->state, REG_REGISTERED, "a late REGISTER answer changes nothing");
	fake_sip_reg_report(r, SIP_REG_UNREGISTERED, 200, NULL, 0, 0);
	is_int(reg()->state, REG_UNREGISTERED, "unregistered");
	ok(!a->unregistering && fake_sip_regs_live() == 0, "and the handle freed");
	ok(!account_unregister(a), "unregister when not bound: nothing to wait");

	/* Unregister: refused or unanswered. */
	account_register(a);
	r = fake_sip_reg_last();
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 600, 0);
	account_unregister(a);
	fake_sip_reg_report(r, SIP_REG_FAILED, 500, "server error", 0, 0);
	is_int(reg()->state, REG_UNREGISTERED, "a failed un-REGISTER: unregistered");
	ok(model_logged("unregister answered 500"), "and it says so");
	is_int(a->retry_in, 0, "with no retry");
	account_register(a);
	r = fake_sip_reg_last();
	fake_sip_reg_report(r, SIP_REG_OK, 200, NULL, 600, 0);
	account_unregister(a);
	account_abandon(a);
	ok(reg()->state == REG_UNREGISTERED && reg()->code == 408,
	    "abandoned: unregistered, 408");
	ok(model_logged("the binding will expire on its own"), "and says why");
	account_abandon(a);

	/* Quitting stops retries of an account that is not registered. */
	account_register(a);
	r = fake_sip_reg_last();
	fake_sip_reg_report(r, SIP_REG_FAILED, 503, NULL, 0, 0);
	account_stop_retry(a);
	fake_loop_advance(120000);
	ok(fake_sip_reg_last() == NULL, "no retry once stopped");

	/* A local failure: no handle. */
	fake_sip_fail_reg = true;
	account_register(a);
	ok(reg()->state == REG_FAILED && strstr(reg()->reason, "SIP handle"),
	    "a REGISTER that cannot be sent fails with the cause");
	account_unregister(a);

	account_emit(a);
	is_int(reg()->state, REG_UNREGISTERED, "emit shows the state");
	account_free(a);
	model_conf_account_free(ca);
}

/* How many log lines contain TEXT (since model_clear). */
static int
logged_count(const char *text)
{
	int	 i, n = 0;

	fake_loop_run();
	for (i = 0; i < model_nev; i++)
		n += model_ev[i].kind == EVENT_LOG &&
		    strstr(model_ev[i].u.log.text, text) != NULL;
	return n;
}

/* Fail the pending attempt of A with 503 WHY, then let the retry go. */
static void
fail_and_retry(struct account *a, const char *why)
{
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_FAILED, 503, why, 0, 0);
	fake_loop_advance((unsigned int)a->retry_in * 1100);
}

static void
test_retry_log(void)
{
	struct conf_account	*ca = model_conf_account("carol",
	    "sip:carol@127.0.0.1", 1);
	struct account		*a = account_new(7, ca);
	int			 i;

	fake_sip_fail_reg = false;
	model_clear();
	account_register(a);
	for (i = 0; i < 10; i++)
		fail_and_retry(a, "cannot reach the registrar");
	is_int(model_count(EVENT_REGISTRATION), 21,
	    "ten failed attempts and the retries: every one is an event");
	is_int(logged_count("registration failed"), 1,
	    "but the same failure is logged once");
	fail_and_retry(a, "no answer");
	fail_and_retry(a, "no answer");
	is_int(logged_count("registration failed: no answer"), 1,
	    "a new reason is logged, once");
	fail_and_retry(a, "cannot reach the registrar");
	is_int(logged_count("registration failed: cannot reach"), 2,
	    "and the old one again when it comes back");
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_OK, 200, NULL, 600, 0);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_FAILED, 503,
	    "cannot reach the registrar", 0, 0);
	is_int(logged_count("registration failed: cannot reach"), 3,
	    "after a success, the same failure is news");
	account_register(a);
	fake_sip_reg_report(fake_sip_reg_last(), SIP_REG_FAILED, 503,
	    "cannot reach the registrar", 0, 0);
	is_int(logged_count("registration failed: cannot reach"), 4,
	    "and when the user asks again");
	account_unregister(a);
	account_free(a);
	model_conf_account_free(ca);
}

static void
test_secret(void)
{
	struct conf_account	*ca = model_conf_account("bob",
	    "sip:bob@127.0.0.1", 1);
	struct account		*a;

	free(ca->password);
	ca->password = NULL;
	ca->password_cmd = "echo s3cret; echo more";
	a = account_new(2, ca);
	is_str(a->password, "s3cret", "password_cmd: the first line");
	account_free(a);
	ca->password_cmd = "exit 3";
	a = account_new(3, ca);
	ok(a->password == NULL && a->secret_error != NULL &&
	    strstr(a->secret_error, "exit status 3"), "a failing password_cmd");
	model_clear();
	account_register(a);
	ok(reg()->state == REG_FAILED && strstr(reg()->reason, "exit status 3"),
	    "fails the registration with its reason");
	is_int(reg()->retry_in, 0, "and no retry");
	ok(fake_sip_reg_last() == NULL, "no REGISTER was sent");
	account_free(a);
	ca->password_cmd = "true";
	a = account_new(4, ca);
	ok(a->secret_error != NULL && strstr(a->secret_error, "no password"),
	    "a password_cmd printing nothing");
	account_free(a);
	ca->password_cmd = "kill -9 $$";
	a = account_new(5, ca);
	ok(a->secret_error != NULL && strstr(a->secret_error, "signal"),
	    "a password_cmd killed by a signal");
	account_free(a);
	ca->password_cmd = NULL;
	ca->ha1 = "0123456789abcdef0123456789abcdef";
	a = account_new(6, ca);
	ok(a->cred.ha1 != NULL && a->cred.password == NULL,
	    "an ha1 is used as it is");
	account_free(a);
	ca->ha1 = NULL;
	model_conf_account_free(ca);
}

static void
test_match(void)
{
	struct conf_account	*c1 = model_conf_account("alice",
	    "sip:alice@example.com", 0);
	struct conf_account	*c2 = model_conf_account("bob",
	    "sip:bob@example.com", 0);
	struct account		*a1 = account_new(1, c1), *a2 = account_new(2, c2);

	a1->next = a2;
	ok(account_match(a1, "bob", NULL) == a2, "by the Request-URI user");
	ok(account_match(a1, "bob=3f8a", NULL) == a2,
	    "with Sofia's contact token");
	ok(account_match(a1, "bobby", NULL) == a1,
	    "a longer user is not a match (the first account takes it)");
	ok(account_match(a1, "+4930123", "bob") == a2, "else by the To user");
	ok(account_match(a1, "bob=x", "bob=x") == a2, "token only in the R-URI");
	ok(account_match(a1, NULL, NULL) == a1, "else the first account");
	ok(account_match(NULL, "bob", NULL) == NULL, "no accounts: none");
	ok(account_find(a1, "bob") == a2 && account_find(a1, "carol") == NULL,
	    "find by name");
	a1->next = NULL;
	account_free(a1);
	account_free(a2);
	account_free(NULL);
	model_conf_account_free(c1);
	model_conf_account_free(c2);
}

int
main(void)
{
	model_start_recording();
	test_backoff();
	test_register();
	test_retry_log();
	test_secret();
	test_match();
	fake_loop_run();
	free(model_ev);
	return done_testing();
}
