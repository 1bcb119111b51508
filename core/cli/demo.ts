import litellm, { acompletion, CustomLogger } from "../index.ts";
import { eventLine, summaryLine } from "../callbacks/summary.ts";
import type { CallbackKwargs } from "../types.ts";
import { EXIT, parseCommand } from "./args.ts";

export const DEMO_USAGE = `Usage: litellm-runtime demo ["prompt"]

One streamed call to the built-in mock model, with its events shown on stderr
as they are delivered: a line for pre_api_call and post_api_call, then the
call's summary line (the one the console built-in prints).
Works offline, needs no key and no config.

Options:
  -h, --help   this text
`;

/** Prints each event of the demo call as it is delivered, in the console built-in's lines. */
class EventPrinter extends CustomLogger {
  override async async_log_pre_api_call(_model: string, _messages: unknown, kwargs: CallbackKwargs): Promise<void> {
    process.stderr.write(`${eventLine(kwargs, "pre_api_call")}\n`);
  }
  override log_post_api_call(kwargs: CallbackKwargs): void {
    process.stderr.write(`${eventLine(kwargs, "post_api_call")}\n`);
  }
  override async async_log_success_event(kwargs: CallbackKwargs): Promise<void> {
    if (kwargs.standard_logging_object) process.stderr.write(`${summaryLine(kwargs.standard_logging_object)}\n`);
  }
  override async async_log_failure_event(kwargs: CallbackKwargs): Promise<void> {
    if (kwargs.standard_logging_object) process.stderr.write(`${summaryLine(kwargs.standard_logging_object)}\n`);
  }
}

/** One streamed call to the built-in mock model, with its events shown: works offline, needs no key. */
export async function demo(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {}, DEMO_USAGE);
  if (typeof args === "number") return args;
  const prompt = args.positionals.join(" ") || "Hello from litellm-runtime: this answer streams from the built-in mock model.";
  litellm.callbacks = [new EventPrinter()];
  process.stdout.write(`> ${prompt}\n`);
  const stream = await acompletion({ model: "mock/demo", messages: [{ role: "user", content: prompt }], stream: true, mock_delay: 15 });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
  process.stdout.write("\n");
  await litellm.flush();
  return EXIT.ok;
}
