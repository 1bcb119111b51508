import { setTimeout as sleep } from "node:timers/promises";
import { InternalServerError, ServiceUnavailableError } from "../errors.ts";
import { fallbackKind } from "../router/classify.ts";
import { Fallbacks } from "../router/fallbacks.ts";
import type { FallbackMap } from "../router/types.ts";
import type { AttemptInfo, Route, RoutingPlan } from "./env.ts";
import { isCallSignal } from "./signal.ts";
import { uuid4 } from "../uuid.ts";
import { CompletionStream, type ChunkSource } from "./stream.ts";

/** What a call follows of its routing: an error nothing may retry, and the router's events for its callbacks. */
export interface RoutingWatch {
  /** An error no retry or fallback may answer (a moderation hook's verdict): the call fails with it at once. */
  stop?(err: unknown): boolean;
  /** A fallback alias answered after the alias asked for failed with `original_exception` (`log_success_fallback_event`). */
  fallbackSucceeded?(original_model_group: string, original_exception: unknown): void;
  /** A fallback alias failed too (`log_failure_fallback_event`). */
  fallbackFailed?(original_model_group: string, original_exception: unknown): void;
  /** An attempt failed on an alias with one deployment: nothing else of it could answer (`log_model_group_rate_limit_error`). */
  groupFailed?(model_group: string, exception: unknown): void;
  /**
   * The call failed before any attempt was made, with `exception`: every deployment at its rpm/tpm or too small
   * for the prompt, no permit freed in time, or none to try. No attempt logged it: this is its failure event.
   */
  unattempted?(exception: unknown): void;
}

/**
 * One routed call: pick a deployment, try it, retry on what is worth retrying
 * (with backoff that honours Retry-After), then fall back to other aliases.
 * Each attempt is a whole call of its own to the callbacks (pre, post, success
 * or failure), and all of them share one trace id.
 *
 * The common call (a synchronous pick, no permit, no prompt check) makes its first
 * attempt with no async frame of its own: the loop starts only when it fails.
 */
export function routed<T>(
  plan: RoutingPlan,
  params: RoutedParams,
  attempt: (route: Route, info: AttemptInfo) => Promise<T>,
  watch: RoutingWatch = {},
  own: CallRouting = {},
): Promise<T> {
  const call = new RoutedCall(plan, params, attempt, watch, own);
  const { router } = plan;
  if (router.sharing !== true && router.capped !== true && call.tokens === 0) {
    const d = router.pick(plan.alias, undefined, 0);
    if (d !== null) return call.run(d, 0, false, (err) => call.loop({ d, err }));
  }
  return call.loop(undefined);
}

/** An attempt as its callbacks see it; the call's trace id is read through it, so it is made only if read. */
class Attempt implements AttemptInfo {
  constructor(
    private readonly call: { readonly trace_id: string },
    readonly attempt: number,
    readonly model_group: string,
    readonly deployment: string,
    readonly used: ((tokens: number) => void) | undefined,
  ) {}

  get trace_id(): string {
    return this.call.trace_id;
  }
}

type RoutedParams = { api_base?: unknown; api_key?: unknown; mock_response?: unknown; litellm_trace_id?: unknown; messages?: unknown; timeout?: unknown; signal?: unknown };

/** The state of one routed call, shared by its attempts: one object, whatever the number of attempts. */
class RoutedCall<T> {
  readonly retries: number;
  readonly aliases: string[];
  /** Made when first read: a call nobody observes (a quiet served call) never reads it, nor the set of deployments tried unless one fails. */
  #trace: string | undefined;
  #tried: Set<unknown> | undefined;
  /** enable_pre_call_checks: estimated once, for every alias the call goes to; 0 when there is nothing to check. */
  readonly tokens: number;
  n = 0;
  /** The error of the alias asked for: what the fallback events report, as LiteLLM's do. */
  private original: unknown;

  constructor(
    readonly plan: RoutingPlan,
    readonly params: RoutedParams,
    readonly attempt: (route: Route, info: AttemptInfo) => Promise<T>,
    readonly watch: RoutingWatch,
    readonly own: CallRouting,
  ) {
    const { router } = plan;
    const numRetries = own.numRetries;
    this.retries = numRetries !== undefined && Number.isInteger(numRetries) && numRetries >= 0 ? numRetries : router.numRetries;
    this.aliases = [plan.alias];
    this.tokens = router.promptTokens(params);
  }

  /** The trace id every attempt of the call shares: the caller's `litellm_trace_id`, else a new UUID. */
  get trace_id(): string {
    return (this.#trace ??= typeof this.params.litellm_trace_id === "string" ? this.params.litellm_trace_id : uuid4());
  }

  /** The deployments tried so far. */
  get tried(): Set<unknown> {
    return (this.#tried ??= new Set());
  }

  /** One attempt on `d`, the `a`-th alias of the call: its answer counted for `d`, or its error to `failed` (else thrown). */
  run(d: unknown, a: number, held: boolean, failed?: (err: unknown) => Promise<T>): Promise<T> {
    const { plan, own } = this;
    const { router } = plan;
    const alias = this.aliases[a]!;
    // A streamed answer's usage is known when the stream ends, after the attempt returned it.
    const used = router.limited === true ? (tokens: number) => router.used?.(d, tokens) : undefined;
    const info: AttemptInfo = new Attempt(this, ++this.n, alias, plan.nameOf(d), used);
    router.started(d);
    const t0 = performance.now();
    let work: Promise<T>;
    try {
      // mock_testing_fallbacks: every attempt at the alias asked for fails, as LiteLLM's router makes it, so its fallbacks run.
      const routeParams = a === 0 && own.mockTestingFallbacks ? { ...this.params, mock_response: mockFallbackError(alias) } : this.params;
      work = this.attempt(plan.routeTo(d, routeParams), info);
    } catch (err) {
      work = Promise.reject(err);
    }
    return work.then((out) => {
      router.succeeded(d, performance.now() - t0, totalTokens(out));
      if (a > 0) this.watch.fallbackSucceeded?.(plan.alias, this.original);
      return held ? releasedAtEnd(out, d, router.release!.bind(router)) : out;
    }, failed);
  }

  /** The attempts after `first` failed (or all of them, with no first): retries, then the fallback aliases. */
  async loop(first: { d: unknown; err: unknown } | undefined): Promise<T> {
    const { plan, own, watch, tried, tokens, aliases } = this;
    const { router } = plan;
    const fallbacksFor = own.fallbacks ?? ((alias: string, err: unknown) => router.fallbacksFor(alias, err));
    let last: unknown;
    for (let a = 0; a < aliases.length; a++) {
      const alias = aliases[a]!;
      let triedHere = false;
      // No deployment of the alias takes the prompt: on to its context-window fallbacks, with no attempt.
      const tooLong = tokens > 0 ? router.contextWindowError(alias, tokens) : null;
      if (tooLong !== null) last = tooLong;
      else for (let retry = 0; ; retry++) {
        let d: unknown;
        let held = false;
        let err: unknown;
        if (first !== undefined) {
          // The first attempt was made before the loop, and failed.
          ({ d, err } = first);
          first = undefined;
          tried.add(d);
        } else {
          // With a shared Redis, one awaited round trip; without, the synchronous pick.
          const picked = router.sharing === true ? await router.pickShared!(alias, tried, tokens) : router.pick(alias, tried, tokens);
          if (picked === null) {
            // Every deployment at its rpm/tpm this minute: a RateLimitError, and on to the fallbacks.
            last = router.limitError?.(alias, tokens) ?? last;
            break;
          }
          d = picked;
          // max_parallel_requests: a permit before the attempt is sent; with every candidate saturated, wait for the first one freed.
          if (router.capped === true) {
            const permit = router.take!(d);
            if (permit === "full") {
              try {
                d = await router.waitForPermit!(alias, tried, tokens, waitSeconds(plan, d, this.params), isCallSignal(this.params.signal) ? this.params.signal : undefined);
              } catch (e) {
                // Waited the whole timeout: nothing was sent, so no retry; on to the fallbacks.
                last = e;
                break;
              }
            }
            held = permit !== "uncapped";
          }
          tried.add(d);
          try {
            return await this.run(d, a, held);
          } catch (e) {
            err = e;
          }
        }
        triedHere = true;
        router.failed(d, err);
        // After `failed`: a deployment it cooled down is not handed to the next waiting call.
        if (held) router.release!(d);
        last = err;
        if (router.size?.(alias) === 1) watch.groupFailed?.(alias, err);
        if (watch.stop?.(err)) throw err;
        // How many retries the alias gets depends on the class of each failure (retry_policy).
        if (retry >= router.retriesFor(alias, err, this.retries)) break;
        // No wait when another healthy deployment of the alias is left (LiteLLM's behaviour).
        await sleep(router.backoffMs(retry + 1, err, alias, tried));
      }
      if (a === 0) this.original = last;
      else if (triedHere) watch.fallbackFailed?.(plan.alias, this.original);
      for (const next of fallbacksFor(alias, last)) if (!aliases.includes(next)) aliases.push(next);
    }
    const err = last ?? new ServiceUnavailableError(`no deployment of "${plan.alias}" could be tried: all are cooling down or none is configured.`, { model: plan.alias });
    if (this.n === 0) watch.unattempted?.(err);
    throw err;
  }
}

/** What a call itself sets of its routing, over the config's `router_settings` (LiteLLM's per-call router arguments). */
export interface CallRouting {
  /** `num_retries`: retries of the alias, over `router_settings.num_retries`. */
  numRetries?: number | undefined;
  /** `fallbacks`: the aliases to try next, in place of the config's (see `callFallbacks`). */
  fallbacks?: ((alias: string, err: unknown) => readonly string[]) | undefined;
  /** `mock_testing_fallbacks: true`: the alias asked for fails every attempt, to try the fallbacks. */
  mockTestingFallbacks?: boolean;
}

/**
 * A call's own `fallbacks`, which replace the config's for that call as in LiteLLM: a list of
 * aliases (`["gpt-4o-mini", "claude"]`, tried in order after the one asked for, each once), or
 * LiteLLM's list of maps (`[{"gpt-4o": ["gpt-4o-mini"]}, {"*": ["claude"]}]`). Anything else: undefined.
 */
export function callFallbacks(value: unknown): CallRouting["fallbacks"] {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.every((v) => typeof v === "string" && v !== "")) {
    const list = Object.freeze([...(value as string[])]);
    let first: string | undefined;
    // The list follows the alias asked for; the aliases in it have no fallbacks of their own.
    return (alias) => ((first ??= alias) === alias ? list.filter((a) => a !== alias) : []);
  }
  if (value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v))) {
    const table = new Fallbacks({ fallbacks: value as FallbackMap[] }, []);
    return (alias, err) => table.for(alias, fallbackKind(err));
  }
  return undefined;
}

const seconds = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined);

/** How long a call waits for a permit: its own `timeout`, else its deployment's (or `router_settings.timeout`); undefined: the router's default. */
function waitSeconds(plan: RoutingPlan, d: unknown, params: { timeout?: unknown; api_base?: unknown; api_key?: unknown; mock_response?: unknown }): number | undefined {
  return seconds(params.timeout) ?? seconds(plan.routeTo(d, params).defaults?.timeout);
}

/**
 * The answer of an attempt that holds a permit of `d`: given back now, or for a stream when it ends (its last
 * chunk, an error, the reader stopping early or a hook failing it) or its upstream has sent all of it, whichever
 * comes first; a stream never read gives its permit back too.
 */
function releasedAtEnd<T>(out: T, d: unknown, release: (d: unknown) => void): T {
  if (!(out instanceof CompletionStream)) {
    release(d);
    return out;
  }
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    release(d);
  };
  const source: ChunkSource = out.source;
  // The deployment is done with the request once its answer is over on the wire, even if no one reads the stream.
  source.settled?.(end);
  const held: ChunkSource = {
    async next() {
      try {
        const next = await source.next();
        if (next.done === true) end();
        return next;
      } catch (err) {
        end();
        throw err;
      }
    },
    async return() {
      try {
        return await source.return();
      } finally {
        end();
      }
    },
    fail(err) {
      try {
        source.fail(err);
      } finally {
        end();
      }
    },
    forwards: source.forwards,
    settled: source.settled && ((fn) => source.settled!(fn)),
    forward:
      source.forward === undefined
        ? undefined
        : async (sink, observe) => {
            try {
              await source.forward!(sink, observe);
            } finally {
              end();
            }
          },
  };
  return new CompletionStream(held) as T;
}

const tokenCount = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/** An answer's `usage.total_tokens` (else prompt + completion), as LiteLLM's usage-based routing counts it; 0 without usage (a stream). */
export function totalTokens(out: unknown): number {
  const usage = out !== null && typeof out === "object" ? (out as { usage?: unknown }).usage : undefined;
  if (usage === null || typeof usage !== "object") return 0;
  const u = usage as { total_tokens?: unknown; prompt_tokens?: unknown; completion_tokens?: unknown };
  return tokenCount(u.total_tokens) || tokenCount(u.prompt_tokens) + tokenCount(u.completion_tokens);
}

function mockFallbackError(alias: string): InternalServerError {
  return new InternalServerError(`This is a mock exception for model=${alias}, to trigger a fallback (mock_testing_fallbacks).`, { model: alias });
}
