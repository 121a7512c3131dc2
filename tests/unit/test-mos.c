/*
 * test-mos.c: the E-model (media-mos.c) at points worked out by hand
 * from G.107's formulas, its monotonicity in loss and delay, the codec
 * table and the handling of unknown or absurd inputs.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "media-mos.h"
#include "tap.h"

static int
near(double got, double want, double tol)
{
	return fabs(got - want) <= tol;
}

static struct media_mos_input
in_of(const char *codec, double rtt, double jbuf, double loss, double burst)
{
	struct media_mos_input	 in;

	memset(&in, 0, sizeof in);
	in.codec = codec;
	in.rtt_ms = rtt;
	in.jbuf_ms = jbuf;
	in.loss_pct = loss;
	in.burst_ratio = burst;
	return in;
}

static void
test_points(void)
{
	struct media_mos_input	 in, lossy;
	double			 r0, r5, want;

	/* G.107 Annex B: R 93.2 (all defaults) is MOS 4.41. */
	ok(near(media_mos_of_r(93.2), 4.409, 0.001), "R 93.2 -> MOS %.3f",
	    media_mos_of_r(93.2));
	ok(media_mos_of_r(100.0) == 4.5 && media_mos_of_r(150.0) == 4.5,
	    "R >= 100 -> 4.5");
	ok(media_mos_of_r(0.0) == 1.0 && media_mos_of_r(-5.0) == 1.0 &&
	    media_mos_of_r(NAN) == 1.0, "R <= 0 or NaN -> 1.0");
	ok(media_mos_of_r(5.0) >= 1.0, "the formula's dip below 1 near "
	    "R 6 is clamped (%.4f)", media_mos_of_r(5.0));
	ok(near(media_mos_of_r(50.0), 2.58, 0.01), "R 50 -> MOS %.3f",
	    media_mos_of_r(50.0));

	/* G.711, no loss, a LAN: Ta = 10 + 20 + 20 + 10 = 60 ms. */
	in = in_of("PCMU", 20.0, 20.0, 0.0, 0.0);
	ok(near(media_mos_delay_ms(&in), 60.0, 1e-9), "Ta %.1f ms",
	    media_mos_delay_ms(&in));
	ok(near(media_mos_r(&in), 93.2 - 0.024 * 60.0, 1e-9), "R %.2f",
	    media_mos_r(&in));
	ok(near(media_mos(&in), 4.4, 0.05), "G.711, no loss, 60 ms: MOS %.3f",
	    media_mos(&in));

	/* 5 % random loss: Ie_eff = 95 * 5 / (5 + 25.1) = 15.78. */
	lossy = in;
	lossy.loss_pct = 5.0;
	r0 = media_mos_r(&in);
	r5 = media_mos_r(&lossy);
	want = 95.0 * 5.0 / (5.0 + 25.1);
	ok(near(r0 - r5, want, 1e-9), "G.711 5%% random loss costs %.2f R "
	    "(want %.2f)", r0 - r5, want);
	ok(near(media_mos(&lossy), 3.86, 0.01), "... MOS %.3f",
	    media_mos(&lossy));
	/* The same loss in bursts (BurstR 2) hurts more. */
	lossy.burst_ratio = 2.0;
	want = 95.0 * 5.0 / (5.0 / 2.0 + 25.1);
	ok(near(r0 - media_mos_r(&lossy), want, 1e-9),
	    "BurstR 2 costs %.2f R (want %.2f)", r0 - media_mos_r(&lossy),
	    want);
	lossy.burst_ratio = -1.0;
	ok(near(media_mos_r(&lossy), r5, 1e-9), "BurstR <= 0 means random");

	/* Delay: Id = 0.024 Ta + 0.11 (Ta - 177.3) above 177.3 ms. */
	ok(near(media_mos_id(100.0), 2.4, 1e-9), "Id(100) = %.3f",
	    media_mos_id(100.0));
	ok(near(media_mos_id(177.3), 0.024 * 177.3, 1e-9),
	    "Id(177.3) = %.3f", media_mos_id(177.3));
	ok(near(media_mos_id(300.0), 0.024 * 300.0 + 0.11 * 122.7, 1e-9),
	    "Id(300) = %.3f", media_mos_id(300.0));
	ok(near(media_mos_id(277.3) - media_mos_id(177.3), 2.4 + 11.0, 1e-9),
	    "100 ms past the knee costs 13.4 R (%.3f)",
	    media_mos_id(277.3) - media_mos_id(177.3));
	/* rtt 400, jbuf 70: Ta = 200 + 70 + 30 = 300 ms. */
	in = in_of("PCMA", 400.0, 70.0, 0.0, 1.0);
	ok(near(media_mos_delay_ms(&in), 300.0, 1e-9) &&
	    near(media_mos_r(&in), 93.2 - media_mos_id(300.0), 1e-9),
	    "rtt 400, jbuf 70: Ta %.0f, R %.2f", media_mos_delay_ms(&in),
	    media_mos_r(&in));
	/* Unknown round trip: the jitter buffer and the frame only. */
	in = in_of("PCMA", -1.0, 40.0, 0.0, 1.0);
	ok(near(media_mos_delay_ms(&in), 70.0, 1e-9), "rtt unknown: Ta %.0f",
	    media_mos_delay_ms(&in));
}

static void
test_monotonic(void)
{
	struct media_mos_input	 in;
	double			 prev, cur;
	int			 i, bad;
	static const char	*codecs[] = { "PCMU", "opus" };
	size_t			 c;

	for (c = 0; c < 2; c++) {
		bad = 0;
		prev = 5.0;
		for (i = 0; i <= 1000; i++) {
			in = in_of(codecs[c], 40.0, 40.0, i / 10.0, 1.0);
			cur = media_mos(&in);
			if (cur > prev || cur < 1.0 || cur > 4.5)
				bad++;
			prev = cur;
		}
		is_int(bad, 0, "%s: MOS falls as loss rises 0..100 %%",
		    codecs[c]);
		/* Ie_eff tends to 95, not 100: the model's own floor. */
		ok(prev < 1.2, "%s: 100 %% loss is MOS %.2f", codecs[c],
		    prev);
		bad = 0;
		prev = 5.0;
		for (i = 0; i <= 2000; i++) {
			in = in_of(codecs[c], i, 40.0, 1.0, 1.0);
			cur = media_mos(&in);
			if (cur > prev || cur < 1.0 || cur > 4.5)
				bad++;
			prev = cur;
		}
		is_int(bad, 0, "%s: MOS falls as the round trip rises to 2 s",
		    codecs[c]);
	}
	bad = 0;
	for (i = 1; i <= 100; i++) {
		in = in_of("PCMU", 40.0, 40.0, 5.0, i / 10.0);
		cur = media_mos_r(&in);
		in.burst_ratio = (i + 1) / 10.0;
		if (media_mos_r(&in) > cur)
			bad++;
	}
	is_int(bad, 0, "burstier loss never scores better");
}

static void
test_codecs(void)
{
	struct media_mos_input	 a, b;

	ok(media_mos_codec("opus")->bpl == 20.0 &&
	    media_mos_codec("OPUS") == media_mos_codec("opus"),
	    "opus: Bpl 20, any case");
	ok(media_mos_codec("PCMA")->bpl == 25.1 &&
	    media_mos_codec("pcmu")->bpl == 25.1 &&
	    media_mos_codec("pcmu")->ie == 0.0, "G.711: Ie 0, Bpl 25.1");
	ok(media_mos_codec("G722") == media_mos_codec("PCMU") &&
	    media_mos_codec(NULL) == media_mos_codec("PCMU"),
	    "unknown or no codec: as PCMU");
	a = in_of("opus", 50.0, 40.0, 3.0, 1.0);
	b = in_of("PCMU", 50.0, 40.0, 3.0, 1.0);
	ok(media_mos_r(&a) < media_mos_r(&b), "opus without FEC credit "
	    "loses a little more under loss (R %.2f vs %.2f)",
	    media_mos_r(&a), media_mos_r(&b));
	a.loss_pct = b.loss_pct = 0.0;
	ok(media_mos_r(&a) == media_mos_r(&b), "and the same without loss");
}

static void
test_absurd(void)
{
	struct media_mos_input	 in;

	in = in_of("PCMU", NAN, NAN, NAN, NAN);
	ok(near(media_mos_r(&in), 93.2 - 0.024 * 30.0, 1e-9),
	    "NaN everywhere: unknown rtt, no buffer, no loss (R %.2f)",
	    media_mos_r(&in));
	in = in_of("PCMU", 1e9, 1e9, 500.0, 1e9);
	ok(media_mos_r(&in) == 0.0 && media_mos(&in) == 1.0,
	    "absurd delay and loss: R 0, MOS 1");
	in = in_of("PCMU", 0.0, -50.0, -3.0, 0.0);
	ok(near(media_mos_r(&in), 93.2 - 0.024 * 30.0, 1e-9),
	    "negative buffer and loss count as 0");
	in = in_of("PCMU", INFINITY, 0.0, 0.0, 0.0);
	ok(isfinite(media_mos_r(&in)), "infinite rtt: a finite R (%.2f)",
	    media_mos_r(&in));
}

int
main(void)
{
	test_points();
	test_monotonic();
	test_codecs();
	test_absurd();
	return done_testing();
}
