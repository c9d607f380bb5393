/* ops.c: answers for the people who run the site: /healthz. */
#include "gazette/app.h"
#include "gazette/handlers.h"

void ops_healthz(struct request *req, struct response *resp)
{
	bool ok = store_ping(req->worker->store) == 0;
	response_text(resp, ok ? 200 : 503, ok ? "ok\n" : "database unavailable\n");
	resp->cache_control = "no-store";
}
