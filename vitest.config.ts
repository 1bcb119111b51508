import { defineConfig } from "vitest/config";
import SlowestFirst from "./test/support/sequencer.ts";

export default defineConfig({
  test: {
    include: ["core/**/*.test.ts", "builtin-callbacks/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    // Builds dist/ once when the sources are newer: the pack test and the projects that import the package read it.
    globalSetup: ["test/support/build.ts"],
    // Most files wait on sockets, child processes and timers rather than the CPU: more files than cores keeps both cores busy.
    maxWorkers: 3,
    sequence: { sequencer: SlowestFirst },
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
