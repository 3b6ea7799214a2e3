import { ConfigError, type ConfigIssue } from "../../src/config/index.js";

/** The ConfigError `run` throws (fails the test when it throws nothing or something else). */
export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

/** The issues of the ConfigError `run` throws. */
export function issuesOf(run: () => unknown): ConfigIssue[] {
  return configErrorOf(run).issues;
}
