/**
 * The library as its users run it: the build in dist/ (`npm run bench` builds it first),
 * which Node loads as native ES modules, rather than the TypeScript sources through jiti,
 * whose rewritten modules (a getter per imported name) cost a library call about half of
 * its own CPU. Every suite that calls the library imports it from here, so the arms and
 * the callbacks they register share one runtime.
 */
export * from "../dist/core/index.js";
export { default } from "../dist/core/index.js";
