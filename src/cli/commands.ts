/** The commands of `llmux`, their options and help texts: one table that parsing and help read. */

/** A command name. */
export type CommandName = "demo" | "serve" | "check" | "sim";

/** One option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** What the value is, for the help (`FILE`, `N`); string options only. */
  placeholder?: string;
  help: string;
}

/** One command. */
export interface CommandSpec {
  name: CommandName;
  summary: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** More paragraphs for `llmux <command> --help`. */
  notes: readonly string[];
}

const port = (fallback: string): OptionSpec => ({
  type: "string",
  short: "p",
  placeholder: "N",
  help: `port to listen on (${fallback}; 0 = any free port)`,
});
const host = (fallback: string): OptionSpec => ({
  type: "string",
  placeholder: "H",
  help: `interface to listen on (${fallback})`,
});
const config: OptionSpec = {
  type: "string",
  short: "c",
  placeholder: "FILE",
  help: "the config file (default: $LLMUX_CONFIG, then ./llmux.yaml, ./llmux.yml, ./providers.yaml, ./providers.yml)",
};
const environment =
  "Environment: PORT, API_KEY, RATE_LIMIT_MAX, LOG_LEVEL, NODE_ENV (as MultiRouter-AI reads them), LLMUX_API_KEYS, REDIS_URL, LLMUX_CONFIG; a .env file in the working directory is read too (variables already set win). Values written in the config file win over the environment; `llmux check` shows where each setting came from.";

/** Every command, in help order. */
export const commands: readonly CommandSpec[] = [
  {
    name: "demo",
    summary: "simulated providers + the gateway, no API keys needed",
    options: {
      port: port("default 4000"),
      host: host("default 127.0.0.1"),
      "no-traffic": { type: "boolean", help: "start the gateway without driving the live traffic" },
    },
    notes: [
      "Starts a provider simulator (three keys of 20 requests per 10 s, one broken key, a fallback model), the gateway in front of it, and about 12 s of traffic above what any one key allows; then prints what happened (upstream 429s absorbed by failover, requests served by the fallback, caller errors). The gateway keeps running until Ctrl+C.",
      "Exit codes: 3 when the port is in use (try --port 0).",
    ],
  },
  {
    name: "serve",
    summary: "run the gateway",
    options: {
      config,
      port: port("overrides server.port and PORT; default 4000"),
      host: host("overrides server.host; default 127.0.0.1"),
      watch: {
        type: "boolean",
        help: "reload the config when its file changes (SIGHUP always reloads it)",
      },
    },
    notes: [
      environment,
      "Hot reload: SIGHUP (and with --watch a change of the file) re-reads the config and the .env file, validates them first (on a problem the running config stays and every problem is logged with file:line), then swaps the plan at once: requests in flight finish on the plan they started with, unchanged deployments keep their state, removed ones drain. The listener, state, logging and routing options take effect at a restart. Without a file, the config may be given inline in LLMUX_CONFIG_YAML.",
      "Refuses to start (exit 2) when the config cannot be used or defines no models. Exit codes: 0 after SIGTERM/SIGINT once in-flight requests finished, 2 config or usage error, 3 the port is in use or not permitted.",
    ],
  },
  {
    name: "check",
    summary: "validate a config, print the routing plan and where each setting came from",
    options: { config },
    notes: [
      environment,
      "API keys and gateway keys are never printed. Exit codes: 0 the config can be served, 2 it cannot (every problem is listed with file:line:column).",
    ],
  },
  {
    name: "sim",
    summary: "run the provider simulator (OpenAI, Anthropic and Gemini wire formats)",
    options: {
      port: port("default 4010"),
      host: host("default 127.0.0.1"),
      keys: { type: "string", placeholder: "k1,k2", help: "known API keys (default: any key is accepted)" },
      rpm: { type: "string", placeholder: "N", help: "requests per minute per key" },
      tpm: { type: "string", placeholder: "N", help: "tokens per minute per key" },
      latency: { type: "string", placeholder: "MS", help: "delay before every answer" },
      "chunk-delay": { type: "string", placeholder: "MS", help: "delay between stream chunks" },
      chunks: { type: "string", placeholder: "N", help: "content chunks per answer" },
    },
    notes: ["Exit codes: 3 when the port is in use."],
  },
];

/** Options every command takes. */
export const globalOptions: Readonly<Record<string, OptionSpec>> = {
  help: { type: "boolean", short: "h", help: "print this help" },
  version: { type: "boolean", short: "v", help: "print the version" },
};

/** The command of this name, or undefined. */
export function commandNamed(name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name);
}
