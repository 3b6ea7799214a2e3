import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package whose version the CLI, `/health` and `/status` report. */
const packageName = "llmux";

/** What is read from a `package.json`. */
interface PackageJson {
  name?: unknown;
  version?: unknown;
}

function readPackageJson(file: string): PackageJson | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PackageJson;
  } catch {
    return null;
  }
}

/**
 * The version of the `llmux` package this module belongs to: the nearest `package.json` named
 * "llmux" found walking up from `from` (default: this module's folder). This works from the sources
 * (`src/cli/`), the build (`dist/src/cli/`) and an installed copy (`node_modules/llmux/dist/src/cli/`);
 * other `package.json` files on the way (a build's `{"type":"module"}` marker, another package) are
 * skipped. "0.0.0" when none is found.
 */
export function findPackageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let folder = from;
  for (;;) {
    const json = readPackageJson(join(folder, "package.json"));
    if (json?.name === packageName && typeof json.version === "string") return json.version;
    const parent = dirname(folder);
    if (parent === folder) return "0.0.0";
    folder = parent;
  }
}

let cached: string | null = null;

/** The package version (see {@link findPackageVersion}), read once. */
export function packageVersion(): string {
  cached ??= findPackageVersion();
  return cached;
}
