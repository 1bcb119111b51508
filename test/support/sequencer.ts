import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, started first. Without timings from an earlier
 * run (a fresh clone, CI) vitest starts the largest files first, and the small
 * `typecheck` file, one tsc run of about 20 s, came last and ran alone.
 */
const SLOWEST = ["test/typecheck.test.ts", "test/reload-stress.test.ts", "test/pack.test.ts", "test/cli-commands.test.ts", "test/server-lifecycle.test.ts", "test/cli-server.test.ts"];

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): number => {
      const i = SLOWEST.findIndex((name) => spec.moduleId.endsWith(name));
      return i === -1 ? SLOWEST.length : i;
    };
    const sorted = await super.sort(files);
    return sorted.map((spec, at) => ({ spec, at })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.at - b.at).map(({ spec }) => spec);
  }
}
