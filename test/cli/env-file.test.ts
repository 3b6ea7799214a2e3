import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withEnvFile } from "../../src/cli/env-file.js";
import { tempDir, writeIn } from "./run-cli.js";

describe(".env in the working directory", () => {
  it("adds its variables; a variable already set wins, even when empty (as dotenv)", async () => {
    const dir = tempDir();
    writeIn(
      dir,
      ".env",
      [
        "# MultiRouter-AI",
        "PORT=3000",
        'API_KEY="quoted secret"',
        "export LOG_LEVEL=debug",
        "NODE_ENV=",
        "RATE_LIMIT_MAX=50 # per IP",
        "",
      ].join("\n"),
    );
    const result = await withEnvFile({ LOG_LEVEL: "warn", RATE_LIMIT_MAX: "", OTHER: "x" }, dir);
    expect(result.file).toBe(join(dir, ".env"));
    expect(result.env).toEqual({
      PORT: "3000",
      API_KEY: "quoted secret",
      LOG_LEVEL: "warn",
      NODE_ENV: "",
      RATE_LIMIT_MAX: "",
      OTHER: "x",
    });
    expect([...result.fromFile].sort()).toEqual(["API_KEY", "NODE_ENV", "PORT"]);
  });

  it("is optional", async () => {
    const env = { A: "1" };
    const result = await withEnvFile(env, tempDir());
    expect(result).toEqual({ env, file: null, fromFile: new Set() });
  });

  it("an unreadable .env is an error naming it", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".env"));
    await expect(withEnvFile({}, dir)).rejects.toThrow(`cannot read ${join(dir, ".env")}: EISDIR`);
  });
});
