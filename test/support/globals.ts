// The process-wide `litellm` lists and settings back to a known state: tests in one file share the module.
import litellm, { type CallbackInput } from "../../core/index.ts";

export function resetLitellm(callbacks: CallbackInput[] = []): void {
  litellm.callbacks = callbacks;
  litellm.success_callback = [];
  litellm.failure_callback = [];
  litellm.input_callback = [];
  litellm.redact_api_keys = true;
}
