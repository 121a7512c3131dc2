/*
 * tonecheck.c: the end-to-end tests' ear. Says whether a WAV file holds a
 * tone at a frequency, how much of it and when:
 *
 *   tonecheck FILE FREQ [--min-fraction F] [--absent] [--from S] [--to S]
 *                       [--window MS] [--min-ratio R] [--min-rms DBFS] [-q]
 *
 * Exit 0 when at least F (default 0.5) of the analysed windows hold the
 * tone (with --absent: when none does), 1 otherwise or when nothing was
 * analysed, 2 on a usage error or an unreadable file. The work is in
 * tone.c, where the unit tests reach it.
 */
#include "config.h"

#include <stdio.h>

#include "tone.h"

int
main(int argc, char **argv)
{
	return tone_main(argc, argv, stdout, stderr);
}
