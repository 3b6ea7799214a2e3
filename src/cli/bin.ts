/**
 * The process entry of the `llmux` command: runs one CLI invocation and sets the exit code (a
 * server keeps running until a signal). `bin/llmux.js` loads the built copy of this file.
 */
import { run } from "./main.js";

const code = await run(process.argv.slice(2));
if (typeof code === "number") process.exitCode = code;
