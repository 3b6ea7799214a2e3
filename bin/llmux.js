#!/usr/bin/env node
// Entry of the `llmux` command: the built CLI (dist/). In a checkout, `npm run build` makes it;
// `npm start` / `npm run serve|check|demo` run the TypeScript sources directly instead.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = fileURLToPath(new URL("../dist/src/cli/bin.js", import.meta.url));
if (!existsSync(built)) {
  process.stderr.write(
    "llmux: the built CLI is missing (dist/src/cli/bin.js). In a checkout, run `npm run build` first, or `npm start` to run the sources.\n",
  );
  process.exit(1);
}
await import("../dist/src/cli/bin.js");
