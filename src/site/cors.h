/*
 * cors.h: cross-origin requests to the API (site/ only; the router adds
 * these to every answer of an API route).
 */
#ifndef GAZETTE_SITE_CORS_H
#define GAZETTE_SITE_CORS_H

#include "gazette/http/http.h"

/* The CORS headers of an API answer (reads: any origin; writes: --cors-origin only). */
void cors_headers(struct request *req, struct response *resp);
/* The answer to OPTIONS, a preflight or not. */
void cors_preflight(struct request *req, struct response *resp);

#endif
