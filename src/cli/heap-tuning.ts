import { setFlagsFromString } from "node:v8";

const pretenuring = "allocation-site-pretenuring";

/** Whether the process was started with an explicit choice about V8's pretenuring (that choice is kept). */
function chosenOnCommandLine(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => arg === `--${pretenuring}` || arg === `--no-${pretenuring}`);
}

/**
 * Turns off V8's allocation-site pretenuring in the gateway's process (unless the command line
 * chose): measured, it more than triples the garbage collector's cost per streamed request.
 *
 * Why: V8 allocates objects of an allocation site directly in the old generation once most of
 * them survived two young collections. A gateway's per-request objects live for the request only,
 * but a few survive (a request still open at two scavenges) and the site gets "tenured"; from then
 * on each request's session and relay are born old, and everything they point to that is young —
 * the stream's events and text — survives every scavenge (old-to-new pointers are roots) until a
 * full collection, which raises the survival rate of more sites: a feedback loop. On
 * `bench:gateway`'s stream case it promoted 15 KB of each request's 75 KB to the old generation
 * (GC 66 µs per request); without pretenuring 0.3 KB (16 µs), like a bare proxy.
 *
 * A process-wide V8 setting, so it is made for the gateway only (a CLI process), never when llmux
 * is imported as a library. Returns whether it was changed.
 */
export function disablePretenuring(execArgv: readonly string[] = process.execArgv): boolean {
  if (chosenOnCommandLine(execArgv)) return false;
  setFlagsFromString(`--no-${pretenuring}`);
  return true;
}
