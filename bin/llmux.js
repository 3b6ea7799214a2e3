#!/usr/bin/env node
// Entry of the `llmux` command. Inside a checkout (src/ present and tsx installed) it runs the
// TypeScript sources directly; an installed package runs the compiled dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const source = `${root}src/cli/main.ts`;
let main;
if (existsSync(source) && existsSync(`${root}node_modules/tsx`)) {
  const { tsImport } = await import("tsx/esm/api");
  main = await tsImport(source, import.meta.url);
} else {
  main = await import("../dist/src/cli/main.js");
}
const code = await main.run(process.argv.slice(2));
if (typeof code === "number") process.exitCode = code;
