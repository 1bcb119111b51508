/**
 * The live page's memory of calls: a ring of the last `max_events` calls of one
 * runtime, keyed by `litellm_trace_id`, each with its row, its events' kwargs
 * and its latest standard record. The `ui` built-in fills it in the background;
 * the server reads it and fans its rows out.
 *
 * The kwargs are kept as each attempt's end event handed them (the copy every
 * built-in shares, redacted as the loggers see it), with the marks of the
 * attempt's earlier events, and serialised only when the page asks for the
 * call: serialising every event as it comes costs several µs a call, which
 * runs on the same thread as the calls. The earlier events' kwargs are read
 * back from the end event's then (core/callbacks/event-marks.ts). Bounded three ways: calls (oldest
 * evicted), events per call, and the estimated weight of the detail across the
 * ring (past it the oldest calls keep their row only).
 */
import { kwargsAt, type EventMark } from "../callbacks/event-marks.ts";
import { recordJson, type RecordPolicy } from "../callbacks/safe-json.ts";
import type { CallbackKwargs } from "../types.ts";
import type { CallSummary, EventRecord } from "./types.ts";

/** Attempts kept per call: a call with more retries than this keeps its first ones. */
export const MAX_EVENTS_PER_CALL = 32;
/** Characters of prompts and answers the kept events may hold at most, across the ring (an estimate: see `weigh`). */
export const MAX_DETAIL_BYTES = 64 * 1024 * 1024;

/** An attempt's end: its event, and the marks of the events before it. */
interface StoredEvent {
  readonly event: "success" | "failure";
  readonly attempt: number;
  readonly at: number;
  /** The kwargs the event handed its handlers, serialised when asked for. */
  readonly kwargs: CallbackKwargs;
  /** The attempt's pre_api_call and post_api_call, whose kwargs are the first keys of these. */
  readonly marks: readonly EventMark[];
  /** How the event's scope writes records: its size bound and the scrubber of its secrets. */
  readonly policy: RecordPolicy;
  /** Its estimated size (`weigh`). */
  readonly weight: number;
}

/** One call in the ring; `state` belongs to whoever fills it (the built-in's bookkeeping of attempts). */
export interface RingEntry {
  readonly id: string;
  /** Null until one of its attempts ended: a call in flight has no row yet. */
  summary: CallSummary | null;
  state: unknown;
  events: StoredEvent[];
  /** The latest standard record and the policy to write it with. */
  slo: { readonly record: object; readonly policy: RecordPolicy } | null;
  bytes: number;
}

export type RowListener = (row: CallSummary) => void;

export class CallRing {
  private readonly entries = new Map<string, RingEntry>();
  private readonly listeners = new Set<RowListener>();
  private bytes = 0;

  constructor(private max: number) {}

  /** The calls it keeps; a smaller bound evicts the oldest at once. */
  get maxEvents(): number {
    return this.max;
  }

  resize(max: number): void {
    this.max = max;
    this.evict();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The call `id`, made (and the oldest evicted past the bound) when new. */
  entry(id: string): RingEntry {
    let e = this.entries.get(id);
    if (!e) {
      e = { id, summary: null, state: undefined, events: [], slo: null, bytes: 0 };
      this.entries.set(id, e);
      this.evict();
    }
    return e;
  }

  addEvent(e: RingEntry, event: StoredEvent): void {
    if (e.events.length >= MAX_EVENTS_PER_CALL || !this.entries.has(e.id)) return;
    e.events.push(event);
    this.grow(e, event.weight);
  }

  /** The call's latest standard record (its size is counted with its event's kwargs, which hold it). */
  setRecord(e: RingEntry, record: object, policy: RecordPolicy): void {
    if (this.entries.has(e.id)) e.slo = { record, policy };
  }

  /** A new or changed row: kept, and handed to every listener. */
  publish(e: RingEntry, row: CallSummary): void {
    if (!this.entries.has(e.id)) return;
    e.summary = row;
    for (const listener of this.listeners) listener(row);
  }

  /** Listens for rows; returns the removal. */
  subscribe(listener: RowListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The rows, oldest call first (calls still in flight have none yet). */
  rows(): CallSummary[] {
    const out: CallSummary[] = [];
    for (const e of this.entries.values()) if (e.summary) out.push(e.summary);
    return out;
  }

  /** `CallDetail` of call `id` as JSON text, or undefined when the ring does not hold it (or it has no row yet). */
  detailJson(id: string): string | undefined {
    const e = this.entries.get(id);
    if (!e?.summary) return undefined;
    let events = "";
    const add = (event: EventRecord["event"], attempt: number, at: number, kwargs: CallbackKwargs, policy: RecordPolicy) =>
      (events += `${events ? "," : ""}{"event":"${event}","attempt":${attempt},"at":${at},"kwargs":${recordJson(kwargs, policy)}}`);
    for (const ev of e.events) {
      for (const mark of ev.marks) add(mark.event, ev.attempt, mark.at, kwargsAt(ev.kwargs, mark), ev.policy);
      add(ev.event, ev.attempt, ev.at, ev.kwargs, ev.policy);
    }
    const slo = e.slo ? recordJson(e.slo.record, e.slo.policy) : "null";
    return `{"summary":${JSON.stringify(e.summary)},"standard_logging_object":${slo},"events":[${events}]}`;
  }

  private grow(e: RingEntry, by: number): void {
    e.bytes += by;
    this.bytes += by;
    if (this.bytes <= MAX_DETAIL_BYTES) return;
    // The oldest calls give up their detail first; their rows stay.
    for (const old of this.entries.values()) {
      if (this.bytes <= MAX_DETAIL_BYTES) break;
      if (old === e) continue;
      this.drop(old);
    }
  }

  private drop(e: RingEntry): void {
    this.bytes -= e.bytes;
    e.bytes = 0;
    e.events = [];
    e.slo = null;
  }

  private evict(): void {
    if (this.entries.size <= this.max) return;
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.max) break;
      this.drop(e);
      this.entries.delete(id);
    }
  }
}

/** One ring per owner (a runtime's built-ins' `BuiltinHost.owner`): a reload's new `ui` built-in takes the ring over. */
const rings = new WeakMap<object, CallRing>();

export const DEFAULT_MAX_EVENTS = 1000;

export function ringOf(owner: object): CallRing {
  let ring = rings.get(owner);
  if (!ring) rings.set(owner, (ring = new CallRing(DEFAULT_MAX_EVENTS)));
  return ring;
}

const textLength = (v: unknown): number => {
  if (typeof v === "string") return v.length;
  if (!Array.isArray(v)) return 0;
  let n = 0;
  for (const m of v) {
    const content = typeof m === "string" ? m : (m as { content?: unknown } | null)?.content;
    if (typeof content === "string") n += content.length;
    else if (Array.isArray(content)) for (const part of content) n += typeof (part as { text?: unknown })?.text === "string" ? (part as { text: string }).text.length : 256;
  }
  return n;
};

/**
 * What one event's kwargs weigh, roughly, without serialising them: the fields
 * that grow with a call (the prompt, held there a few times over, and the
 * answer) plus a fixed share for the rest. Cheap enough for every event.
 */
export function weigh(kwargs: { messages?: unknown; input?: unknown; original_response?: unknown; complete_streaming_response?: unknown }): number {
  const prompt = textLength(kwargs.messages);
  // The prompt is in messages, in the request body sent and in the record: three times.
  let n = 2048 + 3 * prompt + (kwargs.input !== kwargs.messages ? textLength(kwargs.input) : 0);
  if (typeof kwargs.original_response === "string") n += 2 * kwargs.original_response.length;
  const streamed = (kwargs.complete_streaming_response as { choices?: Array<{ message?: { content?: unknown } }> } | undefined)?.choices;
  if (Array.isArray(streamed)) for (const c of streamed) n += 2 * textLength([c?.message]);
  return n;
}
