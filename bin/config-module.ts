/**
 * Evaluates a TypeScript config module. esbuild (the compiler tsx uses) bundles the config with whatever it
 * imports, as ES modules in a `"type": "module"` folder (or a .mts file) and as CommonJS elsewhere, as Node and tsx
 * decide; the result is evaluated in this process, with its source map, so a stack frame names the config's own
 * line. No loader hook is registered: tsx's run on a thread of their own and every later import of the process
 * (the schema engine imports a model per kind) would wait on it.
 */
import { existsSync, readFileSync } from "node:fs";
import { Module } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type BuildFailure } from "esbuild";

/** A compile error at esbuild's position: line 1-based, column 0-based, as esbuild prints them. */
export class ConfigSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(message);
  }
}

/** A module the config imports that does not exist. */
export class MissingImportError extends Error {
  constructor(readonly specifier: string) {
    super(`Cannot find module '${specifier}'`);
  }
}

/** The module type Node gives a file of this name in this folder. */
function isEsm(path: string): boolean {
  const ext = extname(path);
  if (ext === ".mts" || ext === ".mjs") return true;
  if (ext === ".cts" || ext === ".cjs") return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, "utf8")) as { type?: unknown }).type === "module";
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/** The inline source map with every source as an absolute file URL, so a frame names the file whatever runs it. */
function absoluteSourceMap(code: string, outDir: string): string {
  const marker = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
  const m = marker.exec(code);
  if (!m) return code;
  const map = JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8")) as { sources: string[] };
  map.sources = map.sources.map((s) => pathToFileURL(resolve(outDir, s)).href);
  const encoded = Buffer.from(JSON.stringify(map)).toString("base64");
  return code.slice(0, m.index) + `//# sourceMappingURL=data:application/json;base64,${encoded}\n`;
}

export async function importConfigModule(path: string): Promise<{ default?: unknown }> {
  const esm = isEsm(path);
  const outfile = join(dirname(path), "platform-config.bundle.js");
  let code: string;
  try {
    const result = await build({
      entryPoints: [path],
      outfile,
      write: false,
      bundle: true,
      platform: "node",
      format: esm ? "esm" : "cjs",
      target: `node${process.versions.node.split(".")[0]}`,
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      // CommonJS packages bundled into a module still call require(): give them one that resolves from the config.
      ...(esm
        ? {
            banner: {
              js:
                `import { createRequire as __platformRequire } from "node:module";` +
                `const require = __platformRequire(${JSON.stringify(pathToFileURL(path).href)});`,
            },
          }
        : {}),
      define: {
        "import.meta.url": JSON.stringify(pathToFileURL(path).href),
        "import.meta.filename": JSON.stringify(path),
        "import.meta.dirname": JSON.stringify(dirname(path)),
      },
    });
    code = absoluteSourceMap(result.outputFiles[0]!.text, dirname(outfile));
  } catch (e) {
    const first = (e as BuildFailure).errors?.[0];
    if (!first) throw e;
    const unresolved = /^Could not resolve "(.*)"$/.exec(first.text);
    if (unresolved) throw new MissingImportError(unresolved[1]!);
    const at = first.location;
    // An error in a module the config imports is placed in that module's text, not at a line of the config.
    if (at && resolve(at.file) !== path)
      throw new ConfigSyntaxError(`${resolve(at.file)}:${at.line}:${at.column}: ${first.text}`, undefined, undefined);
    throw new ConfigSyntaxError(first.text, at?.line, at?.column);
  }
  process.setSourceMapsEnabled(true);
  if (esm)
    return (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as {
      default?: unknown;
    };
  const m = new Module(path);
  m.filename = path;
  (m as unknown as { paths: string[] }).paths = (
    Module as unknown as { _nodeModulePaths(dir: string): string[] }
  )._nodeModulePaths(dirname(path));
  (m as unknown as { _compile(code: string, file: string): void })._compile(code, path);
  return { default: m.exports };
}
