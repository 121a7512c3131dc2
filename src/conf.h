/*
 * conf.h: the configuration file (tsphone.conf(5)): parsing, validation,
 * the embedded default, the template written by --init-config, and the
 * permission rule for files that hold secrets.
 *
 * The parser is table driven: one table lists every section and key with
 * its type, default and a one-line description, so the man page check and
 * --check-config see the same keys the parser accepts.
 */
#ifndef TSP_CONF_H
#define TSP_CONF_H

#include <stdbool.h>
#include <stdio.h>

enum conf_transport {
	CONF_TRANSPORT_UDP,
	CONF_TRANSPORT_TCP,
	CONF_TRANSPORT_TLS,
};

enum conf_srtp {
	CONF_SRTP_OFF,
	CONF_SRTP_OPTIONAL,
	CONF_SRTP_MANDATORY,
};

enum conf_dtmf {
	CONF_DTMF_RFC4733,
	CONF_DTMF_INFO,
};

/* What an incoming REFER (a transfer by the remote party) gets. */
enum conf_refer {
	CONF_REFER_ACCEPT,
	CONF_REFER_ASK,
	CONF_REFER_REFUSE,
};

enum conf_driver {
	CONF_DRIVER_PORTAUDIO,
	CONF_DRIVER_FILE,
	CONF_DRIVER_NULL,
};

enum conf_codec {
	CONF_CODEC_OPUS,
	CONF_CODEC_PCMU,
	CONF_CODEC_PCMA,
};
#define CONF_MAX_CODECS 3

struct conf_account {
	char			*name;		/* from [account NAME] */
	int			 line;		/* line of the section header */

	char			*uri;		/* required, sip: or sips: */
	char			*display_name;	/* NULL if unset */
	char			*username;	/* default: user part of uri */
	char			*password;	/* secret; NULL if unset */
	char			*password_cmd;	/* NULL if unset */
	char			*ha1;		/* secret, 32 lowercase hex; NULL if unset */
	char			*registrar;	/* default: sip:DOMAIN of uri */
	char			*proxy;		/* NULL if unset */
	enum conf_transport	 transport;	/* default udp */
	bool			 do_register;	/* default yes */
	int			 expires;	/* default 600, 10..86400 */
	int			 keepalive;	/* s between NAT keep-alives
						   while registered; 0 = none;
						   default 25 */
	enum conf_codec		 codecs[CONF_MAX_CODECS];
	int			 ncodecs;	/* default opus, pcmu, pcma */
	enum conf_dtmf		 dtmf;		/* default rfc4733 */
	enum conf_refer		 refer;		/* default accept */
	enum conf_srtp		 srtp;		/* default off */
	bool			 auto_answer;	/* default no */
	bool			 dnd;		/* do not disturb at start; no */
	char			*forward;	/* dial string calls are
						   forwarded to at start, or
						   NULL */
	bool			 presence;	/* PUBLISH our presence; no */
	bool			 mwi;		/* subscribe to message-summary;
						   default no */
	char			*mwi_uri;	/* ... there; NULL: the uri */
	char			*voicemail;	/* dial string of the mailbox,
						   or NULL */
	char			*stun_host;	/* [account] stun_server: host
						   (no brackets), or NULL */
	int			 stun_port;	/* its port (3478) */

	struct conf_account	*next;
};

/* One line of [keys]: a command or action and the key it gets. */
struct conf_binding {
	char			*name;		/* as in cmd_find_bindable() */
	int			 key;		/* key-string.h; KEYC_NONE unbinds */
	int			 line;
};

struct conf {
	char			*path;		/* NULL for the embedded default */

	/* [sip] */
	char			*listen_host;	/* default "0.0.0.0" */
	int			 listen_port;	/* default 5060; 0 = any */
	bool			 listen_auto;	/* embedded default: next free port if taken */
	char			*tls_listen_host; /* NULL if no TLS listener */
	int			 tls_listen_port;
	char			*user_agent;	/* default "tsphone/VERSION" */
	int			 ring_timeout;	/* s before 480; default 60 */
	int			 rtp_timeout;	/* s without RTP; 0 = never; 30 */
	int			 rtp_keepalive;	/* s without sending RTP before a
						   keep-alive; 0 = none; 15 */
	int			 session_expires; /* RFC 4028; 0 = off; 1800 */
	char			*tls_ca_file;	/* NULL: the system store */
	char			*tls_cert_file;	/* NULL: no certificate */
	char			*tls_key_file;
	bool			 tls_verify;	/* default yes */

	/* [audio] */
	enum conf_driver	 driver;	/* default portaudio */
	char			*input;		/* default "default" */
	char			*output;	/* default "default" */
	char			*ring;		/* default "default" */
	int			 rate;		/* device rate asked, Hz; 48000 */
	int			 period;	/* device period, ms: 10 or 20 */
	bool			 aec;		/* default: yes with portaudio */
	int			 echo_tail;	/* ms, default 200 */
	bool			 noise_suppression; /* default: as aec */
	bool			 agc;		/* default no */
	bool			 file_echo;	/* file driver test aid */
	int			 file_echo_delay; /* ms */
	double			 file_echo_gain; /* dB */
	int			 opus_complexity; /* 0..10, default 5 */
	int			 opus_bitrate;	/* bit/s, default 32000 */

	/* [hooks]: command lines, split at load (util_argv_split). */
	char			*hook_incoming;	/* NULL if unset */
	char			*hook_missed;
	char			*hook_message;
	int			 hook_timeout;	/* s before a hook is killed; 10 */

	struct conf_account	*accounts;	/* in file order */
	int			 naccounts;

	/* [keys]: only what the file sets, in file order; the rest keep
	 * the default keys of the command table. */
	struct conf_binding	*bindings;
	int			 nbindings;
};

/* One problem found while loading: "FILE:LINE: message" when printed. */
struct conf_error {
	char			*file;
	int			 line;		/* 0 when the problem is the whole file */
	char			*message;
	struct conf_error	*next;
};

/*
 * Load and validate PATH. On success returns 0 and sets *out. Otherwise
 * returns -ENOENT when the file does not exist (and sets no errors), or -1
 * and sets *errs to every problem found (in line order), never stopping at
 * the first. The permission rule is part of loading.
 */
int	 conf_load(const char *path, struct conf **out, struct conf_error **errs);
/* The configuration used when there is no file (SPEC section 1). */
struct conf *conf_default(void);
void	 conf_free(struct conf *);
void	 conf_errors_free(struct conf_error *);
/* Print errors as FILE:LINE: message, one per line. */
void	 conf_errors_print(const struct conf_error *, FILE *);

/* $XDG_CONFIG_HOME/tsphone/tsphone.conf or ~/.config/tsphone/tsphone.conf. */
char	*conf_default_path(void);
/*
 * Write the commented template to PATH with mode 0600, creating missing
 * directories with mode 0700. Refuses to overwrite: returns -EEXIST.
 * Other failures return -errno. *cause is set on failure.
 */
int	 conf_write_template(const char *path, char **cause);

struct conf_account *conf_find_account(const struct conf *, const char *name);

const char *conf_transport_name(enum conf_transport);
const char *conf_codec_name(enum conf_codec);

/* The key table, for the man page check and --dump-config-keys. */
struct conf_key_info {
	const char	*section;	/* "sip", "audio", "hooks", "account" */
	const char	*key;
	const char	*type;		/* "string", "uri", "bool", "int", ... */
	const char	*def;		/* default shown to users, NULL if none */
	const char	*help;
};
const struct conf_key_info *conf_keys(int *n);

#endif
