// The built-in `mixpanel` callback: one event per call, batched to {api_host}/track.
// A loopback collector stands in for Mixpanel, so nothing leaves the machine.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRuntime } from "../core/index.ts";

const received: { event: string; properties: Record<string, unknown> }[] = [];
const collector = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c));
  req.on("end", () => {
    console.log(`collector: ${req.method} ${req.url}`);
    received.push(...JSON.parse(body));
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":1,"error":null}');
  });
});
await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
const apiHost = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

const rt = await createRuntime({
  config: {
    model_list: [{ model_name: "chat", litellm_params: { model: "gpt-4o-mini", mock_response: "Hello from the mock" } }],
    litellm_settings: { success_callback: ["mixpanel"], failure_callback: ["mixpanel"] },
    callback_settings: { mixpanel: { token: "demo-project-token", api_host: apiHost } },
  },
});

const messages = [{ role: "user" as const, content: "Hi 👋" }];
await rt.acompletion({ model: "chat", messages, user: "alice", metadata: { team: "search" } });
await rt.acompletion({ model: "chat", messages, mock_response: "litellm.RateLimitError" }).catch(() => {});
await rt.flush(); // waits for delivery to the collector
await rt.close();
collector.close();

for (const { event, properties: p } of received) {
  console.log(`event "${event}": status=${p.status} model_group=${p.model_group} distinct_id=${p.distinct_id} cost=${Number(p.response_cost).toFixed(7)} error=${p.error_class ?? "none"}`);
}
