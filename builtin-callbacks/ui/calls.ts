/**
 * One call's row, worked out from its attempts' events as they end: what the
 * live page's table shows (core/ui/types.ts `CallSummary`). Kept per call in
 * the ring entry's `state`; pure bookkeeping, no I/O.
 */
import type { AttemptSummary, CallSummary } from "../../core/ui/types.ts";
import type { CallbackKwargs, StandardLoggingObject } from "../../core/types.ts";

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const ms = (d: unknown): number | null => (d instanceof Date ? d.getTime() : null);

/** The call's bookkeeping across its attempts. */
export interface CallState {
  /** The first attempt's start (epoch ms) and alias: the row's `start` and `model_group`. */
  start: number;
  model_group: string | null;
  attempts: AttemptSummary[];
  cost: number;
}

export interface AttemptEnd {
  readonly attempt: number;
  readonly status: "success" | "failure";
  readonly end: number;
  /** The error text as records hold it, scrubbed by the caller. */
  readonly error_message: string | null;
  readonly cooled_down: boolean;
}

/** The alias an attempt ran under: the router's `metadata.model_group`, else the call's. */
export function modelGroupOf(kwargs: CallbackKwargs): string | null {
  const lp = kwargs.litellm_params as unknown as { metadata?: { model_group?: unknown }; model_group?: unknown } | undefined;
  return str(lp?.metadata?.model_group) ?? str(lp?.model_group) ?? str(kwargs.standard_logging_object?.model_group);
}

/** 1-based: the router numbers its attempts in `metadata.attempt`; a call that is not routed has one. */
export function attemptOf(kwargs: CallbackKwargs): number {
  const n = (kwargs.litellm_params?.metadata as { attempt?: unknown } | undefined)?.attempt;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 ? n : 1;
}

export function newState(kwargs: CallbackKwargs): CallState {
  return { start: ms(kwargs.start_time) ?? Date.now(), model_group: modelGroupOf(kwargs), attempts: [], cost: 0 };
}

function deploymentOf(kwargs: CallbackKwargs, s: StandardLoggingObject | undefined): string {
  const lp = kwargs.litellm_params as unknown as { litellm_model_name?: unknown } | undefined;
  return str(lp?.litellm_model_name) ?? str(s?.hidden_params?.litellm_model_name) ?? str(s?.model) ?? String(kwargs.model ?? "");
}

/** Records an attempt that ended and returns the call's row as it stands now. */
export function attemptEnded(state: CallState, id: string, kwargs: CallbackKwargs, end: AttemptEnd): CallSummary {
  const s = kwargs.standard_logging_object;
  const failed = end.status === "failure";
  const group = modelGroupOf(kwargs);
  // A first event that was not the first attempt's (a retry's pre_api_call lost to a full queue): the alias of whatever came first.
  state.model_group ??= group;
  const start = ms(kwargs.start_time) ?? state.start;
  state.start = Math.min(state.start, start);
  const deployment = deploymentOf(kwargs, s);
  const errorClass = failed ? (str(s?.error_information?.error_class) ?? str((kwargs.exception as { name?: unknown } | undefined)?.name) ?? "Error") : null;
  const attempt: AttemptSummary = {
    attempt: end.attempt,
    kind: end.attempt === 1 ? "first" : group === state.model_group ? "retry" : "fallback",
    model_group: group,
    deployment,
    status: end.status,
    start,
    end: end.end,
    error_class: errorClass,
    error_message: failed ? end.error_message : null,
    cooled_down: end.cooled_down,
  };
  const at = state.attempts.findIndex((a) => a.attempt >= end.attempt);
  if (at === -1) state.attempts.push(attempt);
  else if (state.attempts[at]!.attempt === end.attempt) state.attempts[at] = attempt;
  else state.attempts.splice(at, 0, attempt);
  state.cost += typeof s?.response_cost === "number" && Number.isFinite(s.response_cost) ? s.response_cost : 0;
  const stream = kwargs.stream === true;
  const first = ms(kwargs.completion_start_time);
  return {
    id,
    call_id: String(kwargs.litellm_call_id ?? ""),
    start: state.start,
    end: end.end,
    status: end.status,
    model_group: state.model_group,
    deployment,
    call_type: String(kwargs.call_type ?? ""),
    stream,
    latency_ms: Math.max(0, end.end - state.start),
    ttft_ms: stream && !failed && first !== null ? Math.max(0, first - start) : null,
    prompt_tokens: s?.prompt_tokens ?? 0,
    completion_tokens: s?.completion_tokens ?? 0,
    cost: state.cost,
    cache_hit: s?.cache_hit === true,
    user: str(kwargs.user) ?? str(s?.end_user),
    error_class: errorClass,
    error_message: failed ? end.error_message : null,
    attempts: state.attempts.slice(),
  };
}
