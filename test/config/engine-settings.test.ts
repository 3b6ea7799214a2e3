import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { engineOptionsOf } from "../../src/cli/gateway.js";
import { circuitSettings, cooldownSettings, engineSettings } from "../../src/core/engine-settings.js";
import { resolveEngineOptions } from "../../src/core/options.js";

const readme = readFileSync(new URL("../../src/config/README.md", import.meta.url), "utf8");

describe("one list of engine settings", () => {
  it("every setting is in the file format, reaches the engine and overrides its default", () => {
    const lines = ["routing:"];
    const expected: Record<string, number> = {};
    let value = 2;
    for (const [name, setting] of Object.entries(engineSettings)) {
      lines.push(`  ${setting.file}: ${value}`);
      expected[name] = value;
      value += 1;
    }
    lines.push("  circuit:");
    for (const setting of Object.values(circuitSettings)) lines.push(`    ${setting.file}: ${(value += 1)}`);
    lines.push("  cooldown:");
    for (const setting of Object.values(cooldownSettings))
      lines.push(`    ${setting.file}: ${setting.kind.type === "fraction" ? 0.5 : (value += 1)}`);
    const { config } = parseConfig(lines.join("\n"), { file: "t.yaml", env: {} });
    const resolved = resolveEngineOptions(engineOptionsOf(config));
    for (const [name, number] of Object.entries(expected))
      expect(resolved[name as keyof typeof engineSettings]).toBe(number);
    for (const name of Object.keys(circuitSettings))
      expect(resolved.circuit[name as keyof typeof circuitSettings]).not.toBe(
        circuitSettings[name as keyof typeof circuitSettings].default,
      );
    expect(resolved.failure.backoffJitter).toBe(0.5);
    expect(resolved.failure.minCooldownMs).not.toBe(cooldownSettings.minCooldownMs.default);
  });

  it("the engine's defaults are the list's defaults", () => {
    const resolved = resolveEngineOptions({});
    for (const [name, setting] of Object.entries(engineSettings))
      expect(resolved[name as keyof typeof engineSettings]).toBe(setting.default);
    expect(resolved.circuit).toEqual(
      Object.fromEntries(Object.entries(circuitSettings).map(([name, setting]) => [name, setting.default])),
    );
  });

  it("a wrong value is reported at its field, as the config's other errors", () => {
    expect(() => parseConfig("routing:\n  max_attempts: 0\n", { file: "t.yaml", env: {} })).toThrow(
      /t\.yaml:2.*routing\.max_attempts/s,
    );
    expect(() =>
      parseConfig("routing:\n  cooldown:\n    backoff_jitter: 2\n", { file: "t.yaml", env: {} }),
    ).toThrow(/routing\.cooldown\.backoff_jitter/);
  });

  it("the config reference documents every setting", () => {
    for (const setting of Object.values(engineSettings)) expect(readme).toContain(`\`${setting.file}\``);
    for (const setting of Object.values(circuitSettings))
      expect(readme).toContain(`\`circuit.${setting.file}\``);
    for (const setting of Object.values(cooldownSettings))
      expect(readme).toContain(`\`cooldown.${setting.file}\``);
  });
});
