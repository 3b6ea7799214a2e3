import { parseArgs } from "node:util";
import { closest } from "../config/suggest.js";
import { commandNamed, commands, globalOptions, type CommandName, type OptionSpec } from "./commands.js";

/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  /** The command whose help to point at; null for the general help. */
  readonly command: CommandName | null;

  constructor(message: string, command: CommandName | null) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Option values by long name (strings and flags; an option given twice keeps the last value). */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** A parsed command line. */
export interface CommandLine {
  /** Null when no command was named (`llmux --port 5000`): serve or demo, decided by the caller. */
  command: CommandName | null;
  /** `--help`, `-h` or `llmux help [command]`. */
  help: boolean;
  version: boolean;
  values: OptionValues;
}

/** Without a command, the options of serve and demo are accepted until one of them is chosen. */
function optionsOf(command: CommandName | null): Record<string, OptionSpec> {
  const specs = command ? [commandNamed(command)] : [commandNamed("serve"), commandNamed("demo")];
  return Object.assign({}, ...specs.map((spec) => spec?.options ?? {}), globalOptions) as Record<
    string,
    OptionSpec
  >;
}

function hint(command: CommandName | null): string {
  return command ? `see 'llmux ${command} --help'` : "see 'llmux --help'";
}

/** One line for a `node:util` parseArgs error. */
function explain(error: Error & { code?: string }, command: CommandName | null, known: string[]): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  const prefix = command ? `llmux ${command}` : "llmux";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = quoted.split("=")[0] ?? quoted;
    const match = name.startsWith("--") ? closest(name.slice(2), known) : null;
    const suggestion = match === null ? "" : ` (did you mean --${match}?)`;
    return `${prefix}: unknown option ${name}${suggestion}; ${hint(command)}`;
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return `${prefix}: unexpected argument '${quoted}'; ${hint(command)}`;
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing/.test(error.message)) {
    const long = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
    return `${prefix}: option ${long} needs a value; ${hint(command)}`;
  }
  return `${prefix}: ${error.message.split("\n")[0] ?? error.message}; ${hint(command)}`;
}

/** The first argument as a command: a known command, `help [command]`, or a usage error. */
function leadingCommand(argv: readonly string[]): {
  command: CommandName | null;
  help: boolean;
  rest: string[];
} {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith("-")) return { command: null, help: false, rest: [...argv] };
  if (first === "help") {
    const [topic, ...extra] = rest;
    if (topic === undefined) return { command: null, help: true, rest: extra };
    return { command: commandNamed(topic)?.name ?? unknownCommand(topic), help: true, rest: extra };
  }
  return { command: commandNamed(first)?.name ?? unknownCommand(first), help: false, rest };
}

function unknownCommand(name: string): never {
  const match = closest(
    name,
    commands.map((command) => command.name),
  );
  const suggestion = match === null ? "" : ` (did you mean '${match}'?)`;
  throw new UsageError(`llmux: unknown command '${name}'${suggestion}; see 'llmux --help'`, null);
}

/**
 * Parses `llmux [command] [options]`. `implied` re-parses a command line without a command word as
 * that command (strictly, with only its options). Throws `UsageError` for unknown commands and
 * options, missing values and stray arguments.
 */
export function parseCommandLine(argv: readonly string[], implied?: CommandName): CommandLine {
  const lead = implied ? { command: implied, help: false, rest: [...argv] } : leadingCommand(argv);
  const options = optionsOf(lead.command);
  let parsed;
  try {
    parsed = parseArgs({ args: lead.rest, options, strict: true, allowPositionals: false });
  } catch (error) {
    const known = Object.keys(options);
    if (error instanceof Error) throw new UsageError(explain(error, lead.command, known), lead.command);
    throw error;
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(parsed.values))
    values[name] = Array.isArray(value) ? value.at(-1) : value;
  return {
    command: lead.command,
    help: lead.help || values["help"] === true,
    version: values["version"] === true,
    values,
  };
}

/** A string option's value. */
export function textOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** `--port`: a port number 0–65535, or undefined when not given. */
export function portOption(values: OptionValues, command: CommandName): number | undefined {
  const text = textOption(values, "port");
  if (text === undefined) return undefined;
  const port = Number(text);
  if (text.trim() === "" || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`llmux ${command}: --port must be a port number (0-65535), got '${text}'`, command);
  return port;
}
