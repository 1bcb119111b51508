/**
 * What the live page (`GET /ui`) reads from the server: the wire shapes of its
 * three data routes. The server side (core/ui/, builtin-callbacks/ui/) writes
 * them; the page (ui/) reads them. Every route below needs the master key
 * (`Authorization: Bearer ...`) when the server has one; the page's static
 * files do not (they hold no data).
 *
 *   GET /ui                      the page (HTML); /ui/assets/* its scripts, styles and vendored libraries
 *   GET /ui/api/events           server-sent events: `snapshot` once, then `call`, `reload`, `dropped`; a comment line every 15 s
 *   GET /ui/api/calls/:id        one call in full (`CallDetail`), while it is in the ring buffer; else 404
 *   GET /ui/api/state            the plumbing's health (`PlumbingState`)
 */

/** One attempt of a call, for the side panel's timeline. */
export interface AttemptSummary {
  /** 1-based, retries and fallbacks counted together. */
  readonly attempt: number;
  /** How it came to be: the call's first try, a retry of the same alias, or a fallback to another. */
  readonly kind: "first" | "retry" | "fallback";
  readonly model_group: string | null;
  /** The deployment, provider-prefixed (`openai/gpt-4o-mini`). */
  readonly deployment: string;
  readonly status: "success" | "failure";
  /** Epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly error_class: string | null;
  readonly error_message: string | null;
  /** Whether the router cooled the deployment down after this failure, when it says so. */
  readonly cooled_down: boolean;
}

/** A row of the live table: one call (all its attempts), updated as its attempts end. */
export interface CallSummary {
  /** The call's key: its `litellm_trace_id` (shared by its attempts). Rows with the same id replace each other. */
  readonly id: string;
  /** `litellm_call_id` of its latest attempt (the server's `x-litellm-call-id`). */
  readonly call_id: string;
  /** Epoch ms of the call's start, and of its latest attempt's end. */
  readonly start: number;
  readonly end: number;
  /** The latest attempt's outcome; a failed attempt followed by a retry shows the retry's when it comes. */
  readonly status: "success" | "failure";
  /** The alias asked for (the first attempt's model_group), and the deployment that answered (or failed last). */
  readonly model_group: string | null;
  readonly deployment: string;
  /** completion, acompletion, embedding, aembedding. */
  readonly call_type: string;
  readonly stream: boolean;
  readonly latency_ms: number;
  /** Time to first token of a stream, else null. */
  readonly ttft_ms: number | null;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  /** USD. */
  readonly cost: number;
  readonly cache_hit: boolean;
  readonly user: string | null;
  readonly error_class: string | null;
  /** The error's message as the records hold it (secrets scrubbed). */
  readonly error_message: string | null;
  readonly attempts: readonly AttemptSummary[];
}

/** One event as the callbacks received it: the kwargs copy, serialised as the built-ins serialise records (redacted as the loggers see them, bounded). */
export interface EventRecord {
  readonly event: "pre_api_call" | "post_api_call" | "success" | "failure";
  readonly attempt: number;
  /** Epoch ms. */
  readonly at: number;
  /** The kwargs, as JSON-safe data. */
  readonly kwargs: Record<string, unknown>;
}

/** A call in full, for the side panel. */
export interface CallDetail {
  readonly summary: CallSummary;
  /** The latest attempt's `standard_logging_object`. */
  readonly standard_logging_object: Record<string, unknown> | null;
  /** Every event of every attempt, in order. */
  readonly events: readonly EventRecord[];
}

/** `event: snapshot`, sent once when the stream opens: what the ring buffer holds now, oldest first. */
export interface SnapshotEvent {
  readonly calls: readonly CallSummary[];
  readonly config: { readonly version: number; readonly loaded_at: string };
  /** `general_settings.ui.max_events`. */
  readonly max_events: number;
}

/** `event: call`: a new or updated row. The data is a `CallSummary`. */
export type CallEvent = CallSummary;

/** `event: reload`: a reload went into service, or failed. */
export interface ReloadEvent {
  readonly ok: boolean;
  readonly version: number;
  readonly loaded_at: string;
  /** The failure, `file:line:col: message` lines, when `ok` is false. */
  readonly error: string | null;
}

/** `event: dropped`: this client fell behind and `count` rows were skipped; the page may refetch a snapshot by reconnecting. */
export interface DroppedEvent {
  readonly count: number;
}

/** One callback of one chain, for the health tab. */
export interface CallbackState {
  readonly name: string;
  /** The list it was registered in: callbacks, input_callback, success_callback, failure_callback, or a model's. */
  readonly list: string;
  /** The alias whose chain it is in, or null for the config-wide lists. */
  readonly model: string | null;
  readonly events: readonly string[];
  readonly errors: number;
  readonly timeouts: number;
  readonly dropped: number;
  readonly last_error: string | null;
}

/** What one process counts of its own plumbing: each worker of `serve --num_workers N` has its own. */
export interface ProcessHealth {
  readonly callbacks: readonly CallbackState[];
  /** The sending built-ins (mixpanel, webhook, otel, ...) and their delivery counts. */
  readonly deliveries: ReadonlyArray<{ readonly name: string; readonly queued: number; readonly sent: number; readonly failed: number; readonly retries: number; readonly lost: number }>;
  /** The response cache, or null when there is none. */
  readonly cache: { readonly type: string; readonly healthy: boolean; readonly hits: number; readonly misses: number; readonly outages: number } | null;
  /** The router's deployments: state 0 healthy, 1 failing within the last minute, 2 cooling down. */
  readonly deployments: ReadonlyArray<{ readonly model_group: string; readonly deployment: string; readonly state: 0 | 1 | 2; readonly cooldowns: Readonly<Record<string, number>> }>;
  /** The background logging queue. */
  readonly queue: { readonly pending: number; readonly dropped: number; readonly errors: number; readonly timeouts: number };
}

/** One worker of `serve --num_workers N` in `PlumbingState.workers`: its own counts, or that it did not answer in time. */
export type WorkerState =
  | (ProcessHealth & {
      readonly pid: number;
      readonly answered: true;
      /** The config version this worker serves (each worker reloads on its own: for a moment after a save they may differ). */
      readonly config_version: number;
    })
  | { readonly pid: number; readonly answered: false };

/**
 * `GET /ui/api/state`. Under `serve --num_workers N` the counts are the sums
 * over the workers that answered (a deployment's state the worst any of them
 * sees, the cache healthy only if healthy on each) and `workers` lists each
 * worker's own; outside a cluster they are the process's and `workers` is absent.
 */
export interface PlumbingState extends ProcessHealth {
  readonly config: {
    readonly file: string | null;
    readonly version: number;
    readonly loaded_at: string;
    /** The loaded config, every secret masked. */
    readonly masked: Record<string, unknown>;
    /** The last reload that failed, `file:line:col: message` lines; null when the last one went into service or there was none. */
    readonly last_reload_error: string | null;
  };
  /** Every worker of `serve --num_workers N`, by pid; absent outside a cluster. */
  readonly workers?: readonly WorkerState[];
}
