import { describe, expect, it } from "vitest";
import { BodyStream } from "./body-stream.ts";
import type { Opened, Where } from "./http.ts";
import { eventStream, type EventReader } from "./sse.ts";

const where: Where = { provider: "openai", model: "m", url: "http://127.0.0.1:9/v1/chat/completions", timeoutMs: 60_000, hasKey: false, baseHint: '"api_base"' };

/** A stream over a body fed by hand, its events' data passed on as they are. */
function opened() {
  let resumed = 0;
  const body = new BodyStream(
    () => void resumed++,
    () => {},
  );
  const reader: EventReader = {
    translate: () => [],
    finish: () => {},
    raw: { data: (ev) => (ev.data === "[DONE]" ? null : ev.data), parse: (data) => JSON.parse(data), plain: () => true },
  };
  const stream = eventStream({ status: 200, headers: {}, text: "", body } as Opened, where, undefined, reader);
  return { body, batches: stream.events!(), resumed: () => resumed };
}

const event = (n: number) => Buffer.from(`data: {"n":${n}}\n\n`);

describe("a passed-on stream's batches", () => {
  it("hold every chunk that arrived before the reader asked: one socket read, handed over as several chunks, is one batch", async () => {
    const { body, batches } = opened();
    body.push(event(1));
    body.push(event(2));
    body.push(event(3));
    expect(await batches.next()).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    // A later read is a batch of its own.
    const later = batches.next();
    body.push(event(4));
    expect(await later).toEqual(['{"n":4}']);
    body.push(Buffer.from("data: [DONE]\n\n"));
    body.end();
    expect(await batches.next()).toBeNull();
  });

  it("an event split across chunks that arrived together is read whole", async () => {
    const { body, batches } = opened();
    body.push(Buffer.from('data: {"n":'));
    body.push(Buffer.from("1}\n"));
    body.push(Buffer.from("\n"));
    expect(await batches.next()).toEqual(['{"n":1}']);
  });

  it("taking what waited resumes a connection paused at the high-water mark", async () => {
    const { body, batches, resumed } = opened();
    const paused = Array.from({ length: 16 }, (_, i) => body.push(event(i))).includes(false);
    expect(paused).toBe(true);
    expect(await batches.next()).toHaveLength(16);
    expect(resumed()).toBe(1);
  });
});

describe("BodyStream.take", () => {
  it("gives what already arrived without waiting, and nothing when nothing did", () => {
    const body = new BodyStream(
      () => {},
      () => {},
    );
    expect(body.take()).toBeUndefined();
    body.push(Buffer.from("a"));
    body.push(Buffer.from("b"));
    expect(String(body.take())).toBe("a");
    expect(String(body.take())).toBe("b");
    expect(body.take()).toBeUndefined();
  });
});
