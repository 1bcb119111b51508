/** OpenAI chat messages → Gemini's `systemInstruction` and `contents` (roles `user` and `model`). */
import { InvalidParamsError } from "../../errors.ts";
import type { ChatMessage } from "../../types.ts";

export type Part = Record<string, unknown>;

/** One turn of `contents`. */
export interface Content {
  role: "user" | "model";
  parts: Part[];
}

const invalid = (message: string): InvalidParamsError => new InvalidParamsError(`gemini: ${message}`, { llm_provider: "gemini" });

/**
 * System and developer messages become `systemInstruction`; user turns `user`; assistant turns
 * `model`, their tool calls `functionCall` parts; tool results `functionResponse` parts in a user turn.
 */
export function translateMessages(messages: ChatMessage[]): { system: { parts: Part[] } | undefined; contents: Content[] } {
  const system: Part[] = [];
  const contents: Content[] = [];
  // Gemini's functionResponse names the function, OpenAI's tool message names the call: remember which is which.
  const callNames = new Map<string, string>();
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    switch (m.role) {
      case "system":
      case "developer":
        for (const p of parts(m.content, where)) if (typeof p.text === "string" && p.text !== "") system.push(p);
        return;
      case "user":
        contents.push({ role: "user", parts: parts(m.content, where) });
        return;
      case "assistant": {
        const out = parts(m.content, where).filter((p) => p.text !== "");
        for (const call of m.tool_calls ?? []) {
          callNames.set(call.id, call.function.name);
          out.push({ functionCall: { name: call.function.name, args: toolArgs(call.function.arguments, where) } });
        }
        // An empty model turn is a 400 at Gemini; an assistant message with nothing in it says nothing.
        if (out.length > 0) contents.push({ role: "model", parts: out });
        return;
      }
      case "tool": {
        const name = m.name ?? (typeof m.tool_call_id === "string" ? callNames.get(m.tool_call_id) : undefined);
        if (!name) throw invalid(`${where} has role "tool" but answers no earlier tool call: set "tool_call_id" to the id of an assistant tool call (or "name" to the function's name).`);
        const part = { functionResponse: { name, response: { content: textOf(m.content) } } };
        // Results of one assistant turn's calls go back together, in one user turn, as Gemini expects.
        const last = contents.at(-1);
        if (last?.role === "user" && last.parts.length > 0 && last.parts.every((p) => p.functionResponse !== undefined)) last.parts.push(part);
        else contents.push({ role: "user", parts: [part] });
        return;
      }
      default:
        throw invalid(`${where} has role "${m.role}"; use system, developer, user, assistant or tool.`);
    }
  });
  return { system: system.length > 0 ? { parts: system } : undefined, contents };
}

/** A tool call's `arguments` (a JSON string) as the object Gemini's `args` is. */
function toolArgs(args: unknown, where: string): Record<string, unknown> {
  if (args === "" || args == null) return {};
  let parsed: unknown = args;
  if (typeof args === "string") {
    try {
      parsed = JSON.parse(args);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw invalid(`${where} has a tool call whose "arguments" is not a JSON object (${JSON.stringify(String(args).slice(0, 80))}); Gemini needs the arguments as an object.`);
  return parsed as Record<string, unknown>;
}

/** A tool result's content as text: a string, or the text of its parts. */
function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (typeof p.text === "string" ? p.text : "")).join("");
}

/** Content as Gemini parts: text and images translated. */
function parts(content: ChatMessage["content"], where: string): Part[] {
  if (typeof content === "string") return [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((p, j) => part(p, `${where}.content[${j}]`));
}

function part(p: Record<string, unknown>, where: string): Part {
  if (p.type === "text") return { text: typeof p.text === "string" ? p.text : "" };
  if (p.type === "image_url") return image(p.image_url, where);
  throw invalid(`${where} is a "${String(p.type)}" part; Gemini takes "text" and "image_url" parts here.`);
}

/** `data:` URLs go inline; http(s) URLs by reference, with a MIME type from `format` or the file's extension. */
function image(v: unknown, where: string): Part {
  const url = typeof v === "string" ? v : (v as { url?: unknown } | null)?.url;
  const format = (v as { format?: unknown } | null)?.format;
  if (typeof url === "string") {
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (data) return { inlineData: { mimeType: data[1], data: data[2] } };
    if (/^https?:\/\//i.test(url)) return { fileData: { mimeType: typeof format === "string" ? format : mimeOf(url), fileUri: url } };
  }
  const found = typeof url === "string" ? JSON.stringify(url.slice(0, 40)) : "no url";
  throw invalid(`${where} is an image_url part with ${found}; give a data URL (data:image/png;base64,...) or an http(s) URL.`);
}

const MIME: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  mp4: "video/mp4",
  mp3: "audio/mp3",
  wav: "audio/wav",
};

/** The MIME type an URL's extension suggests; an image_url without one is taken for a JPEG, the commonest photo. */
export function mimeOf(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a parseable URL: read the extension off the text
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) ?? "image/jpeg";
}
