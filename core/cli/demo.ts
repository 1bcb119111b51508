import litellm, { acompletion, CustomLogger } from "../index.ts";
import type { CallbackKwargs } from "../types.ts";
import { EXIT, parseCommand } from "./args.ts";

export const DEMO_USAGE = `Usage: litellm-runtime demo ["prompt"]

One streamed call to the built-in mock model, with its events shown on stderr.
Works offline, needs no key and no config.

Options:
  -h, --help   this text
`;

/** Prints each event of the demo call as it is delivered. */
class EventPrinter extends CustomLogger {
  override async async_log_pre_api_call(model: string): Promise<void> {
    process.stderr.write(`  event pre_api_call   model=${model}\n`);
  }
  override log_post_api_call(kwargs: CallbackKwargs): void {
    process.stderr.write(`  event post_api_call  original_response=${String(kwargs.original_response).slice(0, 40)}...\n`);
  }
  override async async_log_success_event(kwargs: CallbackKwargs): Promise<void> {
    const s = kwargs.standard_logging_object!;
    process.stderr.write(`  event success        tokens=${s.total_tokens} cost=$${kwargs.response_cost} cache_hit=${kwargs.cache_hit}\n`);
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
