import type { CallbackKwargs, StandardLoggingObject } from "../types.ts";

/**
 * The one readable line of a call, printed by the `console` built-in and by
 * `litellm-runtime chat` and `demo`, built from the standard logging object
 * alone (so a `file` record formats the same way):
 *
 *   12:04:05.123 · acompletion · fast → mock/x · success · 14 ms (first token 3 ms) · in 12 / out 8 tokens · $0.00000225 · cache miss · user alice · id 6f1c…
 *
 * `id` is the record's `litellm_call_id`: grep the file built-in's records for it.
 * `user` is the call's `user` when the caller knows it (kwargs.user), else the
 * record's `end_user` (LiteLLM fills that on the server only, from the request).
 */

const SEP = " · ";

export interface LineStyle {
  /** ANSI colour for the status (and the dimmed time). @default false */
  readonly color?: boolean;
}

const paint = (on: boolean | undefined, code: string, s: string): string => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** `1 event`, `2 events`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Local wall-clock time with milliseconds: `12:04:05.123`. */
export function clock(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
}

/** Dollars to 3 significant digits without float noise: `$0.00000225`, `$0.0123`, `$1.5`, `$0`; `$?` when the price is unknown. */
export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined || !Number.isFinite(cost)) return "$?";
  if (cost === 0) return "$0";
  // Decimals for 3 significant digits; toFixed, unlike toPrecision, never switches to exponent notation.
  const decimals = Math.min(100, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(cost)))));
  const fixed = cost.toFixed(decimals);
  return `$${fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed}`;
}

/** `fast → mock/x` for an alias, the model once when the call named a model directly. */
export function modelLabel(alias: string | null | undefined, deployment: string): string {
  return alias && alias !== deployment ? `${alias} → ${deployment}` : deployment;
}

/** A message on one line, and not a screenful. */
function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\s*\n\s*/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const ms = (seconds: number): string => `${Math.max(0, Math.round(seconds * 1000))} ms`;

/** The deployment, provider-prefixed: from the hidden params, else `model` with its provider (a failure has no hidden params). */
function deploymentOf(r: StandardLoggingObject): string {
  const named = r.hidden_params?.litellm_model_name;
  if (named) return named;
  return r.custom_llm_provider && !r.model.includes("/") ? `${r.custom_llm_provider}/${r.model}` : r.model;
}

/** The summary line of a success or failure record; `user` is the call's (kwargs.user), which the record does not hold. */
export function summaryLine(r: StandardLoggingObject, style: LineStyle = {}, user?: string | null): string {
  const failed = r.status === "failure";
  const info = r.error_information;
  const parts = [
    paint(style.color, "2", clock(new Date(r.startTime * 1000))),
    r.call_type,
    modelLabel(r.model_group, deploymentOf(r)),
    // A stream the client cut short is a success for what arrived, never one that looks complete.
    paint(style.color, failed ? "31" : "32", failed ? `failure ${info?.error_class || "Error"}` : r.stream_aborted ? "success (stream aborted)" : "success"),
    // The whole call's time (a stream's response_time is its first token's); on a fast stream the first token may share the start's millisecond.
    r.stream && !failed && r.completionStartTime >= r.startTime
      ? `${ms(r.endTime - r.startTime)} (first token ${ms(r.completionStartTime - r.startTime)})`
      : ms(r.endTime - r.startTime),
    `in ${r.prompt_tokens} / out ${r.completion_tokens} tokens`,
    // The record writes 0 for an unknown price, with the reason beside it: the line says it is unknown.
    formatCost(r.response_cost_failure_debug_info ? null : r.response_cost),
  ];
  if (r.cache_enabled && !failed) parts.push(r.cache_hit ? paint(style.color, "36", "cache hit") : "cache miss");
  const who = user || r.end_user;
  if (who) parts.push(`user ${who}`);
  parts.push(`id ${r.litellm_call_id ?? r.id}`);
  if (failed) {
    const code = info?.error_code ? ` [${info.error_code}]` : "";
    parts.push(paint(style.color, "31", `error${code}: ${oneLine(info?.error_message ?? r.error_str ?? "")}`));
  }
  return parts.join(SEP);
}

/** The line of an event before the end (pre_api_call, post_api_call, a stream chunk): the event's time, its name, the model, the call's id. */
export function eventLine(kwargs: CallbackKwargs, event: string, at: Date = new Date(), style: LineStyle = {}): string {
  const lp = kwargs.litellm_params;
  const deployment = typeof lp.litellm_model_name === "string" && lp.litellm_model_name ? lp.litellm_model_name : kwargs.model;
  return [paint(style.color, "2", clock(at)), paint(style.color, "90", event), modelLabel(lp.model_group, deployment), `id ${kwargs.litellm_call_id}`].join(SEP);
}
