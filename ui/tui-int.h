/*
 * tui-int.h: what the tui-*.c files share: the model of accounts, calls
 * and log built from core events, the key bindings, the prompt and the
 * drawing helpers. This is the only header under ui/ that includes
 * curses (STYLE.md); the core is reached through event.h and cmd.h,
 * and the history and messages views read the store through history.h
 * and messages-store.h (queries only: a screenful of a long history,
 * never copied here).
 */
#ifndef TSP_TUI_INT_H
#define TSP_TUI_INT_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1	/* the wide-character curses calls */
#endif
#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "event.h"

struct cmd_entry;
struct conf;

#define TUI_MAX_ACCOUNTS	32
#define TUI_MAX_CALLS		32
#define TUI_MAX_BINDINGS	64
#define TUI_LOG_LINES		1000
#define TUI_PROMPT_MAX		4096	/* characters on the input line (a
					   message is typed there) */
#define TUI_HISTORY_MAX		100
#define TUI_URIS_MAX		64
#define TUI_PROMPT_CANDIDATES	128	/* completions of one word */
#define TUI_BELL_MS		3000	/* the bell repeats while a call rings */
#define TUI_MESSAGE_MS		10000	/* how long a message line stays */
#define TUI_MAX_PRESENCE	64	/* watched addresses remembered */

struct tui_account {
	char		 name[EVENT_NAME_MAX];
	enum reg_state	 state;
	int		 code;
	char		 reason[EVENT_TEXT_MAX];
	int		 expires;	/* seconds granted, at at_ms */
	int		 retry_in;	/* seconds to the next attempt, at at_ms */
	uint64_t	 at_ms;		/* when the event came */
	bool		 is_default;	/* dial's account: marked '*' */
	bool		 mwi_known;	/* a voicemail notice came */
	struct event_mwi mwi;		/* the last one */
	bool		 dnd;		/* do not disturb in effect */
	char		 forward[EVENT_TEXT_MAX];	/* or "" */
	bool		 own_known;	/* an own presence event came */
	enum presence_state own;	/* what the account shows */
	char		 own_note[EVENT_TEXT_MAX];
};

struct tui_call {
	int		 id;
	char		 account[EVENT_NAME_MAX];
	bool		 outgoing;
	char		 remote[EVENT_TEXT_MAX];
	char		 display[EVENT_TEXT_MAX];	/* contact or SIP name */
	char		 call_id[EVENT_CALL_ID_MAX];
	enum call_state	 state;
	int		 code;
	char		 reason[EVENT_TEXT_MAX];
	bool		 held_by_remote;
	bool		 muted;
	bool		 current;
	bool		 conference;	/* in our local 3-way conference */
	enum transfer_state transfer;	/* our REFER on it */
	int		 replaces;	/* the call it replaces, or 0 */
	char		 refer_to[EVENT_TEXT_MAX];	/* asked of us */
	uint64_t	 started_ms;	/* when it rang in or was dialled */
	uint64_t	 answered_ms;	/* 0 before answer */
	uint64_t	 ended_ms;	/* 0 while the call is up; the row
					   stays until cleared */
	uint64_t	 bell_ms;	/* last bell while it rings */
	enum call_outcome outcome;	/* once ended */
	char		 codec[32];
	bool		 srtp;
	bool		 recording;
	bool		 have_stats;
	unsigned long	 rx_packets;
	long		 lost;
	double		 jitter_ms;
	double		 rtt_ms;	/* < 0: not measured yet */
	double		 mos;		/* 0: none yet */
};

/* A watched address's presence, from "presence" events (own false). */
struct tui_presence {
	char			 uri[EVENT_TEXT_MAX];
	enum presence_state	 state;
	char			 note[EVENT_TEXT_MAX];
};

enum tui_line_kind {
	TUI_LINE_INFO,
	TUI_LINE_WARN,
	TUI_LINE_ERROR,
};

struct tui_line {
	char			 when[9];	/* HH:MM:SS */
	enum tui_line_kind	 kind;
	char			 text[EVENT_TEXT_MAX];
};

struct tui_binding {
	int			 key;	/* key-string.h */
	const struct cmd_entry	*ce;
};

struct tui_prompt {
	bool		 active;
	wchar_t		 buf[TUI_PROMPT_MAX + 1];
	size_t		 len;
	size_t		 pos;		/* cursor, in characters */
	int		 hist;		/* history entry shown; nhistory: none */
	wchar_t		 saved[TUI_PROMPT_MAX + 1];	/* line before browsing */
	char		*history[TUI_HISTORY_MAX];	/* oldest first */
	int		 nhistory;
	char		*uris[TUI_URIS_MAX];	/* dialled and seen, newest first */
	int		 nuris;
	/*
	 * Tab cycling through candidates that share no prefix (contact
	 * names matched anywhere): the line as typed, which the candidates
	 * are still computed from, and the one Tab put in last (-1: none).
	 * Any other key ends it.
	 */
	bool		 cycling;
	wchar_t		 cycle_buf[TUI_PROMPT_MAX + 1];
	size_t		 cycle_len;
	size_t		 cycle_pos;
	int		 cycle_sel;
};

enum tui_view {
	TUI_VIEW_LOG,
	TUI_VIEW_TRACE,
	TUI_VIEW_HISTORY,
	TUI_VIEW_MESSAGES,
};

/* Looks, mapped to colour or (monochrome, NO_COLOR) to attributes. */
enum tui_style {
	TUI_S_NORMAL,
	TUI_S_BAR,		/* title and key-hint bars */
	TUI_S_HEADING,		/* pane rules */
	TUI_S_GOOD,		/* registered, established */
	TUI_S_BUSY,		/* registering, calling, held */
	TUI_S_BAD,		/* failed, errors */
	TUI_S_RING,		/* an incoming call */
	TUI_S_CURRENT,		/* the current call */
	TUI_S_DIM,		/* ended calls, timestamps */
	TUI_S_KEY,		/* key names in hints */
};

/* The front end's whole state: one per process, like the terminal. */
struct tui {
	struct tui_account	 accounts[TUI_MAX_ACCOUNTS];
	int			 naccounts;
	struct tui_call		 calls[TUI_MAX_CALLS];	/* in id order */
	int			 ncalls;
	struct tui_call		 last_ended;	/* id 0 if none yet */
	struct tui_presence	 presence[TUI_MAX_PRESENCE];
	int			 npresence;
	struct tui_line		 log[TUI_LOG_LINES];	/* ring */
	int			 log_first;
	int			 log_count;

	enum tui_view		 view;
	int			 scroll;	/* lines back from the newest */
	long long		 hist_sel;	/* history view: selected, and */
	long long		 hist_top;	/* first shown, from the newest */
	char			 msg_peer[EVENT_TEXT_MAX];	/* messages view:
					   the open conversation, or "" */
	long long		 msg_sel;	/* conversations: selected, and */
	long long		 msg_top;	/* first shown, from the latest */
	long long		 msg_scroll;	/* messages back from the newest */
	bool			 help;
	int			 help_scroll;
	bool			 confirm_quit;
	char			 message[EVENT_TEXT_MAX];
	bool			 message_error;
	uint64_t		 message_ms;
	bool			 color;
	bool			 utf8;
	int			 rows;		/* of the last draw */
	int			 pane_rows;	/* lines of the log or trace pane */

	/* The meters of the call with the device, and the audio settings. */
	float			 mic_dbfs;
	float			 spk_dbfs;
	int			 in_volume;
	int			 out_volume;
	bool			 echotest;

	struct tui_binding	 bindings[TUI_MAX_BINDINGS];
	int			 nbindings;
	struct tui_prompt	 prompt;
};

extern struct tui	 tui;

/* tui.c */
void		 tui_changed(void);
void		 tui_message(bool error, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 tui_run(const char *line);
void		 tui_quit(void);

/* tui-calls.c */
void		 tui_calls_meter(float dbfs, char *buf, size_t len);

/* tui-model.c */
void		 tui_model_event(const struct event *);
bool		 tui_model_tick(uint64_t now_ms);
void		 tui_model_log(enum tui_line_kind, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
const struct tui_line *tui_model_line(int i);
struct tui_call	*tui_model_current(void);
struct tui_call	*tui_model_ringing(void);
int		 tui_model_live_calls(void);
/* "DND", "FWD→target" and the like for the title line, "" when calls
 * ring as usual; UTF8: the arrow may be "→", else "->". */
void		 tui_model_divert(char *buf, size_t len, bool utf8);
int		 tui_model_ended_calls(void);
int		 tui_model_clear_ended(bool missed);
/* The name (the call's display name: its contact's, else the remote's)
 * and URI to show for call C. */
void		 tui_model_call_party(const struct tui_call *c, char *name,
		    size_t nlen, char *uri, size_t ulen);
void		 tui_model_party(const char *remote, char *name, size_t nlen,
		    char *uri, size_t ulen);
/* The presence of REMOTE (a call's remote, or a URI) if it is watched
 * and known (not "unknown"), else NULL: same user, host ignoring case. */
const struct tui_presence *tui_model_presence(const char *remote);

/* tui-draw.c */
void		 tui_draw_init(void);
void		 tui_draw(void);
attr_t		 tui_draw_attr(enum tui_style);
int		 tui_draw_text(int y, int x, int width, const char *s, attr_t);
int		 tui_draw_width(const char *s);
int		 tui_draw_wrap_text(const char *text, int width, size_t *starts,
		    size_t *lens, int max);
size_t		 tui_draw_fit(const char *s, int width);
void		 tui_draw_fill(int y, int x, int width, attr_t);
void		 tui_draw_duration(long secs, char *buf, size_t len);

/* tui-calls.c */
#define TUI_CALLS_PARTY_MIN	12	/* columns the remote party keeps */
struct tui_calls_cols {
	int	 idw;		/* digits of the call ids */
	int	 party, partyw;	/* x and width of each column */
	int	 account, accountw;	/* width 0: one account, not shown */
	int	 state, statew;
	int	 timer, timerw;	/* right-aligned */
	int	 flags, flagsw;
	int	 codec, codecw;	/* width 0: not shown */
	int	 quality, qualityw;	/* width 0: not shown */
};
const char	*tui_calls_state(const struct tui_call *, enum tui_style *);
void		 tui_calls_flags(const struct tui_call *, char *buf, size_t);
char		 tui_calls_mark(const struct tui_call *);
long		 tui_calls_secs(const struct tui_call *, uint64_t now_ms);
void		 tui_calls_layout(int cols, const struct tui_call *, int n,
		    int naccounts, struct tui_calls_cols *);
void		 tui_calls_cut(const char *s, int width, char *buf, size_t);
int		 tui_calls_draw(int y, int cols, int rows);

/* tui-history.c */
void		 tui_history_toggle(void);
bool		 tui_history_key(int key);
void		 tui_history_title(char *buf, size_t len);
void		 tui_history_draw(int y, int rows, int cols);

/* tui-messages.c */
void		 tui_messages_toggle(void);
void		 tui_messages_open(const char *peer);
void		 tui_messages_event(const struct event_message *);
bool		 tui_messages_key(int key);
void		 tui_messages_title(char *buf, size_t len);
void		 tui_messages_draw(int y, int rows, int cols);

/* tui-hints.c */
struct tui_hint {
	const char	*name;		/* action or command bound to a key */
	const char	*fixed;		/* or a fixed key ("0-9*#") */
	const char	*label;
};
#define TUI_HINTS_MAX	12
int		 tui_hints_list(const struct tui_call *cur, int live, int ended,
		    enum tui_view, struct tui_hint *, int max);
void		 tui_hints_ring(const struct tui_call *, bool prompt, int cols,
		    char *buf, size_t len);
int		 tui_hints_extra(void);
void		 tui_hints_draw(int y, int cols);

/* tui-keys.c */
void		 tui_keys_init(const struct conf *);
int		 tui_keys_from_curses(int rc, wint_t ch);
void		 tui_keys_handle(int key);
const char	*tui_keys_for(const char *name, char *buf, size_t len);

/* tui-prompt.c */
void		 tui_prompt_open(const char *text);
void		 tui_prompt_key(int key);
void		 tui_prompt_draw(int y, int width);
void		 tui_prompt_remember(const char *line);
void		 tui_prompt_add_uri(const char *uri);
void		 tui_prompt_free(void);
int		 tui_prompt_selected(void);
/* *FROM: where the text the candidates would replace starts. */
int		 tui_prompt_matches(const char **match, char ids[][16],
		    char *cmd, size_t cmdlen, int *word, size_t *from);

#endif
