/**
 * The config is TypeScript. Under tsx (development, tests) it imports as it is; the bundled CLI
 * (dist/platform.mjs, built by bin/build.mjs) runs under plain node, so it registers tsx's loaders
 * before the first import of a config, once, as the tsx CLI would. The same loaders either way keep
 * their errors (esbuild's `file:line:col: ERROR:`) and stack frames, which bin/load-config.ts turns
 * into findings.
 */

/** Defined as `true` by bin/build.mjs; undeclared when the sources run under tsx. */
declare const PLATFORM_BUNDLE: boolean | undefined;

let registered: Promise<void> | undefined;

export function typescriptLoader(): Promise<void> {
  if (typeof PLATFORM_BUNDLE === "undefined") return Promise.resolve();
  // Both loaders, as the tsx CLI registers them: with the ESM one alone, a config that fails to compile is
  // retried through require() and reported as a "require() cycle" instead of esbuild's file:line:col.
  registered ??= Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]).then(([esm, cjs]) => {
    esm.register();
    cjs.register();
  });
  return registered;
}
