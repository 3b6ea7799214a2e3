import { InvalidRequestError } from "../../../errors/index.js";
import { isRecord } from "../../../util/index.js";
import { numberField, stringField, type JsonObject } from "../fields.js";

/** The OpenAI `reasoning_effort` values this mapper sends. */
export type ReasoningEffort = "low" | "medium" | "high";

/** Thinking budgets below this are `low` effort (Claude Code's "think" is 4000). */
export const lowEffortBelow = 8192;
/** Thinking budgets below this (and from {@link lowEffortBelow}) are `medium` ("think hard" is 10000); above, `high` ("ultrathink" is 31999). */
export const mediumEffortBelow = 24576;

/** A thinking budget in tokens → an effort: under 8192 `low`, under 24576 `medium`, else `high`. */
export function effortOfBudget(budget: number): ReasoningEffort {
  if (budget < lowEffortBelow) return "low";
  return budget < mediumEffortBelow ? "medium" : "high";
}

const efforts: Readonly<Record<string, ReasoningEffort>> = {
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "high",
  max: "high",
};

/**
 * The `reasoning_effort` for an Anthropic request: `output_config.effort` when given (`max` →
 * `high`), else `thinking: {type: "enabled", budget_tokens}` through {@link effortOfBudget};
 * `disabled`, `adaptive` or no thinking → `null` (the upstream's default).
 */
export function reasoningEffort(body: JsonObject): ReasoningEffort | null {
  const configured = stringField(body["output_config"], "effort");
  if (configured !== null) {
    const effort = efforts[configured];
    if (effort === undefined) {
      throw new InvalidRequestError(`output_config.effort must be low, medium, high or max.`, {
        param: "output_config.effort",
      });
    }
    return effort;
  }
  const thinking = body["thinking"];
  if (thinking === undefined || thinking === null) return null;
  if (!isRecord(thinking))
    throw new InvalidRequestError("thinking must be an object.", { param: "thinking" });
  if (thinking["type"] !== "enabled") return null;
  const budget = numberField(thinking, "budget_tokens");
  if (budget === null || budget < 0) {
    throw new InvalidRequestError("thinking.budget_tokens must be a number of tokens.", {
      param: "thinking.budget_tokens",
    });
  }
  return effortOfBudget(budget);
}

/** `output_config.format` (`{type: "json_schema", schema}`) → an OpenAI `response_format`, else `null`. */
export function responseFormat(body: JsonObject): JsonObject | null {
  const format = isRecord(body["output_config"]) ? body["output_config"]["format"] : undefined;
  if (format === undefined || format === null) return null;
  if (!isRecord(format) || format["type"] !== "json_schema" || !isRecord(format["schema"])) {
    throw new InvalidRequestError(`output_config.format must be {type: "json_schema", schema}.`, {
      param: "output_config.format",
    });
  }
  return { type: "json_schema", json_schema: { name: "output", schema: format["schema"] } };
}
