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
#include <time.h>

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
 * What a STUN binding (media_stun) found: the public address and port of
 * the RTP socket, and of the RTCP socket when its binding worked too
 * (rtcp_port 0: unknown). WHY says, in words, why RTP's failed, or else
 * why RTCP's did ("" when both worked).
 */
struct media_stun_result {
	bool	 ok;
	char	 server[80];		/* "ADDR:PORT" as asked */
	char	 addr[48];
	int	 port;
	char	 rtcp_addr[48];
	int	 rtcp_port;
	char	 why[256];
};

/*
 * What the media engine reports, on the loop thread, about the stream of
 * call ID; given at media_init so that the engine names no upper module.
 */
struct media_handlers {
	void	(*dtmf)(int id, char digit, void *arg);	/* RFC 4733 */
	void	(*timeout)(int id, void *arg);		/* no RTP for long */
	void	(*stats)(const struct event_stats *, void *arg);
	void	(*stun)(int id, const struct media_stun_result *, void *arg);
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
/*
 * Ask the STUN server at ADDR:PORT (numeric) what the RTP and RTCP
 * sockets of M look like from outside (RFC 5389 Binding, retransmitted
 * for at most about 1 s). The answer comes once, through the stun
 * handler; none comes if M is freed first. STUN packets on M's sockets
 * never reach its decoders, whoever sends them. -1 with *cause when the
 * address is unusable (not numeric, another family than M's).
 */
int	 media_stun(struct media *, const char *addr, int port, char **cause);
/* Apply negotiated parameters (start, re-target, hold, codec change). */
int	 media_update(struct media *, const struct media_params *, char **cause);
/* Whether this stream gets the microphone and the speaker. */
void	 media_set_active(struct media *, bool);
void	 media_set_mute(struct media *, bool);
/*
 * A local 3-way conference of A and B (one at a time; a new one replaces
 * it): while both are active, the speaker plays both, and each is sent
 * the microphone (unless muted) and the other's audio. Each keeps its
 * codec, resamplers and jitter buffer. media_split(M) ends the conference
 * M is in, if any; the streams go on as they are (active or not), and so
 * does freeing one.
 */
int	 media_conference(struct media *a, struct media *b, char **cause);
void	 media_split(struct media *);
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

/*
 * What the user sees and hears. Levels: the peak meters (dBFS, -90 for
 * silence) of what the microphone sends and what the speaker plays, for
 * the call that has the device. Volumes: a gain in dB on the microphone
 * (INPUT) or the speaker, from MEDIA_VOLUME_MIN to MEDIA_VOLUME_MAX,
 * clamped; 0 leaves the audio untouched.
 */
#define MEDIA_VOLUME_MIN	(-40)
#define MEDIA_VOLUME_MAX	20
void	 media_levels(float *in_dbfs, float *out_dbfs);
void	 media_set_volume(bool input, int db);
int	 media_volume(bool input);
/*
 * The echo test: the microphone goes through the Opus encoder, RTP, the
 * jitter buffer and the decoder to the speaker, with a call's delay.
 * Refused while a call has the device; a call that takes the device ends
 * it. Off when none runs is an error too.
 */
int	 media_echotest(bool on, char **cause);
bool	 media_echotest_running(void);
/* Record both directions of M into PATH, a new stereo WAV (left: what we
 * send; right: what we hear). In a conference, left is the microphone as
 * M's peer hears it and right the speaker: the whole conference. */
int	 media_record_start(struct media *, const char *path, char **cause);
/*
 * DATA_DIR/recordings/YYYYmmdd-HHMMSS-ID-REMOTE.wav, NOW in local time,
 * REMOTE cut to 64 characters with everything outside [A-Za-z0-9@._+-]
 * made '_' ("unknown" if NULL or empty). Caller frees.
 */
char	*media_record_path(const char *data_dir, int call_id,
	    const char *remote, time_t now);
int	 media_record_stop(struct media *, char **cause);
bool	 media_recording(const struct media *);
/* Switch the microphone (INPUT) or the speaker to device NAME, now if the
 * device is open (a name that fails leaves the old one), else next time. */
int	 media_set_device(bool input, const char *name, char **cause);

#endif
