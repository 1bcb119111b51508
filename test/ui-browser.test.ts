// The live page (ui/) in a real Chromium against the real server (`startServer(rt, { ui: true })`): calls made with
// the openai client show up in the table with their model, status, tokens and cost; a failure shows its error class,
// a fallback its two attempts in the side panel with each event's kwargs; filters and pause work; the charts draw;
// the health tab shows the config masked; the master key is asked for and kept for the tab; message contents are
// text, never HTML; the stream reconnects after a server restart. Skipped, loudly, when `chromium` is not installed,
// unless REQUIRE_CHROMIUM=1 (CI), where its absence fails. UI_SCREENSHOTS=1 writes docs/images/ui-*.png.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { chromiumPath, distinctColours, launchChromium, pixelsNear } from "./support/browser.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { user } from "./support/kit.ts";

// The page's globals, as the functions these tests hand to the browser use them (the repo's tsconfig has no DOM types,
// and these stay local to this file).
interface PageElement {
  readonly textContent: string | null;
  readonly className: string;
  readonly dataset: Record<string, string | undefined>;
  readonly style: Record<string, string>;
  readonly cells: Iterable<PageElement>;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>;
  querySelector(selector: string): PageElement | null;
  getElementById(id: string): PageElement | null;
  readonly documentElement: { readonly outerHTML: string };
  readonly body: { readonly innerText: string };
};
declare const sessionStorage: Record<string, string>;
declare const localStorage: Record<string, string>;
declare const location: { readonly href: string };

const required = process.env.REQUIRE_CHROMIUM === "1";
if (!chromiumPath && !required) {
  process.stderr.write(
    "\n*** test/ui-browser.test.ts SKIPPED: no `chromium` on PATH. Install it (apt-get install -y chromium) to run it; REQUIRE_CHROMIUM=1 makes its absence a failure. ***\n\n",
  );
}

/** A provider key in the config: it must never reach the page. */
const PROVIDER_KEY = "sk-provider-browser-SECRETVALUE-4242";
const MASTER = "sk-master-browser-test-31337";
/** The requests/s series' stroke in ui/js/charts.js. */
const REQUEST_COLOUR = "#2563eb";
const XSS = "<img src=x onerror=alert(1)>";

const screenshots = process.env.UI_SCREENSHOTS === "1";
const shotDir = screenshots ? fileURLToPath(new URL("../docs/images/", import.meta.url)) : await mkdtemp(join(tmpdir(), "litellm-ui-shots-"));
await mkdir(shotDir, { recursive: true });

/** A page with its problems recorded: script errors, error-level console lines (CSP refusals among them) and dialogs. */
interface Watched {
  page: Page;
  errors: string[];
  dialogs: string[];
  /** Every request the page made, with what Chromium took it for (document, script, stylesheet, fetch, ...). */
  requests: Array<{ url: string; type: string }>;
}

async function openPage(browser: Browser, url: string, { allow = [] as RegExp[] } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Under the test's own timeout, so a wait that never ends fails with what it waited for.
  page.setDefaultTimeout(10_000);
  const watched: Watched = { page, errors: [], dialogs: [], requests: [] };
  page.on("request", (req) => watched.requests.push({ url: req.url(), type: req.resourceType() }));
  page.on("pageerror", (err) => watched.errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !allow.some((re) => re.test(msg.text()))) watched.errors.push(`console: ${msg.text()}`);
  });
  page.on("dialog", (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${url}/ui`);
  return watched;
}

/** Waits for a row of the table containing `text` (and with `status`, when given); returns its cells by column. */
async function rowWith(page: Page, text: string, status?: "success" | "failure"): Promise<Record<string, string>> {
  const handle = await page.waitForFunction(
    ([t, s]) => {
      const tr = [...document.querySelectorAll("#calls tbody tr[data-id]")].find((r) => (r.textContent ?? "").includes(t!) && (!s || r.dataset.status === s));
      if (!tr) return null;
      return Object.fromEntries([...tr.cells].map((td) => [td.className.split(" ")[0]!.replace(/^c-/, ""), td.textContent ?? ""]));
    },
    [text, status] as const,
  );
  return (await handle.jsonValue()) as Record<string, string>;
}

/** The bytes of a response sent gzipped (the server gzips text assets for a client that accepts it). */
function gzippedSize(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
      if (res.headers["content-encoding"] !== "gzip") reject(new Error(`${url} was not sent gzipped`));
      let n = 0;
      res.on("data", (chunk: Buffer) => (n += chunk.length));
      res.on("end", () => resolve(n));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/** The text of every visible row's cell of one column. */
function column(page: Page, name: string): Promise<string[]> {
  return page.$$eval(`#calls tbody tr[data-id] td.c-${name}`, (tds) => tds.map((td) => td.textContent ?? ""));
}

describe.skipIf(!chromiumPath && !required)("the live page in Chromium", () => {
  let browser: Browser;
  let fake: FakeOpenAI;
  let rt: Runtime;
  let server: RunningServer;
  let client: OpenAI;
  const pages: Watched[] = [];

  beforeAll(async () => {
    if (!chromiumPath) throw new Error("REQUIRE_CHROMIUM=1 but no `chromium` on PATH: install it (apt-get install -y chromium).");
    browser = await launchChromium();
    fake = await startFakeOpenAI();
    const upstream = { api_base: fake.url, api_key: PROVIDER_KEY };
    rt = await createRuntime({
      config: {
        model_list: [
          { model_name: "demo", litellm_params: { model: "mock/demo" }, model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 } },
          { model_name: "chat", litellm_params: { model: "openai/gpt-4o-mini", ...upstream } },
          { model_name: "limited", litellm_params: { model: "openai/fail-429", ...upstream } },
          { model_name: "broken", litellm_params: { model: "openai/fail-500", ...upstream } },
        ],
        router_settings: { fallbacks: [{ limited: ["chat"] }] },
      },
    });
    rt.on("callback_error", () => {});
    server = await startServer(rt, { host: "127.0.0.1", port: 0, ui: true });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
  });
  afterEach(async () => {
    // Every page of the test ran without a script error, a CSP refusal or a dialog.
    for (const w of pages.splice(0)) {
      expect({ errors: w.errors, dialogs: w.dialogs }).toEqual({ errors: [], dialogs: [] });
      await w.page.context().close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(0);
    await rt?.close();
    await fake?.close();
  });

  async function open(): Promise<Page> {
    return (await watch()).page;
  }
  async function watch(): Promise<Watched> {
    const w = await openPage(browser, server.url);
    pages.push(w);
    await w.page.locator('#conn[data-state="live"]').waitFor();
    return w;
  }

  it("loads only this server's files (no CDN), and under 150 KB of JavaScript gzipped, the chart library included", async () => {
    const { page, requests } = await watch();
    expect(requests.filter((r) => !r.url.startsWith(`${server.url}/`))).toEqual([]);
    const scripts = requests.filter((r) => r.type === "script").map((r) => new URL(r.url).pathname);
    expect(scripts).toEqual(expect.arrayContaining(["/ui/assets/vendor/uPlot.iife.min.js", "/ui/assets/app.js", "/ui/assets/vendor/eventsource-parser.js"]));
    // What travels: each script as the server sends it to a browser that accepts gzip.
    let bytes = 0;
    for (const path of new Set(scripts)) bytes += await gzippedSize(`${server.url}${path}`);
    expect(bytes).toBeGreaterThan(20_000);
    expect(bytes).toBeLessThan(150 * 1024);
    expect(await page.title()).toBe("litellm-runtime");
    // No master key on this server: no prompt.
    expect(await page.locator("#key-view").isHidden()).toBe(true);
  });

  it("shows each call as a row with its alias, deployment, status, tokens and cost", async () => {
    const page = await open();
    const { data, response } = await client.chat.completions.create({ model: "chat", messages: user("hello table"), user: "alice-rows" }).withResponse();
    const cost = Number(response.headers.get("x-litellm-response-cost"));
    expect(cost).toBeGreaterThan(0);

    const row = await rowWith(page, "alice-rows");
    expect(row).toMatchObject({
      status: "success",
      model: "chat → openai/gpt-4o-mini",
      type: "acompletion",
      stream: "—",
      tokens: `${data.usage!.prompt_tokens} / ${data.usage!.completion_tokens}`,
      cache: "—",
      user: "alice-rows",
      error: "",
    });
    const shown = Number(row.cost!.replace("$", ""));
    expect(Math.abs(shown - cost)).toBeLessThanOrEqual(cost * 1e-3);
    expect(row.latency).toMatch(/^\d+(\.\d+)? m?s$/);

    // A streamed call has its time to first token.
    const chunks = await client.chat.completions.create({ model: "demo", messages: user("stream it"), user: "alice-stream", stream: true });
    for await (const _ of chunks);
    const streamed = await rowWith(page, "alice-stream");
    expect(streamed).toMatchObject({ status: "success", model: "demo → mock/demo", stream: "stream" });
    expect(streamed.ttft).toMatch(/^\d+(\.\d+)? m?s$/);
  });

  it("shows a failed call with its error class", async () => {
    const page = await open();
    await expect(client.chat.completions.create({ model: "broken", messages: user("x"), user: "bob-fails" })).rejects.toMatchObject({ status: 500 });
    const row = await rowWith(page, "bob-fails");
    expect(row).toMatchObject({ status: "failure", model: "broken → openai/fail-500" });
    expect(row.error).toMatch(/InternalServerError/);
  });

  it("opens a fallback in the side panel: two attempts on a timeline, each event's kwargs, the standard record", async () => {
    const page = await open();
    await client.chat.completions.create({ model: "limited", messages: user("please fall back FALLBACK-MARK-5521"), user: "carol-fallback" });
    await rowWith(page, "carol-fallback", "success");
    await page.locator("#calls tbody tr[data-id]", { hasText: "carol-fallback" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#panel .attempt").length === 2 && document.querySelectorAll('#panel details[data-event="success"]').length > 0);

    const attempts = await page.$$eval("#panel .attempt", (els) => els.map((e) => [(e as unknown as PageElement).dataset.kind, (e as unknown as PageElement).dataset.status, e.textContent ?? ""]));
    expect(attempts.map(([kind, status]) => [kind, status])).toEqual([
      ["first", "failure"],
      ["fallback", "success"],
    ]);
    expect(attempts[0]![2]).toMatch(/RateLimitError/);
    expect(await page.locator("#panel .timeline .bar.failure").count()).toBe(1);

    const events = await page.$$eval("#panel details[data-event]", (els) => els.map((e) => (e as unknown as PageElement).dataset.event));
    expect(events).toEqual(["pre_api_call", "post_api_call", "failure", "pre_api_call", "post_api_call", "success"]);
    // The kwargs, as text: the message each attempt was sent, the model it went to.
    const kwargs = await page.$$eval("#panel details[data-event] pre", (els) => els.map((e) => e.textContent ?? ""));
    expect(kwargs[0]).toContain("FALLBACK-MARK-5521");
    expect(JSON.parse(kwargs[5]!)).toMatchObject({ model: "gpt-4o-mini" });
    const record = await page.locator("#panel details:not([data-event]) pre").textContent();
    expect(JSON.parse(record!)).toMatchObject({ model_group: "chat", status: "success" });

    await page.screenshot({ path: join(shotDir, "ui-panel.png") });
    await page.locator("#panel-close").click();
    await page.locator("#panel").waitFor({ state: "hidden" });
  });

  it("narrows the table by alias, status, user and free text", async () => {
    const page = await open();
    const { response } = await client.chat.completions.create({ model: "demo", messages: user("f"), user: "dave-filters" }).withResponse();
    await client.chat.completions.create({ model: "chat", messages: user("f"), user: "erin-filters" });
    await expect(client.chat.completions.create({ model: "broken", messages: user("f"), user: "erin-filters" })).rejects.toMatchObject({ status: 500 });
    await rowWith(page, "dave-filters");
    await rowWith(page, "erin-filters", "failure");
    const all = await page.locator("#calls tbody tr[data-id]").count();

    await page.selectOption("#f-alias", "demo");
    await page.waitForFunction(() => [...document.querySelectorAll("#calls tbody td.c-model")].every((td) => td.textContent!.startsWith("demo →")));
    expect(new Set(await column(page, "model"))).toEqual(new Set(["demo → mock/demo"]));
    expect(await page.locator("#calls tbody tr[data-id]").count()).toBeLessThan(all);
    await page.selectOption("#f-alias", "");

    await page.selectOption("#f-status", "failure");
    await page.waitForFunction(() => [...document.querySelectorAll("#calls tbody tr[data-id]")].every((tr) => tr.dataset.status === "failure"));
    expect(await page.locator("#calls tbody tr[data-id]").count()).toBeGreaterThan(0);
    await page.selectOption("#f-status", "");

    await page.fill("#f-user", "erin-filters");
    await page.waitForFunction(() => [...document.querySelectorAll("#calls tbody td.c-user")].every((td) => td.textContent === "erin-filters"));
    expect(await column(page, "user")).toEqual(["erin-filters", "erin-filters"]);
    await page.fill("#f-user", "");

    // Free text over ids too: the call id the server answered with finds exactly that call.
    await page.fill("#f-text", response.headers.get("x-litellm-call-id")!);
    await page.waitForFunction(() => document.querySelectorAll("#calls tbody tr[data-id]").length === 1);
    expect(await column(page, "user")).toEqual(["dave-filters"]);
    expect(await page.locator("#shown").textContent()).toMatch(/^1 of \d+ calls match$/);
  });

  it("holds new rows while paused and shows them on resume", async () => {
    const page = await open();
    await page.locator("#pause").click();
    await client.chat.completions.create({ model: "demo", messages: user("p"), user: "frank-paused" });
    await page.waitForFunction(() => document.getElementById("held")!.textContent!.includes("1 new event"));
    expect(await page.locator("#calls tbody tr[data-id]", { hasText: "frank-paused" }).count()).toBe(0);
    await page.locator("#pause").click();
    await rowWith(page, "frank-paused");
    expect(await page.locator("#held").textContent()).toBe("");
  });

  it("renders message contents and users as text: no element is made, no script runs", async () => {
    const page = await open();
    await client.chat.completions.create({ model: "demo", messages: user(XSS), user: XSS });
    const row = await rowWith(page, XSS);
    expect(row.user).toBe(XSS);
    await page.locator("#calls tbody tr[data-id]", { hasText: XSS }).click();
    await page.locator('#panel details[data-event="pre_api_call"] pre').first().waitFor({ state: "attached" });
    expect(await page.locator('#panel details[data-event="pre_api_call"] pre').first().textContent()).toContain(XSS);
    expect(await page.evaluate(() => document.querySelectorAll("img").length)).toBe(0);
    // afterEach checks that no dialog opened and no script error happened.
  });

  it("draws the charts as calls arrive", async () => {
    const page = await open();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 4 === 3
          ? client.chat.completions.create({ model: "broken", messages: user("c"), user: `chart-${i}` }).catch(() => undefined)
          : client.chat.completions.create({ model: i % 2 ? "chat" : "demo", messages: user(`chart ${i}`), user: `chart-${i}` }),
      ),
    );
    const chunks = await client.chat.completions.create({ model: "demo", messages: user("chart stream"), user: "chart-stream", stream: true });
    for await (const _ of chunks);
    await page.waitForFunction(() => Number(document.querySelector('[data-chart="rates"] .plot')?.dataset.total) >= 13);
    expect(await page.locator('[data-chart="rates"] figcaption').textContent()).toMatch(/\d+ requests, [1-9]\d* errors in 5 min/);
    await page.waitForFunction(() => Number(document.querySelector('[data-chart="spend"] .plot')?.dataset.total) > 0);

    const rates = await page.locator('[data-chart="rates"] canvas').screenshot();
    expect(distinctColours(rates)).toBeGreaterThan(8);
    expect(pixelsNear(rates, REQUEST_COLOUR)).toBeGreaterThan(50);
    for (const chart of ["latency", "ttft", "spend", "cache"]) {
      expect(distinctColours(await page.locator(`[data-chart="${chart}"] canvas`).screenshot()), chart).toBeGreaterThan(8);
    }
    await page.screenshot({ path: join(shotDir, "ui-calls.png") });
  });

  it("keeps the table's DOM small under a burst: the newest 500 listed, only the rows in view built", async () => {
    const page = await open();
    await page.locator("#pause").click();
    // Library calls of the same runtime reach the page too: 700 at once, held while paused, applied in one go.
    await Promise.all(Array.from({ length: 700 }, (_, i) => rt.acompletion({ model: "demo", messages: user("bulk"), user: `bulk-${i}` })));
    await page.waitForFunction(() => /paused: (\d{3}),?\d* new events held/.test(document.getElementById("held")!.textContent!));
    await page.locator("#pause").click();
    await page.waitForFunction(() => /^showing 500 of [\d,]+$/.test(document.getElementById("shown")!.textContent!));
    const built = await page.locator("#calls tbody tr[data-id]").count();
    expect(built).toBeGreaterThan(5);
    expect(built).toBeLessThan(100);

    // Scrolled to the end, the window moves there: the oldest listed rows are built, the newest are not.
    const top = await page.locator("#calls tbody tr[data-id]").first().getAttribute("data-id");
    await page.locator("#calls-scroll").evaluate((box) => (box.scrollTop = box.scrollHeight));
    await page.waitForFunction(() => document.querySelector("#calls tbody tr.spacer:last-child")!.style.height === "0px");
    expect(await page.locator(`#calls tbody tr[data-id="${top}"]`).count()).toBe(0);
    expect(await page.locator("#calls tbody tr[data-id]").count()).toBeLessThan(100);

    await page.fill("#f-text", "bulk-123");
    await page.waitForFunction(() => document.querySelectorAll("#calls tbody tr[data-id]").length >= 1 && document.getElementById("shown")!.textContent!.startsWith("1 of"));
    expect(await column(page, "user")).toEqual(["bulk-123"]);
  });

  it("shows the plumbing's health with the config masked: the provider key never reaches the page", async () => {
    const page = await open();
    await page.locator("#tab-health").click();
    await page.locator('[data-section="config"] pre').waitFor();
    const config = await page.locator('[data-section="config"] pre').textContent();
    expect(config).toContain("openai/gpt-4o-mini");
    expect(config).toContain('"api_key"');
    expect(await page.locator('[data-section="deployments"] tbody tr').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('[data-section="callbacks"]').textContent()).toContain("ui");
    expect(await page.locator("#calls-view").isHidden()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(PROVIDER_KEY);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(PROVIDER_KEY);
    await page.screenshot({ path: join(shotDir, "ui-health.png") });
  });
});

describe.skipIf(!chromiumPath && !required)("the live page with a master key", () => {
  let browser: Browser;
  let rt: Runtime;
  let server: RunningServer;

  beforeAll(async () => {
    if (!chromiumPath) throw new Error("REQUIRE_CHROMIUM=1 but no `chromium` on PATH: install it (apt-get install -y chromium).");
    browser = await launchChromium();
    rt = await createRuntime({ config: { model_list: [{ model_name: "demo", litellm_params: { model: "mock/demo" } }], general_settings: { master_key: MASTER } } });
    rt.on("callback_error", () => {});
    server = await startServer(rt, { host: "127.0.0.1", port: 0, ui: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(0);
    await rt?.close();
  });

  it("asks for the key before showing anything, refuses a wrong one, keeps the right one for the tab only", async () => {
    // The refused requests are logged by Chromium as failed resources: expected here.
    const w = await openPage(browser, server.url, { allow: [/status of 401/] });
    const { page } = w;
    try {
      await page.locator("#key-form").waitFor();
      expect(await page.locator("#calls-view").isHidden()).toBe(true);
      expect(await page.locator("#health-view").isHidden()).toBe(true);

      await page.fill("#key-input", "sk-not-the-key");
      await page.locator("#key-form button").click();
      await page.locator("#key-error").waitFor();
      expect(await page.locator("#key-error").textContent()).toMatch(/refused/);
      expect(await page.locator("#calls-view").isHidden()).toBe(true);

      await page.fill("#key-input", MASTER);
      await page.locator("#key-form button").click();
      await page.locator('#conn[data-state="live"]').waitFor();
      expect(await page.locator("#key-view").isHidden()).toBe(true);

      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER, maxRetries: 0 });
      await client.chat.completions.create({ model: "demo", messages: user("with a key"), user: "grace-keyed" });
      await rowWith(page, "grace-keyed");

      const storage = await page.evaluate(() => ({ session: Object.values(sessionStorage), local: Object.keys(localStorage).length, url: location.href }));
      expect(storage).toEqual({ session: [MASTER], local: 0, url: `${server.url}/ui` });
      expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(MASTER);

      // A reload of the tab keeps the key: no prompt.
      await page.reload();
      await page.locator('#conn[data-state="live"]').waitFor();
      expect(await page.locator("#key-view").isHidden()).toBe(true);
      await rowWith(page, "grace-keyed");
      expect({ errors: w.errors, dialogs: w.dialogs }).toEqual({ errors: [], dialogs: [] });
    } finally {
      await page.context().close();
    }
  });
});

describe.skipIf(!chromiumPath && !required)("the live page across reloads and a server restart", () => {
  let browser: Browser;
  let rt: Runtime;
  let dir: string;
  let file: string;
  const config = (extra = "") => `model_list:\n  - model_name: demo\n    litellm_params:\n      model: mock/demo\n${extra}`;

  beforeAll(async () => {
    if (!chromiumPath) throw new Error("REQUIRE_CHROMIUM=1 but no `chromium` on PATH: install it (apt-get install -y chromium).");
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), "litellm-ui-browser-"));
    file = join(dir, "litellm.config.yaml");
    await writeFile(file, config());
    rt = await createRuntime({ config: file });
    rt.on("callback_error", () => {});
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("shows a reload as it happens: the new version, and a refused one's file:line:col in a banner and the health tab", async () => {
    const server = await startServer(rt, { host: "127.0.0.1", port: 0, ui: true });
    const w = await openPage(browser, server.url);
    const { page } = w;
    try {
      await page.locator('#conn[data-state="live"]').waitFor();
      const before = rt.configVersion;
      expect(await page.locator("#config-version").textContent()).toBe(`config v${before}`);

      await writeFile(file, config("litellm_settings:\n  num_retries: 1\n"));
      expect(await rt.reload()).toBe(true);
      await page.waitForFunction((v) => document.getElementById("config-version")!.textContent === `config v${v}`, before + 1);

      await writeFile(file, config("general_settings:\n  bogus_setting: 1\n"));
      expect(await rt.reload()).toBe(false);
      await page.locator("#banner").waitFor();
      const where = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:3 general_settings\\.bogus_setting`);
      expect(await page.locator("#banner").textContent()).toMatch(where);

      await page.locator("#tab-health").click();
      await page.locator('[data-section="config"] .reload-error').waitFor();
      expect(await page.locator('[data-section="config"] .reload-error pre').textContent()).toMatch(where);
      expect({ errors: w.errors, dialogs: w.dialogs }).toEqual({ errors: [], dialogs: [] });
    } finally {
      await page.context().close();
      await server.close(0);
    }
  });

  it("says it is disconnected, reconnects by itself and takes the new server's snapshot", async () => {
    let server = await startServer(rt, { host: "127.0.0.1", port: 0, ui: true });
    const port = server.port;
    // The dropped stream is logged as a failed fetch: expected here.
    const w = await openPage(browser, server.url, { allow: [/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING|network error/i] });
    const { page } = w;
    try {
      await page.locator('#conn[data-state="live"]').waitFor();
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
      await client.chat.completions.create({ model: "demo", messages: user("before"), user: "henry-before" });
      await rowWith(page, "henry-before");

      await server.close(0);
      await page.locator('#conn[data-state="waiting"]').waitFor();
      expect(await page.locator("#conn").textContent()).toMatch(/reconnecting in \d+ s/);

      server = await startServer(rt, { host: "127.0.0.1", port, ui: true });
      await page.locator('#conn[data-state="live"]').waitFor({ timeout: 15_000 });
      await client.chat.completions.create({ model: "demo", messages: user("after"), user: "henry-after" });
      await rowWith(page, "henry-after");
      // The snapshot of the new server holds the call made before the restart (the runtime's buffer outlives a server).
      await rowWith(page, "henry-before");
      expect({ errors: w.errors.filter((e) => !e.startsWith("console:")), dialogs: w.dialogs }).toEqual({ errors: [], dialogs: [] });
    } finally {
      await page.context().close();
      await server.close(0);
    }
  });
});
