// The callers the suites compare: our runtime, the raw openai client on either HTTP stack, and a bare undici request as the floor.
import OpenAI from "openai";
import { Agent, Pool, fetch as undiciFetch, type Dispatcher } from "undici";
import { acompletion } from "./lib.ts";
import type { Arm } from "./loops.ts";
import { now } from "./stats.ts";

export const KEY = "sk-bench-1234567890abcd";
const MODEL = "gpt-4o-mini";
export const MESSAGES = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "Say ok." },
];
// About forty words: the fake upstream echoes them back as about forty chunks.
const STREAM_MESSAGES = [{ role: "user" as const, content: Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ") }];

/** A streaming arm: each call records its time to first chunk here. */
export type StreamArm = Arm & { ttfc: number[] };

export interface Arms {
  /** `acompletion` through our OpenAI provider. */
  ours: Arm;
  /** The openai client as anyone would make it: Node's global fetch. */
  raw: Arm;
  /** The openai client on fetch over an npm undici Agent set up as our provider's pool, to tell the HTTP stack's share from the client's. */
  rawOnOurAgent: Arm;
  /** The floor: the same POST dispatched on a bare undici Pool, the answer's JSON parsed, nothing else. */
  floor: Arm;
  oursStream: StreamArm;
  rawStream: StreamArm;
  /** Closes the connections the arms keep alive. */
  close(): Promise<void>;
}

async function drain(stream: AsyncIterable<unknown>, t0: number, ttfc: number[]): Promise<void> {
  let first = true;
  for await (const _ of stream) {
    if (first) ttfc.push(now() - t0);
    first = false;
  }
}

/**
 * One POST of the body the raw client sends, through undici's handler interface (as our
 * provider sends) on a Pool set up as its Agent: no SDK, no kwargs, no pricing, no callbacks.
 * A non-200 rejects, so an upstream failing cannot pass for a fast floor.
 */
function floorArm(url: string, pool: Pool): Arm {
  const { pathname } = new URL(url);
  const options: Dispatcher.DispatchOptions = {
    path: `${pathname}/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: MODEL, messages: MESSAGES }),
  };
  return () =>
    new Promise<unknown>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      pool.dispatch(options, {
        onConnect() {},
        onHeaders(code) {
          status = code;
          return true;
        },
        onData(chunk) {
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          if (status === 200) resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          else reject(new Error(`floor: the upstream answered ${status}`));
        },
        onError: reject,
      });
    });
}

export function makeArms(url: string): Arms {
  const client = new OpenAI({ baseURL: url, apiKey: KEY, maxRetries: 0 });
  // The settings of core/providers/openai/client.ts.
  const pooling = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 };
  const agent = new Agent(pooling);
  const pool = new Pool(new URL(url).origin, pooling);
  const onAgent = new OpenAI({
    baseURL: url,
    apiKey: KEY,
    maxRetries: 0,
    fetch: undiciFetch as unknown as typeof fetch,
    fetchOptions: { dispatcher: agent } as Record<string, unknown>,
  });
  const ours = { model: `openai/${MODEL}`, api_base: url, api_key: KEY };
  const oursTtfc: number[] = [];
  const rawTtfc: number[] = [];
  return {
    ours: () => acompletion({ ...ours, messages: MESSAGES }),
    raw: () => client.chat.completions.create({ model: MODEL, messages: MESSAGES }),
    rawOnOurAgent: () => onAgent.chat.completions.create({ model: MODEL, messages: MESSAGES }),
    floor: floorArm(url, pool),
    oursStream: Object.assign(
      async () => {
        const t0 = now();
        await drain(await acompletion({ ...ours, messages: STREAM_MESSAGES, stream: true }), t0, oursTtfc);
      },
      { ttfc: oursTtfc },
    ),
    // The body ours sends: our provider always asks for the usage chunk, to price the call.
    rawStream: Object.assign(
      async () => {
        const t0 = now();
        const stream = await client.chat.completions.create({ model: MODEL, messages: STREAM_MESSAGES, stream: true, stream_options: { include_usage: true } });
        await drain(stream, t0, rawTtfc);
      },
      { ttfc: rawTtfc },
    ),
    close: async () => {
      await Promise.all([agent.close(), pool.close()]);
    },
  };
}
