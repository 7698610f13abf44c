"""A receiver of huisacademie's webhooks: verify the signature, drop repeats, handle."""

import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])  # the whsec_… your subscription gave you
handled: set[str] = set()  # event ids done: keep them where you keep the effect


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = webhook.verify(body, dict(self.headers))  # signature, and not too old
        except WebhookVerificationError:
            self.send_response(401)
        else:
            if event["id"] not in handled:  # a retry or a replay carries the same id
                handled.add(event["id"])
                print(json.dumps({k: event[k] for k in ("id", "type", "subject")}), flush=True)
            self.send_response(204)  # 2xx: delivered; anything else is tried again
        self.end_headers()


HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8099"))), Receiver).serve_forever()
