/**
 * Exit codes of the `llmux` command (README "Exit codes"):
 * - 0: done (a server stopped by SIGTERM/SIGINT after finishing in-flight requests);
 * - 1: an unexpected error;
 * - 2: a usage error (unknown command or option, bad value) or a config that cannot be used;
 * - 3: the server cannot listen: the port is in use (EADDRINUSE) or not permitted (EACCES).
 */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  cannotListen: 3,
} as const;
