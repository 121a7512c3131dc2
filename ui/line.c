/*
 * line.c: line mode. Reads commands from standard input (a pipe, a file,
 * a terminal or /dev/null) and writes every core event as one JSON object
 * per line, flushed at once so scripts can react. End of input is quit.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "event.h"
#include "history.h"
#include "json.h"
#include "line.h"
#include "loop.h"
#include "phone.h"
#include "util.h"

#define LINE_MAX_INPUT	(64 * 1024)	/* longer lines are refused */

static int	 line_fd_id;
static int	 line_observer;
static char	*line_buf;
static size_t	 line_len;
static bool	 line_overlong;
static struct json line_json;

static void
line_event(const struct event *ev, void *arg)
{
	struct json	*j = &line_json;

	(void)arg;
	json_begin(j);
	switch (ev->kind) {
	case EVENT_REGISTRATION:
		json_str(j, "event", "registration");
		json_str(j, "account", ev->u.reg.account);
		json_str(j, "state", event_reg_state_name(ev->u.reg.state));
		json_int(j, "code", ev->u.reg.code);
		json_str(j, "reason", ev->u.reg.reason);
		json_int(j, "expires", ev->u.reg.expires);
		json_int(j, "retry_in", ev->u.reg.retry_in);
		json_bool(j, "default", ev->u.reg.is_default);
		json_bool(j, "dnd", ev->u.reg.dnd);
		json_str(j, "forward", ev->u.reg.forward);
		break;
	case EVENT_CALL:
		json_str(j, "event", "call");
		json_int(j, "id", ev->u.call.id);
		json_str(j, "account", ev->u.call.account);
		json_str(j, "direction", ev->u.call.outgoing ? "out" : "in");
		json_str(j, "remote", ev->u.call.remote);
		json_str(j, "state", event_call_state_name(ev->u.call.state));
		json_int(j, "code", ev->u.call.code);
		json_str(j, "reason", ev->u.call.reason);
		json_bool(j, "held_by_remote", ev->u.call.held_by_remote);
		json_bool(j, "muted", ev->u.call.muted);
		json_bool(j, "recording", ev->u.call.recording);
		json_bool(j, "current", ev->u.call.current);
		json_int(j, "duration", ev->u.call.duration);
		json_str(j, "call_id", ev->u.call.call_id);
		json_str(j, "transfer",
		    event_transfer_state_name(ev->u.call.transfer));
		json_bool(j, "conference", ev->u.call.conference);
		json_int(j, "replaces", ev->u.call.replaces);
		json_str(j, "refer_to", ev->u.call.refer_to);
		json_str(j, "display", ev->u.call.display);
		if (ev->u.call.state == CALL_TERMINATED)
			json_str(j, "outcome",
			    event_call_outcome_name(ev->u.call.outcome));
		break;
	case EVENT_MEDIA:
		json_str(j, "event", "media");
		json_int(j, "id", ev->u.media.id);
		json_str(j, "codec", ev->u.media.codec);
		json_int(j, "clock_rate", ev->u.media.clock_rate);
		json_bool(j, "srtp", ev->u.media.srtp);
		json_str(j, "local", ev->u.media.local);
		json_str(j, "remote", ev->u.media.remote);
		json_str(j, "direction", ev->u.media.direction);
		break;
	case EVENT_DTMF: {
		char	 digit[2] = { ev->u.dtmf.digit, '\0' };

		json_str(j, "event", "dtmf");
		json_int(j, "id", ev->u.dtmf.id);
		json_str(j, "digit", digit);
		json_str(j, "method", ev->u.dtmf.info ? "info" : "rfc4733");
		json_str(j, "direction", ev->u.dtmf.outgoing ? "out" : "in");
		break;
	}
	case EVENT_STATS:
		json_str(j, "event", "stats");
		json_int(j, "id", ev->u.stats.id);
		json_int(j, "rx_packets", (long)ev->u.stats.rx_packets);
		json_int(j, "tx_packets", (long)ev->u.stats.tx_packets);
		json_int(j, "lost", ev->u.stats.lost);
		json_num(j, "jitter_ms", ev->u.stats.jitter_ms);
		if (ev->u.stats.rtt_ms >= 0)
			json_num(j, "rtt_ms", ev->u.stats.rtt_ms);
		else
			json_null(j, "rtt_ms");
		json_num(j, "jbuf_ms", ev->u.stats.jbuf_ms);
		json_int(j, "srtp_dropped", (long)ev->u.stats.srtp_dropped);
		json_num(j, "mos", ev->u.stats.mos);
		json_num(j, "in_level_dbfs", ev->u.stats.in_level_dbfs);
		json_num(j, "out_level_dbfs", ev->u.stats.out_level_dbfs);
		json_int(j, "concealed", (long)ev->u.stats.concealed);
		json_int(j, "stranger_dropped",
		    (long)ev->u.stats.stranger_dropped);
		json_int(j, "keepalives", (long)ev->u.stats.keepalives);
		break;
	case EVENT_ERROR:
		json_str(j, "event", "error");
		json_str(j, "command", ev->u.error.command);
		json_str(j, "message", ev->u.error.message);
		break;
	case EVENT_LOG:
		json_str(j, "event", "log");
		json_str(j, "level", event_log_level_name(ev->u.log.level));
		json_str(j, "text", ev->u.log.text);
		break;
	case EVENT_TRANSFER:
		json_str(j, "event", "transfer");
		json_int(j, "id", ev->u.transfer.id);
		json_str(j, "state",
		    event_transfer_state_name(ev->u.transfer.state));
		json_int(j, "code", ev->u.transfer.code);
		json_str(j, "reason", ev->u.transfer.reason);
		break;
	case EVENT_MESSAGE:
		json_str(j, "event", "message");
		json_str(j, "account", ev->u.message.account);
		json_str(j, "direction", ev->u.message.outgoing ? "out" : "in");
		json_str(j, "peer", ev->u.message.peer);
		json_str(j, "text", ev->u.message.text);
		json_str(j, "state",
		    event_message_state_name(ev->u.message.state));
		json_int(j, "code", ev->u.message.code);
		json_str(j, "reason", ev->u.message.reason);
		break;
	case EVENT_MWI:
		json_str(j, "event", "mwi");
		json_str(j, "account", ev->u.mwi.account);
		json_bool(j, "waiting", ev->u.mwi.waiting);
		json_int(j, "new", ev->u.mwi.new_msgs);
		json_int(j, "old", ev->u.mwi.old_msgs);
		break;
	case EVENT_STATUS:
		json_str(j, "event", "status");
		json_int(j, "accounts", ev->u.status.accounts);
		json_int(j, "calls", ev->u.status.calls);
		json_int(j, "handles", ev->u.status.handles);
		json_bool(j, "dnd", ev->u.status.dnd);
		json_str(j, "forward", ev->u.status.forward);
		json_int(j, "missed", ev->u.status.missed);
		json_str(j, "presence",
		    event_presence_state_name(ev->u.status.presence));
		break;
	case EVENT_CONTACT:
		json_str(j, "event", "contact");
		json_str(j, "name", ev->u.contact.name);
		json_str(j, "uri", ev->u.contact.uri);
		json_str(j, "presence", ev->u.contact.presence);
		break;
	case EVENT_HISTORY: {
		char	 when[40];

		history_time(ev->u.history.time, when, sizeof when);
		json_str(j, "event", "history");
		json_int(j, "n", (long)ev->u.history.n);
		json_str(j, "time", when);
		json_str(j, "direction", ev->u.history.outgoing ? "out" : "in");
		json_str(j, "remote", ev->u.history.remote);
		json_str(j, "display", ev->u.history.display);
		json_str(j, "account", ev->u.history.account);
		json_str(j, "outcome",
		    event_call_outcome_name(ev->u.history.outcome));
		json_int(j, "code", ev->u.history.code);
		json_int(j, "duration", ev->u.history.duration);
		break;
	}
	case EVENT_PRESENCE:
		json_str(j, "event", "presence");
		json_str(j, "account", ev->u.presence.account);
		json_str(j, "uri", ev->u.presence.uri);
		json_str(j, "state",
		    event_presence_state_name(ev->u.presence.state));
		json_str(j, "note", ev->u.presence.note);
		json_bool(j, "own", ev->u.presence.own);
		break;
	case EVENT_AUDIO:
		json_str(j, "event", "audio");
		json_int(j, "in_volume", ev->u.audio.in_volume);
		json_int(j, "out_volume", ev->u.audio.out_volume);
		json_bool(j, "echotest", ev->u.audio.echotest);
		json_str(j, "input", ev->u.audio.input);
		json_str(j, "output", ev->u.audio.output);
		break;
	}
	fputs(json_end(j), stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

static void
line_input(int fd, void *arg)
{
	char	 chunk[4096], *nl, *start;
	ssize_t	 n;
	size_t	 rest;

	(void)arg;
	n = read(fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* End of input is quit; a last unterminated line runs first. */
		loop_fd_remove(line_fd_id);
		line_fd_id = 0;
		if (line_len > 0 && !line_overlong) {
			line_buf[line_len] = '\0';
			cmd_execute(line_buf);
		}
		line_len = 0;
		phone_quit();
		return;
	}
	start = chunk;
	rest = (size_t)n;
	while (rest > 0) {
		size_t	 take;

		nl = memchr(start, '\n', rest);
		take = nl != NULL ? (size_t)(nl - start) : rest;
		if (line_len + take > LINE_MAX_INPUT)
			line_overlong = true;
		else {
			memcpy(line_buf + line_len, start, take);
			line_len += take;
		}
		if (nl == NULL)
			break;
		if (line_overlong)
			event_error("", "input line longer than %d bytes ignored",
			    LINE_MAX_INPUT);
		else {
			line_buf[line_len] = '\0';
			cmd_execute(line_buf);
		}
		line_len = 0;
		line_overlong = false;
		start = nl + 1;
		rest -= take + 1;
	}
}

int
line_start(void)
{
	int	 id;

	line_buf = xmalloc(LINE_MAX_INPUT + 1);
	line_observer = event_observe(line_event, NULL);
	id = loop_fd_add(STDIN_FILENO, line_input, NULL);
	if (id < 0)
		return id;
	line_fd_id = id;
	return 0;
}

void
line_stop(void)
{
	if (line_fd_id > 0)
		loop_fd_remove(line_fd_id);
	line_fd_id = 0;
	event_flush();		/* what the core said last still goes out */
	if (line_observer != 0)
		event_unobserve(line_observer);
	line_observer = 0;
	free(line_buf);
	line_buf = NULL;
	json_free(&line_json);
}
