"""The benchmarks' webhook receiver, in a process of its own (`python -m bench.receiver`):
aiohttp, each delivery verified with the reference standardwebhooks library, each arrival
appended as a JSON line (webhook-id, the event's time, when it arrived, the body) to the
file named by RECEIVER_OUT. The same receiver takes our deliveries and the plain loop's."""

import json
import os
import time

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def app(secrets: list[str], out: str) -> web.Application:
    hooks = [Webhook(s) for s in secrets]
    sink = open(out, "a", buffering=1)  # noqa: SIM115 (open for the process's life)

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        arrived = time.time()
        headers = dict(request.headers)
        event = None
        for hook in hooks:
            try:
                event = hook.verify(body, headers)
                break
            except WebhookVerificationError:
                continue
        if event is None:
            return web.Response(status=401)
        line = {"id": event["id"], "time": event["time"], "arrived": arrived, "body": body.decode()}
        sink.write(json.dumps(line) + "\n")
        return web.Response(status=204)

    made = web.Application()
    made.router.add_post("/hooks", receive)
    return made


if __name__ == "__main__":
    web.run_app(
        app(json.loads(os.environ["RECEIVER_SECRETS"]), os.environ["RECEIVER_OUT"]),
        host="127.0.0.1", port=int(os.environ["RECEIVER_PORT"]), access_log=None, print=None,
    )  # fmt: skip
