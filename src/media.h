/*
 * media.h: the media engine as the call layer sees it. One media stream
 * per call: RTP/RTCP sockets, codecs, jitter buffer, DTMF, statistics;
 * all of it runs on the media thread. The loop thread only sends
 * commands (through a queue) and gets events back (through the loop).
 */
#ifndef TSP_MEDIA_H
#define TSP_MEDIA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "media-srtp.h"

#define MEDIA_MAX_PT	8

enum media_dir {
	MEDIA_INACTIVE = 0,
	MEDIA_SENDONLY = 1,
	MEDIA_RECVONLY = 2,
	MEDIA_SENDRECV = 3,
};

/* One payload type of an SDP media line. */
struct media_pt {
	int		 pt;
	char		 name[32];	/* encoding name as in SDP: "opus", "PCMU" */
	int		 rate;
	int		 channels;
	char		 fmtp[128];	/* the peer's a=fmtp, for the send codec */
};

/* What SDP negotiation decided, from our side. */
struct media_params {
	char		 remote_addr[64];	/* empty: no remote yet */
	int		 remote_port;		/* 0: rejected */
	int		 remote_rtcp_port;
	struct media_pt	 send;			/* codec we send */
	int		 send_te_pt;		/* telephone-event PT or -1 */
	int		 send_te_rate;
	struct media_pt	 recv[MEDIA_MAX_PT];	/* what we said we receive */
	int		 nrecv;
	int		 ptime;			/* ms */
	enum media_dir	 dir;			/* local direction */
	bool		 remote_hold;		/* peer sendonly/inactive or c=0.0.0.0 */
	bool		 srtp;			/* SDES-SRTP keys below */
	struct media_srtp_crypto srtp_tx;	/* ours */
	struct media_srtp_crypto srtp_rx;	/* the peer's */
};

struct media;
struct conf;

struct event_stats;

/*
 * What the media engine reports, on the loop thread, about the stream of
 * call ID; given at media_init so that the engine names no upper module.
 */
struct media_handlers {
	void	(*dtmf)(int id, char digit, void *arg);	/* RFC 4733 */
	void	(*timeout)(int id, void *arg);		/* no RTP for long */
	void	(*stats)(const struct event_stats *, void *arg);
	void	*arg;
};

/* Start/stop the media thread and the audio configuration it uses. */
int	 media_init(const struct conf *, const struct media_handlers *,
	    char **cause);
void	 media_shutdown(void);

/* A stream for call ID bound to LOCAL_ADDR (RTP on an even port, RTCP +1). */
struct media *media_new(int call_id, const char *local_addr, char **cause);
int	 media_local_port(const struct media *);
const char *media_local_addr(const struct media *);
/* Apply negotiated parameters (start, re-target, hold, codec change). */
int	 media_update(struct media *, const struct media_params *, char **cause);
/* Whether this stream gets the microphone and the speaker. */
void	 media_set_active(struct media *, bool);
void	 media_set_mute(struct media *, bool);
/* Queue RFC 4733 digits. Returns -1 with *cause if there is no PT. */
int	 media_send_dtmf(struct media *, const char *digits, char **cause);
/* Current statistics (for the final stats event of a call). */
void	 media_stats(struct media *, struct event_stats *);
void	 media_free(struct media *);
/* --list-devices: one device per line. */
int	 media_list_devices(FILE *, char **cause);

/* Tones on the device while no call has the speaker. */
enum media_tone {
	MEDIA_TONE_NONE,
	MEDIA_TONE_RINGBACK,	/* outgoing call ringing, no early media */
	MEDIA_TONE_RING,	/* incoming call, on the ring device */
};
void	 media_set_tone(enum media_tone);

#endif
