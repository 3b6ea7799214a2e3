import { commands, globalOptions, type CommandSpec, type OptionSpec } from "./commands.js";
import { packageVersion } from "./version.js";

function flag(name: string, option: OptionSpec): string {
  return option.type === "string" ? `--${name} ${option.placeholder ?? "VALUE"}` : `--${name}`;
}

function synopsis(command: CommandSpec): string {
  const options = Object.entries(command.options).map(([name, option]) => `[${flag(name, option)}]`);
  return `llmux ${command.name} ${options.join(" ")}`.trimEnd();
}

/** Wraps a paragraph at 100 columns. */
function wrap(text: string, indent = ""): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(" ")) {
    if (line.trim() !== "" && line.length + word.length + 1 > 100) {
      lines.push(line);
      line = indent;
    }
    line += line.trim() === "" ? word : ` ${word}`;
  }
  if (line.trim() !== "") lines.push(line);
  return lines;
}

/** `llmux --help`: every command with its options. */
export function generalHelp(): string {
  const lines = [
    `llmux ${packageVersion()} — one OpenAI-compatible endpoint over many LLM keys and providers`,
    "",
    "Usage:",
    ...commands.flatMap((command) => [`  ${synopsis(command)}`, ...wrap(command.summary, "      ")]),
    "  llmux help [COMMAND]  |  llmux COMMAND --help  |  llmux --version",
    "",
    ...wrap(
      "Without a command, llmux serves when a config file is found (--config, $LLMUX_CONFIG, ./llmux.yaml, ./llmux.yml, ./providers.yaml, ./providers.yml) and runs the demo otherwise.",
    ),
  ];
  return lines.join("\n");
}

/** `llmux <command> --help`: the command's usage, options and notes. */
export function commandHelp(command: CommandSpec): string {
  const options = { ...command.options, ...globalOptions };
  const rows = Object.entries(options).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : "    ";
    return [`${short}${flag(name, option)}`, option.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `llmux ${command.name} — ${command.summary}`,
    "",
    `Usage: ${synopsis(command)}`,
    "",
    "Options:",
    ...rows.flatMap(([left, help]) => {
      const [first = "", ...rest] = wrap(help, "".padEnd(width + 4));
      return [`  ${left.padEnd(width)}  ${first.trimStart()}`, ...rest];
    }),
    ...command.notes.flatMap((note) => ["", ...wrap(note)]),
  ].join("\n");
}
