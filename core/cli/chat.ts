import { findConfig } from "../config/find.ts";
import { createRuntime, type Runtime } from "../config/runtime.ts";
import { summaryPrinted } from "../../builtin-callbacks/console.ts";
import { plural, summaryLine } from "../callbacks/summary.ts";
import type { CallbackKwargs, CustomLoggerMethods } from "../types.ts";
import { EXIT, parseCommand, usageError } from "./args.ts";
import { reportConfigError } from "./config-commands.ts";

export const CHAT_USAGE = `Usage: litellm-runtime chat [--config F] -m MODEL ["prompt"]

One streamed call with the config's models and callbacks: the answer streams
to stdout, then on stderr the events it delivered and the call's summary line,
the one the console built-in prints (time, call type, alias → deployment,
status, latency, tokens, cost, cache, user, call id). Without a prompt
argument, the prompt is read from stdin when stdin is not a terminal.

MODEL is a config alias, or any model the runtime knows (mock/<name>,
openai/<model>, ...). Without --config and with no config found from the
working directory upward, an empty config is used, so \`-m mock/demo\` works
anywhere.

Options:
  -m, --model MODEL   the model or alias to call (required)
  -c, --config F      the config file (default: searched from the working directory upward)
  -h, --help          this text

Exit codes: 0 answered, 1 the call failed, 2 bad usage or invalid config.
`;

type EventName = "pre_api_call" | "post_api_call" | "stream_event" | "success" | "failure";

/** A per-call logger that counts what it is delivered and keeps the final event's kwargs for the summary. */
function eventCounter() {
  const counts: Record<EventName, number> = { pre_api_call: 0, post_api_call: 0, stream_event: 0, success: 0, failure: 0 };
  const state = { counts, last: undefined as CallbackKwargs | undefined };
  const logger: CustomLoggerMethods = {
    async async_log_pre_api_call() {
      counts.pre_api_call++;
    },
    log_post_api_call() {
      counts.post_api_call++;
    },
    async async_log_stream_event() {
      counts.stream_event++;
    },
    async async_log_success_event(kwargs) {
      counts.success++;
      state.last = kwargs;
    },
    async async_log_failure_event(kwargs) {
      counts.failure++;
      state.last = kwargs;
    },
  };
  return { logger, state };
}

/** `events: pre_api_call 1, post_api_call 1, stream_event 4, success 1 (7 events)`: what the call delivered to a callback. */
export function eventsLine(counts: Readonly<Record<EventName, number>>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `events: ${entries.map(([name, n]) => `${name} ${n}`).join(", ") || "none"} (${plural(total, "event")})`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The config to run with: the one named, the one found, or an empty inline config so provider and mock models still work. */
async function chooseConfig(config: string | undefined): Promise<string | Record<string, unknown>> {
  if (config !== undefined) return config;
  return (await findConfig(process.cwd())) ?? {};
}

/** `litellm-runtime chat [--config F] -m MODEL "prompt"`. */
export async function chat(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { model: { type: "string", short: "m" }, config: { type: "string", short: "c" } }, CHAT_USAGE);
  if (typeof args === "number") return args;
  const model = args.values.model;
  if (!model) return usageError("missing -m MODEL", CHAT_USAGE);
  let prompt = args.positionals.join(" ");
  if (!prompt && !process.stdin.isTTY) prompt = (await readStdin()).trim();
  if (!prompt) return usageError("missing the prompt: pass it as an argument, or pipe it on stdin", CHAT_USAGE);

  let rt: Runtime;
  try {
    rt = await createRuntime({ config: await chooseConfig(args.values.config) });
  } catch (err) {
    return reportConfigError(err);
  }

  const { logger, state } = eventCounter();
  let error: unknown;
  let last = "\n";
  try {
    const stream = await rt.acompletion({ model, messages: [{ role: "user", content: prompt }], stream: true, callbacks: [logger] });
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (!text) continue;
      process.stdout.write(text);
      last = text;
    }
  } catch (err) {
    error = err;
  }
  if (!last.endsWith("\n")) process.stdout.write("\n");
  // The events are delivered in the background: wait for them (and the config's callbacks) before counting.
  await rt.flush();
  await rt.close();
  process.stderr.write(`${eventsLine(state.counts)}\n`);
  const record = state.last?.standard_logging_object;
  // The summary line carries the error; without a failure event (the call was refused before it started) the error is said alone.
  if (record && !summaryPrinted(record.id)) process.stderr.write(`${summaryLine(record)}\n`);
  else if (!record && error) {
    const e = error as { name?: string; code?: string; message?: string };
    process.stderr.write(`error: ${e.name ?? "Error"} [${e.code ?? "?"}]: ${e.message ?? String(error)}\n`);
  }
  return error ? EXIT.failed : EXIT.ok;
}
