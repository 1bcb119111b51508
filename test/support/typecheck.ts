import { join, resolve } from "node:path";
import ts from "typescript";

const TYPE_ROOTS = resolve(import.meta.dirname, "../../node_modules/@types");

/** The settings a check varies; the rest is strict TypeScript with Node's types, as an application would set it. */
export interface CheckOptions {
  module: string;
  moduleResolution: string;
  /** Write JavaScript to `<cwd>/out` (else nothing is written). */
  emit?: boolean;
  /** Check the declarations of the package and its dependencies too: the slow part, so once is enough. */
  libCheck?: boolean;
  noImplicitOverride?: boolean;
}

/**
 * `tsc` in this process, with the declaration files it has parsed kept across
 * checks: TypeScript's own libraries and Node's types are parsed once for a
 * whole test file, not once for each check, as separate `tsc` runs would.
 * Throws with tsc's own messages when a check finds errors.
 */
export function typeChecker(): (cwd: string, files: string[], options: CheckOptions) => void {
  const parsed = new Map<string, ts.SourceFile>();
  return (cwd, files, options) => {
    const { options: compilerOptions, errors } = ts.convertCompilerOptionsFromJson(
      {
        strict: true,
        noImplicitOverride: options.noImplicitOverride ?? false,
        target: "es2022",
        module: options.module,
        moduleResolution: options.moduleResolution,
        types: ["node"],
        typeRoots: [TYPE_ROOTS],
        skipLibCheck: !options.libCheck,
        ...(options.emit ? { outDir: join(cwd, "out") } : { noEmit: true }),
      },
      cwd,
    );
    if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, formatHost(cwd)));
    const host = ts.createCompilerHost(compilerOptions);
    const read = host.getSourceFile.bind(host);
    host.getCurrentDirectory = () => cwd;
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      // Only declaration files are shared: a project's own sources may change between checks.
      if (!fileName.endsWith(".d.ts")) return read(fileName, languageVersion, onError, shouldCreate);
      const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
      let file = parsed.get(key);
      if (!file) {
        file = read(fileName, languageVersion, onError, shouldCreate);
        if (file) parsed.set(key, file);
      }
      return file;
    };
    const program = ts.createProgram(files.map((f) => resolve(cwd, f)), compilerOptions, host);
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...(options.emit ? program.emit().diagnostics : [])];
    if (diagnostics.length > 0) throw new Error(ts.formatDiagnostics(diagnostics, formatHost(cwd)));
  };
}

function formatHost(cwd: string): ts.FormatDiagnosticsHost {
  return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => "\n" };
}
