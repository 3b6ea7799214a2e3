import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { findPackageVersion, packageVersion } from "../../src/cli/version.js";
import { tempDir } from "./run-cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const source = join(root, "src/cli/version.ts");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
}

/**
 * Builds src/cli/version.ts with the project's build settings (tsconfig.build.json: rootDir ".",
 * outDir "dist") into `<packageRoot>/dist/src/cli/version.js`, the path it has in the package.
 */
function buildVersionModule(packageRoot: string): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.build.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error("cannot read tsconfig.build.json");
  const options = { ...parsed.options, outDir: join(packageRoot, "dist"), declaration: false, noEmit: false };
  const result = ts.createProgram([source], options).emit();
  if (result.emitSkipped) throw new Error("the build of src/cli/version.ts emitted nothing");
  return join(packageRoot, "dist/src/cli/version.js");
}

async function versionOf(file: string): Promise<string> {
  const module = (await import(pathToFileURL(file).href)) as { packageVersion: () => string };
  return module.packageVersion();
}

describe("the package version", () => {
  it("from the sources is package.json's", () => {
    expect(packageVersion()).toBe(version);
    expect(version).not.toBe("0.0.0");
  });

  it("from a build (dist/src/cli/) is the package's, skipping other package.json files on the way", async () => {
    const pkg = join(tempDir(), "llmux");
    writeJson(join(pkg, "package.json"), { name: "llmux", version: "1.2.3", type: "module" });
    writeJson(join(pkg, "dist/package.json"), { type: "module" });
    writeJson(join(pkg, "dist/src/package.json"), { name: "not-llmux", version: "9.9.9", type: "module" });
    expect(await versionOf(buildVersionModule(pkg))).toBe("1.2.3");
  });

  it("installed under an app's node_modules is llmux's, not the app's", async () => {
    const app = tempDir();
    writeJson(join(app, "package.json"), { name: "my-app", version: "5.0.0", type: "module" });
    const pkg = join(app, "node_modules/llmux");
    writeJson(join(pkg, "package.json"), { name: "llmux", version: "2.0.1", type: "module" });
    expect(await versionOf(buildVersionModule(pkg))).toBe("2.0.1");
  });

  it("is 0.0.0 when no llmux package.json is found", () => {
    expect(findPackageVersion(tempDir())).toBe("0.0.0");
  });
});
