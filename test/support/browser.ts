// A real Chromium for the page's tests: Debian's `chromium` found on PATH (never a browser download),
// launched headless with the flags that keep it off the network, and PNG helpers to tell a drawn chart
// from a blank one.
import { spawnSync } from "node:child_process";
import { chromium, type Browser } from "playwright-core";
import { PNG } from "pngjs";

const found = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" });

/** The browser binary, or null when none is installed. */
export const chromiumPath: string | null = found.status === 0 && found.stdout.trim() ? found.stdout.trim().split("\n")[0]! : null;

/** Flags that keep Chromium from reaching anything but the test's loopback server. */
const FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error("no `chromium` on PATH: install it (apt-get install -y chromium).");
  return chromium.launch({ executablePath: chromiumPath, args: FLAGS });
}

/** The number of distinct RGB colours of a PNG: a blank or single-colour image has one or two. */
export function distinctColours(png: Buffer): number {
  const { data } = PNG.sync.read(png);
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return seen.size;
}

/** Pixels within `tolerance` of `hex` (`#2563eb`) on every channel: how much of a series' stroke was drawn. */
export function pixelsNear(png: Buffer, hex: string, tolerance = 40): number {
  const { data } = PNG.sync.read(png);
  const want = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i]! - want[0]!) <= tolerance && Math.abs(data[i + 1]! - want[1]!) <= tolerance && Math.abs(data[i + 2]! - want[2]!) <= tolerance) n++;
  }
  return n;
}
