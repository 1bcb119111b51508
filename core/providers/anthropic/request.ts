/** OpenAI-shaped chat parameters → the body of Anthropic's Messages API (`POST /v1/messages`). */
import { InvalidParamsError } from "../../errors.ts";
import { supportedOnly, withExtraBody } from "../request-extras.ts";
import type { ChatMessage } from "../../types.ts";

type Block = Record<string, unknown>;
interface Turn {
  role: "user" | "assistant";
  content: string | Block[];
}

/** Anthropic requires `max_tokens`; OpenAI callers rarely set it. LiteLLM's default for Claude too. */
export const DEFAULT_MAX_TOKENS = 4096;

/** OpenAI parameters with no Messages API equivalent: Anthropic would answer 400, so the call fails here (UnsupportedParamsError), naming them, unless `drop_params`. */
const UNSUPPORTED = new Set([
  "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "response_format",
  "functions", "function_call", "modalities", "audio", "prediction", "reasoning_effort", "web_search_options", "store",
]);
/** Translated below, or meaningless to Anthropic (it always streams usage; it answers one choice); `extra_body` is merged in last. */
const TRANSLATED = new Set(["max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "user", "tools", "tool_choice", "parallel_tool_calls", "stream_options", "n", "extra_body"]);

/** Whether the Messages API takes `name` with this value: not one of UNSUPPORTED, nor more than one choice, unless the value asks for nothing. */
const takes = (optional: Record<string, unknown>) => (name: string): boolean => !(UNSUPPORTED.has(name) || name === "n") || isNoOp(name, optional[name]);

/**
 * The Messages body for one call. Parameters this file does not know (`top_k`, `thinking`,
 * `service_tier`, ...) are Anthropic's own and go as they are; `extra_body`'s keys are merged over the rest.
 */
export function messagesBody(model: string, messages: ChatMessage[], given: Record<string, unknown>, stream: boolean, dropParams = false): Record<string, unknown> {
  const optional = supportedOnly(given, takes(given), dropParams, "anthropic", model);
  const { system, turns } = translateMessages(messages);
  const body: Record<string, unknown> = { model, max_tokens: optional.max_tokens ?? optional.max_completion_tokens ?? DEFAULT_MAX_TOKENS };
  if (system !== undefined) body.system = system;
  body.messages = turns;
  if (Array.isArray(optional.tools) && optional.tools.length > 0) body.tools = optional.tools.map(tool);
  const choice = toolChoice(optional.tool_choice, optional.parallel_tool_calls);
  if (choice) body.tool_choice = choice;
  if (optional.temperature != null) body.temperature = optional.temperature;
  if (optional.top_p != null) body.top_p = optional.top_p;
  if (optional.stop != null) body.stop_sequences = typeof optional.stop === "string" ? [optional.stop] : optional.stop;
  if (typeof optional.user === "string") body.metadata = { user_id: optional.user };
  for (const key of Object.keys(optional)) if (!TRANSLATED.has(key) && !UNSUPPORTED.has(key) && optional[key] !== undefined) body[key] = optional[key];
  if (optional.extra_body !== undefined) body.extra_body = optional.extra_body;
  withExtraBody(body, "anthropic", model);
  if (stream) body.stream = true;
  return body;
}

/** A value that asks for nothing (clients often send the defaults): dropped rather than refused. */
function isNoOp(key: string, v: unknown): boolean {
  if (v === null || v === false) return true;
  if (key === "n") return v === 1;
  if (key === "presence_penalty" || key === "frequency_penalty") return v === 0;
  return key === "response_format" && (v as { type?: unknown }).type === "text";
}

/** System and developer messages become the top-level `system`; tool results become user turns. */
function translateMessages(messages: ChatMessage[]): { system: string | Block[] | undefined; turns: Turn[] } {
  const system: Block[] = [];
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    switch (m.role) {
      case "system":
      case "developer":
        for (const b of blocks(m.content, where, m.cache_control)) if (b.type === "text" && b.text !== "") system.push(b);
        return;
      case "user":
        turns.push({ role: "user", content: typeof m.content === "string" && m.cache_control === undefined ? m.content : blocks(m.content, where, m.cache_control) });
        return;
      case "assistant":
        turns.push({ role: "assistant", content: assistantContent(m, where) });
        return;
      case "tool": {
        if (typeof m.tool_call_id !== "string" || m.tool_call_id === "")
          throw new InvalidParamsError(`anthropic: ${where} has role "tool" but no "tool_call_id"; set it to the id of the tool call it answers.`, { llm_provider: "anthropic" });
        const result = { type: "tool_result", tool_use_id: m.tool_call_id, content: typeof m.content === "string" ? m.content : blocks(m.content, where) };
        // Consecutive tool results answer one assistant turn: Anthropic wants them in one user turn.
        const last = turns.at(-1);
        if (last?.role === "user" && Array.isArray(last.content) && last.content.length > 0 && last.content.every((b) => b.type === "tool_result")) last.content.push(result);
        else turns.push({ role: "user", content: [result] });
        return;
      }
      default:
        throw new InvalidParamsError(`anthropic: ${where} has role "${m.role}"; use system, developer, user, assistant or tool.`, { llm_provider: "anthropic" });
    }
  });
  const cached = system.some((b) => b.cache_control !== undefined);
  // Plain text is sent as one string; blocks only when a part asks for caching.
  const top = system.length === 0 ? undefined : cached ? system : system.map((b) => b.text as string).join("\n\n");
  return { system: top, turns };
}

function assistantContent(m: ChatMessage, where: string): string | Block[] {
  const calls = m.tool_calls ?? [];
  if (calls.length === 0 && typeof m.content === "string") return m.content;
  // An empty text block is a 400 at Anthropic: an assistant turn of only tool calls has none.
  const out = blocks(m.content, where).filter((b) => !(b.type === "text" && b.text === ""));
  for (const call of calls) out.push({ type: "tool_use", id: call.id, name: call.function.name, input: toolInput(call.function.arguments, where) });
  return out;
}

function toolInput(args: unknown, where: string): Record<string, unknown> {
  if (args === "" || args == null) return {};
  let input: unknown = args;
  if (typeof args === "string") {
    try {
      input = JSON.parse(args);
    } catch {
      input = undefined;
    }
  }
  if (input === null || typeof input !== "object" || Array.isArray(input))
    throw new InvalidParamsError(`anthropic: ${where} has a tool call whose "arguments" is not a JSON object (${JSON.stringify(String(args).slice(0, 80))}); Anthropic needs the input as an object.`, { llm_provider: "anthropic" });
  return input as Record<string, unknown>;
}

/** Content as Messages blocks: text and images translated, Anthropic's own blocks (document, image, ...) kept. */
function blocks(content: ChatMessage["content"], where: string, cacheControl?: unknown): Block[] {
  const out: Block[] = typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content.map((p) => part(p, where)) : [];
  // A message-level cache_control (LiteLLM's shorthand) marks its last block.
  if (cacheControl !== undefined && out.length > 0) out[out.length - 1] = { ...out.at(-1), cache_control: cacheControl };
  return out;
}

function part(p: Record<string, unknown>, where: string): Block {
  let out: Block;
  if (p.type === "text") out = { type: "text", text: typeof p.text === "string" ? p.text : "" };
  else if (p.type === "image_url") out = image(p.image_url, where);
  else return p;
  if (p.cache_control !== undefined) out.cache_control = p.cache_control;
  return out;
}

function image(v: unknown, where: string): Block {
  const url = typeof v === "string" ? v : (v as { url?: unknown } | null)?.url;
  if (typeof url === "string") {
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (data) return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
    if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  }
  const found = typeof url === "string" ? JSON.stringify(url.slice(0, 40)) : "no url";
  throw new InvalidParamsError(`anthropic: ${where} has an image_url part with ${found}; give a data URL (data:image/png;base64,...) or an http(s) URL.`, { llm_provider: "anthropic" });
}

/** `{type:"function", function:{name, description, parameters}}` → `{name, description, input_schema}`; Anthropic's own tools go as they are. */
function tool(t: unknown): unknown {
  const fn = (t as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } } | null)?.function;
  if ((t as { type?: unknown } | null)?.type !== "function" || !fn) return t;
  const out: Block = { name: fn.name };
  if (typeof fn.description === "string") out.description = fn.description;
  out.input_schema = fn.parameters ?? { type: "object", properties: {} };
  const cache = (t as { cache_control?: unknown }).cache_control;
  if (cache !== undefined) out.cache_control = cache;
  return out;
}

/** auto / none / required → any / a named function → tool; `parallel_tool_calls: false` → `disable_parallel_tool_use`. */
function toolChoice(choice: unknown, parallel: unknown): Block | undefined {
  let out: Block | undefined;
  if (choice == null) out = parallel === false ? { type: "auto" } : undefined;
  else if (choice === "auto" || choice === "none") out = { type: choice };
  else if (choice === "required" || choice === "any") out = { type: "any" };
  else if (typeof choice === "object" && (choice as { type?: unknown }).type === "function")
    out = { type: "tool", name: (choice as { function?: { name?: unknown } }).function?.name };
  else if (typeof choice === "object" && ["auto", "any", "tool", "none"].includes((choice as { type?: string }).type ?? "")) out = { ...(choice as Block) };
  else
    throw new InvalidParamsError(`anthropic: tool_choice ${JSON.stringify(choice)} is not one of "auto", "none", "required" or {type: "function", function: {name}}.`, { llm_provider: "anthropic" });
  if (out && parallel === false && out.type !== "none") out.disable_parallel_tool_use = true;
  return out;
}
