/*
 * messages-store.h: the text messages kept for good, in the store's
 * messages table (store.h), and the unread counter. An observer on the
 * event bus, joined before the front ends (after the history): each
 * "message" event's row is written and committed before any front end
 * is given it, so what was shown survives the process being killed. A
 * conversation is every message with one peer address, whichever the
 * account. Without a usable database the phone goes on: nothing is kept,
 * the counter still counts for this run.
 */
#ifndef TSP_MESSAGES_STORE_H
#define TSP_MESSAGES_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "event.h"

/* The default number of messages "messages" prints. */
#define MESSAGES_STORE_DEFAULT	20
/* The start of a conversation's last text, as its list line shows it. */
#define MESSAGES_STORE_PREVIEW	160

/* One conversation: the peer and its newest message. */
struct messages_peer {
	char			 peer[EVENT_TEXT_MAX];	/* the address */
	char			 display[EVENT_TEXT_MAX];	/* its newest
					   name, or "" */
	long long		 count;		/* messages in all */
	int			 unread;
	time_t			 time;		/* of the newest */
	bool			 outgoing;	/* the newest is ours */
	enum message_state	 state;
	char			 preview[MESSAGES_STORE_PREVIEW];
};

/*
 * Open the database at PATH (NULL: the default) and join the bus. Always
 * joins; on failure nothing is kept, *CAUSE says why and -1 is returned.
 * A message of ours still "sending" when tsphone stopped is closed as
 * failed.
 */
int		 messages_store_open(const char *path, char **cause);
void		 messages_store_close(void);
/* Why nothing is kept, or NULL when the store works. */
const char	*messages_store_error(void);

/* Received messages not yet read, in all. */
int		 messages_store_unread(void);
/* The user has read the conversation with PEER (NULL: every one). */
void		 messages_store_read(const char *peer);

/* Messages with PEER (NULL: all), and conversations. */
long long	 messages_store_count(const char *peer);
long long	 messages_store_npeers(void);
/*
 * Up to MAX messages with PEER (NULL: all), newest first, skipping the
 * SKIP newest, into OUT (stored true, n their row); returns how many, or
 * -1 with *CAUSE.
 */
int		 messages_store_list(const char *peer, long long skip, int max,
		    struct event_message *out, char **cause);
/* Up to MAX conversations, the latest first, skipping SKIP. */
int		 messages_store_peers(long long skip, int max,
		    struct messages_peer *out, char **cause);
/*
 * The conversation TEXT names: a peer address as stored, a URI without
 * its parameters, or a user name or display name of exactly one peer
 * (ignoring case). 0 with PEER set, or -1 with *CAUSE.
 */
int		 messages_store_find_peer(const char *text, char *peer,
		    size_t len, char **cause);
/* The conversation key of REMOTE ("Name" <sip:u@h;p> gives sip:u@h). */
void		 messages_store_key(const char *remote, char *out, size_t len);

#endif
