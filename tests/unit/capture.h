/*
 * capture.h: what a piece of code under test writes to stderr (its log
 * lines), for the unit tests that check them.
 */
#ifndef GAZETTE_TEST_CAPTURE_H
#define GAZETTE_TEST_CAPTURE_H

/* From now on, stderr goes to a temporary file. */
void capture_begin(void);
/* stderr as it was; returns what was written meanwhile (free() it). */
char *capture_end(void);

#endif
