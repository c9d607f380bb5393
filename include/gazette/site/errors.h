/*
 * errors.h: the one place error answers are made, for every route: an
 * HTML page with the right status for readers, RFC 9457 problem+json for
 * the API (req->api, which the router sets from the route).
 */
#ifndef GAZETTE_SITE_ERRORS_H
#define GAZETTE_SITE_ERRORS_H

#include "gazette/http/http.h"

/* Fills resp with an error answer: status and a message for whoever reads it. */
void errors_answer(struct request *req, struct response *resp, unsigned status, const char *detail);

/*
 * Sets req->api from the look of its path (under /api/ or not), for an
 * answer to a request no route has taken.
 */
void errors_guess_form(struct request *req);

/*
 * The same for a request the router has not seen (the server refusing it
 * before routing): HTML or problem+json by the look of its path.
 */
void errors_reject(struct request *req, struct response *resp, unsigned status, const char *detail);

/* 500: the database did not answer.  Logs the request and SQLite's message. */
void errors_database(struct request *req, struct response *resp);

#endif
