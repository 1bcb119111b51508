// The five callbacks every "with callbacks" arm registers, each doing trivial work: counting.
import litellm, { CustomLogger, type CallbackKwargs } from "./lib.ts";

/** How many times each kind of callback ran. */
export const counts = { pre: 0, post: 0, success: 0, failure: 0, input: 0, successFn: 0, failureFn: 0 };

/** Both forms of each event, so `completion()` runs the sync ones and `acompletion()` the async ones (pre_api_call: `log_pre_api_call` for both, as LiteLLM). */
class CountingLogger extends CustomLogger {
  override log_pre_api_call(): void {
    counts.pre++;
  }
  override log_post_api_call(): void {
    counts.post++;
  }
  override log_success_event(): void {
    counts.success++;
  }
  override log_failure_event(): void {
    counts.failure++;
  }
  override async async_log_pre_api_call(): Promise<void> {
    counts.pre++;
  }
  override async async_log_success_event(): Promise<void> {
    counts.success++;
  }
  override async async_log_failure_event(): Promise<void> {
    counts.failure++;
  }
}

function countInput(): void {
  counts.input++;
}
function countSuccess(): void {
  counts.successFn++;
}
function countFailure(): void {
  counts.failureFn++;
}

/**
 * `BENCH_CALLBACKS_READ=1`: the same five, each taking its kwargs and reading one key, so that each
 * run gets its own copy of the event (a handler that declares no parameter cannot see one, and gets none).
 */
const READ = process.env.BENCH_CALLBACKS_READ === "1";
let lastId: unknown;
class ReadingLogger extends CustomLogger {
  override log_pre_api_call(_m: string, _msgs: unknown, k: CallbackKwargs): void {
    lastId = k.litellm_call_id;
    counts.pre++;
  }
  override log_post_api_call(k: CallbackKwargs): void {
    lastId = k.litellm_call_id;
    counts.post++;
  }
  override log_success_event(k: CallbackKwargs): void {
    lastId = k.litellm_call_id;
    counts.success++;
  }
  override log_failure_event(k: CallbackKwargs): void {
    lastId = k.litellm_call_id;
    counts.failure++;
  }
  override async async_log_pre_api_call(_m: string, _msgs: unknown, k: CallbackKwargs): Promise<void> {
    lastId = k.litellm_call_id;
    counts.pre++;
  }
  override async async_log_success_event(k: CallbackKwargs): Promise<void> {
    lastId = k.litellm_call_id;
    counts.success++;
  }
  override async async_log_failure_event(k: CallbackKwargs): Promise<void> {
    lastId = k.litellm_call_id;
    counts.failure++;
  }
}
const readInput = (k: CallbackKwargs): void => void ((lastId = k.litellm_call_id), counts.input++);
const readSuccess = (k: CallbackKwargs): void => void ((lastId = k.litellm_call_id), counts.successFn++);
const readFailure = (k: CallbackKwargs): void => void ((lastId = k.litellm_call_id), counts.failureFn++);

/** Handler runs one successful call should cause: two loggers × (pre, post, success), input, success. */
export const RUNS_PER_CALL = 8;

export function totalRuns(): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}

/** Registers the five callbacks globally; `read`: the five that take their kwargs (each run then gets its own copy). */
export function installFive(read = READ): void {
  if (read) {
    litellm.callbacks = [new ReadingLogger(), new ReadingLogger()];
    litellm.input_callback = [readInput];
    litellm.success_callback = [readSuccess];
    litellm.failure_callback = [readFailure];
    return;
  }
  litellm.callbacks = [new CountingLogger(), new CountingLogger()];
  litellm.input_callback = [countInput];
  litellm.success_callback = [countSuccess];
  litellm.failure_callback = [countFailure];
}

export function uninstall(): void {
  litellm.callbacks = [];
  litellm.input_callback = [];
  litellm.success_callback = [];
  litellm.failure_callback = [];
}
