import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnv } from "node:util";

/** The environment the CLI works with: the process's, plus what a `.env` file added. */
export interface CliEnvironment {
  env: Record<string, string | undefined>;
  /** The `.env` file read, or null when there is none. */
  file: string | null;
  /** Variables whose value came from the `.env` file (not overridden by the process environment). */
  fromFile: ReadonlySet<string>;
}

/**
 * Adds the variables of `.env` in `folder` (the working directory) to `env`, as MultiRouter-AI's
 * dotenv does: a variable already set in `env` (even to "") wins over the file. No file is fine;
 * an unreadable one is an error naming it. Parsed with Node's own `util.parseEnv`.
 */
export async function withEnvFile(
  env: Record<string, string | undefined>,
  folder: string = process.cwd(),
): Promise<CliEnvironment> {
  const file = join(folder, ".env");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") return { env, file: null, fromFile: new Set() };
    throw new Error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const merged: Record<string, string | undefined> = { ...env };
  const fromFile = new Set<string>();
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || Object.hasOwn(env, name)) continue;
    merged[name] = value;
    fromFile.add(name);
  }
  return { env: merged, file, fromFile };
}
