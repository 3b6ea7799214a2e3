import { readFile } from "node:fs/promises";
import { ConfigError } from "./errors.js";
import { parseConfig } from "./parse.js";
import type { LoadedConfig } from "./types.js";

/**
 * Reads a config file and compiles it (see `parseConfig`). A missing or unreadable file is a
 * `ConfigError` naming the path.
 */
export async function loadConfigFile(
  path: string,
  env: Record<string, string | undefined>,
): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === "ENOENT"
        ? "file not found"
        : code === "EISDIR"
          ? "is a directory, not a file"
          : code === "EACCES"
            ? "permission denied"
            : `cannot read the file (${error instanceof Error ? error.message : String(error)})`;
    throw new ConfigError([{ file: path, line: null, column: null, path: "", message: reason }]);
  }
  return parseConfig(text, { file: path, env });
}
