import { describe, expect, it } from "vitest";
import { BodyStream } from "./body-stream.ts";
import type { Opened, Where } from "./http.ts";
import { eventStream, type EventReader } from "./sse.ts";

const where: Where = { provider: "openai", model: "m", url: "http://127.0.0.1:9/v1/chat/completions", timeoutMs: 60_000, hasKey: false, baseHint: '"api_base"' };

/** A stream over a body fed by hand, its events' data passed on as they are; plain: an object whose data does not say "odd". */
function opened({ wholeOnlyWithDone = false } = {}) {
  let resumed = 0;
  let done = false;
  const body = new BodyStream(
    () => void resumed++,
    () => {},
  );
  const reader: EventReader = {
    translate: () => [],
    finish: () => {
      if (wholeOnlyWithDone && !done) throw new Error("cut short: no [DONE]");
    },
    raw: {
      data: (data) => (done || data === "[DONE]" ? ((done = true), null) : data),
      parse: (data) => JSON.parse(data),
      plain: (data) => data.startsWith("{") && !data.includes("odd"),
      usage: () => false,
      framed: () => !done,
    },
  };
  const stream = eventStream({ status: 200, headers: {}, text: "", body } as Opened, where, undefined, reader);
  return { body, batches: stream.events!(), resumed: () => resumed };
}

const event = (n: number | string) => `data: {"n":${JSON.stringify(n)}}\n\n`;
const push = (body: BodyStream, text: string) => body.push(Buffer.from(text));

describe("a passed-on stream's end, told without waiting", () => {
  it("is told once the body ended and every read of it was handed out, and then the batches are over", async () => {
    const { body, batches } = opened({ wholeOnlyWithDone: true });
    push(body, event(1) + event(2));
    expect(batches.ending!()).toBe(false); // the body goes on
    push(body, "data: [DONE]\n\n");
    body.end();
    expect(batches.ending!()).toBe(false); // a read not yet handed out
    expect(batches.now()).toEqual({ framed: event(1) + event(2), data: [] });
    expect(batches.ending!()).toBe(true);
    expect(await batches.next()).toBeNull();
  });

  it("throws as the end would for a stream cut short, after its last read was handed out", () => {
    const { body, batches } = opened({ wholeOnlyWithDone: true });
    push(body, event(1));
    body.end();
    expect(batches.now()).toEqual({ framed: event(1), data: [] });
    expect(() => batches.ending!()).toThrow(/cut short/);
  });

  it("is not told while an event is only half arrived", () => {
    const { body, batches } = opened();
    push(body, event(1) + "data: {\"n\":");
    body.end();
    expect(batches.now()).toEqual({ framed: event(1), data: [] });
    // The parser holds the start of an event: only next() finishes it.
    expect(batches.ending!()).toBe(false);
  });
});

describe("a passed-on stream's batches", () => {
  it("hold every chunk that arrived before the reader asked: one socket read, handed over as several chunks, is one batch", async () => {
    const { body, batches } = opened();
    push(body, event(1));
    push(body, event(2));
    push(body, event(3));
    // Framed as they are passed on, and plain: the upstream's own text, not parsed.
    expect(await batches.next()).toEqual({ framed: event(1) + event(2) + event(3), data: [] });
    // A later read is a batch of its own.
    const later = batches.next();
    push(body, event(4));
    expect(await later).toEqual({ framed: event(4), data: [] });
    push(body, "data: [DONE]\n\n");
    body.end();
    expect(await batches.next()).toBeNull();
  });

  it("pass on the plain events before the first one that is not; the parser reads it and the rest", async () => {
    const { body, batches } = opened();
    push(body, event(1) + event("odd") + event(3) + "data: [DONE]\n\n" + event(4));
    body.end();
    // Nothing after [DONE] counts.
    expect(await batches.next()).toEqual({ framed: event(1), data: ['{"n":"odd"}', '{"n":3}'] });
    expect(await batches.next()).toBeNull();
  });

  it("parse a read framed otherwise: CRLF line ends, another field, a line with no space after the colon", async () => {
    for (const text of ['data: {"n":1}\r\n\r\n', 'event: x\ndata: {"n":1}\n\n', 'data:{"n":1}\n\n', 'data: {"n":\ndata: 1}\n\n']) {
      const { body, batches } = opened();
      push(body, text);
      const batch = await batches.next();
      expect(batch?.framed).toBe("");
      expect(batch?.data).toHaveLength(1);
    }
  });

  it("an event split across chunks that arrived together is read whole", async () => {
    const { body, batches } = opened();
    push(body, 'data: {"n":');
    push(body, "1}\n");
    push(body, "\n");
    expect(await batches.next()).toEqual({ framed: event(1), data: [] });
  });

  it("an event split across reads goes through the parser, and the read after its end is framed again", async () => {
    const { body, batches } = opened();
    const first = batches.next();
    push(body, event(1) + 'data: {"n":');
    expect(await first).toEqual({ framed: event(1), data: [] });
    const second = batches.next();
    push(body, "2}\n\n");
    expect(await second).toEqual({ framed: "", data: ['{"n":2}'] });
    const third = batches.next();
    push(body, event(3));
    expect(await third).toEqual({ framed: event(3), data: [] });
  });

  it("taking what waited resumes a connection paused at the high-water mark", async () => {
    const { body, batches, resumed } = opened();
    const paused = Array.from({ length: 16 }, (_, i) => push(body, event(i))).includes(false);
    expect(paused).toBe(true);
    expect((await batches.next())?.framed.split("\n\n")).toHaveLength(17);
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

describe("BodyStream.settled", () => {
  it("runs each function once the body is over on the wire, read or not; at once when it already is", () => {
    const body = new BodyStream(
      () => {},
      () => {},
    );
    const said: string[] = [];
    body.settled(() => said.push("first"));
    body.settled(() => said.push("second"));
    body.push(Buffer.from("unread"));
    expect(said).toEqual([]);
    body.end();
    expect(said).toEqual(["first", "second"]);
    body.settled(() => said.push("late"));
    expect(said).toEqual(["first", "second", "late"]);
    body.fail(new Error("after the end"));
    expect(said).toHaveLength(3);
  });
});
