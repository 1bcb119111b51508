import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Reloaded } from "./messages.ts";
import { ReloadNotices, WINDOW_MS } from "./reload-notices.ts";

const reload = (line: string): Reloaded => ({ litellm: "reloaded", kind: "reload", lines: [line] });

describe("the primary's reload notices", () => {
  let printed: string[];
  let serving: number;
  let notices: ReloadNotices;
  beforeEach(() => {
    vi.useFakeTimers();
    printed = [];
    serving = 2;
    notices = new ReloadNotices(() => serving, (text) => void printed.push(text));
  });
  afterEach(() => vi.useRealTimers());

  it("print a reload every worker made once, naming them all, as soon as the last one says it", () => {
    notices.said(11, reload("reloaded (litellm.config.yaml changed); models: a, b"));
    expect(printed).toEqual([]);
    notices.said(12, reload("reloaded (litellm.config.yaml changed); models: a, b"));
    expect(printed).toEqual(["litellm-runtime [worker pids 11, 12]: reloaded (litellm.config.yaml changed); models: a, b\n"]);
    vi.advanceTimersByTime(WINDOW_MS * 2);
    expect(printed).toHaveLength(1);
  });

  it("print what one worker said alone after the window, and a worker that said something else on its own line", () => {
    notices.said(11, reload("reloaded; models: a"));
    notices.said(12, reload("reloaded; models: a, b"));
    expect(printed).toEqual([]);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(printed.sort()).toEqual(["litellm-runtime [worker pid 11]: reloaded; models: a\n", "litellm-runtime [worker pid 12]: reloaded; models: a, b\n"]);
  });

  it("print each issue of a refused reload once, saying the previous config keeps serving in the workers named", () => {
    const refused: Reloaded = { litellm: "reloaded", kind: "reload_error", lines: ["litellm.config.yaml:3:3 one", "litellm.config.yaml:4:3 two"] };
    notices.said(11, refused);
    notices.said(12, refused);
    expect(printed).toEqual([
      "litellm.config.yaml:3:3 one (reload_error: the previous config keeps serving [worker pids 11, 12])\n" +
        "litellm.config.yaml:4:3 two (reload_error: the previous config keeps serving [worker pids 11, 12])\n",
    ]);
  });

  it("print what waits when the primary stops", () => {
    notices.said(11, reload("reloaded; models: a"));
    notices.flushAll();
    expect(printed).toEqual(["litellm-runtime [worker pid 11]: reloaded; models: a\n"]);
  });
});
