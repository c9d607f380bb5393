/*
 * ticker.h: a thread that calls one function every so many milliseconds.
 *
 * The server has chores that run on their own beside the requests: the
 * connection guard's sweep for connections past their deadline, the
 * return of free heap pages to the kernel.  Each is a ticker.  It waits
 * on the monotonic clock, so a step of the wall clock (NTP, an admin's
 * `date -s`) neither stalls it nor hurries it, and it stops at once when
 * asked, not at its next tick.
 */
#ifndef GAZETTE_BASE_TICKER_H
#define GAZETTE_BASE_TICKER_H

struct ticker;

typedef void ticker_fn(void *arg);

/*
 * Starts a thread that calls fn(arg) every ms milliseconds (at least 1),
 * counted from the end of one call to the start of the next; the first
 * call is ms after the start.  NULL if the thread cannot start.
 */
struct ticker *ticker_start(unsigned ms, ticker_fn *fn, void *arg);

/* Stops t (a call under way ends first) and frees it; NULL is fine. */
void ticker_stop(struct ticker *t);

#endif
