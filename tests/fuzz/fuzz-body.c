/*
 * fuzz-body.c: the body of an INVITE as tsphone reads it
 * (src/sip-body.c): Sofia's MIME multipart parser, which nua runs on
 * every multipart request (NUTAG_ACCEPT_MULTIPART) through our
 * msg_multipart_parse, and the reading of its parts.
 *
 * The input is a SIP request, parsed by Sofia as the stack would; its
 * multipart body is parsed as nua does (into sip_multipart) or left to
 * sip_body_read, by the first byte's low bit. Then sip_body_read must
 * give a verdict: 0, 400 or 415, a refusal with a reason and no SDP, and
 * an SDP only out of the request's own bytes. msg_multipart_parse must
 * leave the payload's length as it found it (Debian's Sofia shortened
 * it to the preamble, and nua then saw no offer).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sip-int.h"

#include <sofia-sip/msg_mime.h>
#include <sofia-sip/sip_parser.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t	 home[1] = { SU_HOME_INIT(home) };
	struct sip_body	 b;
	msg_t		*msg;
	sip_t		*sip;
	size_t		 len;
	bool		 as_nua;

	if (size < 1)
		return 0;
	as_nua = data[0] & 1;
	msg = msg_make(sip_default_mclass(), 0, data + 1, (issize_t)(size - 1));
	if (msg == NULL)
		return 0;
	sip = sip_object(msg);
	if (sip == NULL || sip->sip_request == NULL) {
		msg_destroy(msg);
		return 0;
	}
	if (as_nua && sip->sip_payload != NULL && sip->sip_content_type != NULL &&
	    sip->sip_content_type->c_type != NULL &&
	    strncasecmp(sip->sip_content_type->c_type, "multipart/", 10) == 0) {
		len = sip->sip_payload->pl_len;
		sip->sip_multipart = msg_multipart_parse(msg_home(msg),
		    sip->sip_content_type, sip->sip_payload);
		FUZZ_CHECK(sip->sip_payload->pl_len == len);
	}
	sip_body_read(home, sip, &b);
	FUZZ_CHECK(b.code == 0 || b.code == 400 || b.code == 415);
	FUZZ_CHECK(memchr(b.why, '\0', sizeof b.why) != NULL);
	if (b.code != 0)
		FUZZ_CHECK(b.why[0] != '\0' && b.sdp == NULL);
	if (b.sdp != NULL) {
		volatile char	 c = 0;
		size_t		 i;

		/* ASan: every byte of it is readable. */
		for (i = 0; i < b.sdp_len; i++)
			c ^= b.sdp[i];
		(void)c;
		FUZZ_CHECK(b.sdp_len <= size);
	}
	su_home_deinit(home);
	msg_destroy(msg);
	return 0;
}
