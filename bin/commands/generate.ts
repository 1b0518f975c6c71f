import { generateBundle } from "../../generators/bundle.ts";
import { textReport } from "../../reporters/text.ts";
import { invalidConfig, loadConfig } from "../load-config.ts";
import { displayDir, guardOutDir, writeOut } from "../out-dir.ts";
import { readPolicySources } from "../policies.ts";
import { CONFIG_OPTION, type Command, OUT_OPTION, stringOption } from "./command.ts";
import { configErrors } from "./config-errors.ts";

const WROTE_NOTHING = "; nothing in the output folder was changed";

export const command: Command = {
  help: `Usage: platform generate [--config FILE] [--out DIR]

Writes DIR (default out/) from FILE (default platform.config.ts). Only files this tool generated are
written or removed (DIR/.generated-files lists them); every other file in DIR is left exactly as it is.
Each file is replaced whole, by a rename; on an error before the first one DIR is unchanged, and a run
that is interrupted later is finished by the next. DIR may not be /, your home folder, the project
or a non-empty folder this tool did not write.`,
  options: { ...CONFIG_OPTION, ...OUT_OPTION },
  positionals: false,
  run: (args) => generate(stringOption(args, "config"), stringOption(args, "out")),
};

async function generate(configFile: string, outDir: string): Promise<number> {
  // Before the config runs: a wrong --out is refused even when the config is broken too.
  guardOutDir(outDir, configFile);
  const loaded = await loadConfig(configFile);
  if (!loaded.ok) return configErrors(configFile, loaded, textReport, process.stderr, WROTE_NOTHING);
  const { platform, source } = loaded;
  const result = generateBundle(platform, readPolicySources());
  if (!result.ok)
    return configErrors(
      configFile,
      invalidConfig(result.errors, configFile, source),
      textReport,
      process.stderr,
      WROTE_NOTHING,
    );
  const { total, written, removed, manifestWritten, warnings } = writeOut(outDir, result.bundle.files, configFile);
  for (const w of warnings) console.error(`warning: ${w}`);
  const name = displayDir(outDir);
  console.log(
    written === 0 && removed.length === 0
      ? `generated ${total} files in ${name}/: all were up to date` +
          (manifestWritten ? `; rewrote ${name}/.generated-files, the list of them` : ", nothing changed")
      : `generated ${total} files in ${name}/: ${written} written, ${total - written} unchanged` +
          (removed.length > 0 ? `, removed ${removed.length} no longer produced (${removed.join(", ")})` : ""),
  );
  return 0;
}
