/*
 * main.c: the command line (tsphone(1)), start-up order and exit status.
 *
 * Order matters: the configuration is loaded and checked before anything
 * touches the network; the front end is up before the core starts so
 * that no event is lost; the log file is open before Sofia can say a word.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "contacts.h"
#include "event.h"
#include "hook.h"
#include "history.h"
#include "line.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "messages-store.h"
#include "phone.h"
#include "trace.h"
#include "tui.h"
#include "util.h"

#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

static void
usage(FILE *f)
{
	fputs("usage: tsphone [-f FILE] [-a ACCOUNT] [--line] [--check-config] "
	    "[--init-config]\n"
	    "               [--list-devices] [--dump-keys] [--log FILE] [--trace]"
	    " [-v] [-h] [-V]\n"
	    "               [TARGET]\n", f);
}

static void
help(void)
{
	usage(stdout);
	fputs("\n"
	    "  -f, --config FILE  configuration file\n"
	    "                     (default $XDG_CONFIG_HOME/tsphone/tsphone.conf)\n"
	    "  -a, --account NAME account for outgoing calls\n"
	    "      --line         line mode: commands on stdin, JSON events on stdout\n"
	    "      --check-config check the configuration and exit\n"
	    "      --init-config  write a commented configuration template\n"
	    "      --list-devices list the audio devices and exit\n"
	    "      --dump-keys    print the keys of the full-screen interface "
	    "and exit\n"
	    "      --log FILE     log file (default $XDG_STATE_HOME/tsphone/tsphone.log)\n"
	    "      --trace        write SIP messages to the log\n"
	    "  -v, --verbose      debug messages in the log\n"
	    "  -h, --help         this help\n"
	    "  -V, --version      print the version\n"
	    "  TARGET             a URI or number to call once registered\n"
	    "\nSee tsphone(1) and tsphone.conf(5).\n", stdout);
}

static void
main_quit_signal(int sig, void *arg)
{
	static int	 count;

	(void)arg;
	/* A second interrupt while quitting means: now (with the terminal
	 * given back first). */
	if (++count > 1) {
		log_warn("second signal %d: exiting at once", sig);
		tui_stop();
		_exit(EXIT_RUNTIME);
	}
	log_info("signal %d: quitting", sig);
	phone_quit();
}

/*
 * Passwords, HA1s and SRTP keys live in this process's memory: it makes
 * no core dumps (a crash report would carry them to disk).
 */
static void
main_no_core_dumps(void)
{
	struct rlimit	 rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

/*
 * Sofia's default epoll port refuses to watch a regular file or
 * /dev/null (EPERM), which is what standard input is under CI and in
 * scripts; the poll port accepts them. Decide before the loop exists.
 */
static void
main_choose_port(void)
{
	struct stat	 st;

	if (fstat(STDIN_FILENO, &st) != 0)
		return;
	if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(STDIN_FILENO)) ||
	    S_ISDIR(st.st_mode))
		setenv("SU_PORT", "poll", 1);
}

/*
 * --check-config reads the contacts too: their errors are printed like
 * the configuration's, but never fail the check, as they never stop the
 * phone (the bad lines are skipped).
 */
static void
main_check_contacts(const struct conf *conf)
{
	struct contacts	*cs;
	char		*dir;
	int		 i;

	if ((dir = contacts_dir_for(conf->path)) == NULL)
		return;
	cs = contacts_new();
	contacts_read_dir(cs, dir);
	for (i = 0; i < cs->nerrors; i++)
		fprintf(stderr, "%s\n", cs->errors[i]);
	if (cs->n > 0 || cs->nerrors > 0)
		printf("%s: %d contact%s, %d error%s\n", dir, cs->n,
		    cs->n == 1 ? "" : "s", cs->nerrors,
		    cs->nerrors == 1 ? "" : "s");
	contacts_free(cs);
	free(dir);
}

int
main(int argc, char **argv)
{
	enum {
		OPT_LINE = 256, OPT_CHECK, OPT_INIT, OPT_LOG, OPT_TRACE,
		OPT_DEVICES, OPT_DUMP_KEYS,
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "account", required_argument, NULL, 'a' },
		{ "line", no_argument, NULL, OPT_LINE },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "init-config", no_argument, NULL, OPT_INIT },
		{ "list-devices", no_argument, NULL, OPT_DEVICES },
		{ "dump-keys", no_argument, NULL, OPT_DUMP_KEYS },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct phone_opts	 opts = { 0 };
	struct conf		*conf = NULL;
	struct conf_error	*errs = NULL;
	char			*path = NULL, *log_path = NULL, *cause = NULL;
	bool			 line = false, check = false, init = false;
	bool			 explicit_path = false, verbose = false;
	bool			 devices = false, dump_keys = false;
	int			 c, rc, status = 0;

	/*
	 * One malloc arena for every thread: glibc gives each thread that
	 * allocates an arena of its own (DNS lookups, the media thread when a
	 * peer switches codec), each holding its pages for good, and a phone
	 * does too little allocation for the lock to be contended.
	 */
	mallopt(M_ARENA_MAX, 1);

	while ((c = getopt_long(argc, argv, "f:a:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			free(path);
			path = xstrdup(optarg);
			explicit_path = true;
			break;
		case 'a':
			opts.default_account = optarg;
			break;
		case OPT_LINE:
			line = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_INIT:
			init = true;
			break;
		case OPT_DEVICES:
			devices = true;
			break;
		case OPT_DUMP_KEYS:
			dump_keys = true;
			break;
		case OPT_LOG:
			free(log_path);
			log_path = xstrdup(optarg);
			break;
		case OPT_TRACE:
			opts.trace = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("%s\n", PACKAGE_STRING);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		opts.target = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "tsphone: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (devices) {
		if (media_list_devices(stdout, &cause) != 0) {
			fprintf(stderr, "tsphone: %s\n", cause);
			free(cause);
			return EXIT_RUNTIME;
		}
		return 0;
	}
	if (path == NULL)
		path = conf_default_path();
	main_no_core_dumps();

	if (init) {
		if (conf_write_template(path, &cause) != 0) {
			fprintf(stderr, "tsphone: %s\n", cause);
			status = EXIT_RUNTIME;
		} else
			printf("tsphone: wrote %s\n", path);
		goto out;
	}

	rc = conf_load(path, &conf, &errs);
	if (rc == -ENOENT && !explicit_path) {
		conf = conf_default();
		if (check) {
			printf("tsphone: %s does not exist; the embedded default "
			    "would be used\n", path);
			goto out;
		}
	} else if (rc == -ENOENT) {
		fprintf(stderr, "%s: no such file\n", path);
		status = EXIT_USAGE;
		goto out;
	} else if (rc != 0) {
		conf_errors_print(errs, stderr);
		status = EXIT_USAGE;
		goto out;
	}
	if (opts.default_account != NULL &&
	    conf_find_account(conf, opts.default_account) == NULL) {
		fprintf(stderr, "tsphone: -a: no account \"%s\" in %s\n",
		    opts.default_account, conf->path != NULL ? conf->path :
		    "the embedded default");
		status = EXIT_USAGE;
		goto out;
	}
	if (check) {
		printf("%s: OK (%d account%s)\n", path, conf->naccounts,
		    conf->naccounts == 1 ? "" : "s");
		main_check_contacts(conf);
		goto out;
	}
	if (dump_keys) {
		tui_keys_dump(stdout, conf);
		goto out;
	}

	if (log_path == NULL)
		log_path = log_default_path();
	if (log_open(log_path, &cause) != 0) {
		fprintf(stderr, "tsphone: cannot open the log: %s\n", cause);
		status = EXIT_RUNTIME;
		goto out;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	log_set_trace(opts.trace);
	if (!line && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fputs("tsphone: not a terminal; running in line mode "
		    "(--line says so)\n", stderr);
		line = true;
	}
	/* The trace view wants the SIP messages; only curses shows them. */
	if (!line)
		trace_enable(true);
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	signal(SIGPIPE, SIG_IGN);

	main_choose_port();
	if (loop_init(&cause) != 0) {
		fprintf(stderr, "tsphone: %s\n", cause);
		status = EXIT_RUNTIME;
		goto out;
	}
	loop_signal(SIGINT, main_quit_signal, NULL);
	loop_signal(SIGTERM, main_quit_signal, NULL);
	loop_signal(SIGHUP, main_quit_signal, NULL);
	/*
	 * The history joins the bus before the front ends, so each call's row
	 * is committed before any of them shows the call. Without it the
	 * phone still works; the front ends are told why (the event waits in
	 * the queue until they have joined).
	 */
	if (history_open(NULL, &cause) != 0) {
		log_warn("history: %s", cause);
		event_error("history", "%s", cause);
		free(cause);
		cause = NULL;
	}
	/* The messages likewise: written before they are shown. */
	if (messages_store_open(NULL, &cause) != 0) {
		log_warn("messages: %s", cause);
		event_error("messages", "%s", cause);
		free(cause);
		cause = NULL;
	}
	if (!line && tui_start(conf, log_path, &cause) != 0) {
		fprintf(stderr, "tsphone: %s; running in line mode\n", cause);
		free(cause);
		cause = NULL;
		trace_enable(false);
		line = true;
	}
	if (line && (rc = line_start()) != 0) {
		fprintf(stderr, "tsphone: cannot read standard input: %s\n",
		    strerror(-rc));
		status = EXIT_RUNTIME;
		goto out_loop;
	}
	log_info("%s starting with %s", PACKAGE_STRING,
	    conf->path != NULL ? conf->path : "the embedded default configuration");
	rc = hook_start(conf, &cause);
	if (rc == 0)
		rc = phone_start(conf, &opts, &cause);
	if (rc != 0) {
		log_error("%s", cause);
		tui_stop();	/* so that the message reaches the terminal */
		fprintf(stderr, "tsphone: %s\n", cause);
		status = EXIT_RUNTIME;
	} else {
		loop_run();
		status = phone_exit_status();
	}
	phone_free();
	event_flush();
	hook_stop();
	if (line)
		line_stop();
	else
		tui_stop();
	trace_clear();
out_loop:
	messages_store_close();
	history_close();
	loop_free();
	log_close();
out:
	conf_free(conf);
	conf_errors_free(errs);
	free(cause);
	free(path);
	free(log_path);
	return status;
}
