import type { ChatRequest } from "../../src/types/index.js";
import type { LabelledExample } from "./labelled-set.js";

const paragraph =
  "Quarterly revenue grew in every region except APAC, where the new distributor took longer to ramp up than planned. " +
  "Churn fell slightly after the onboarding changes, and support tickets per customer are down for the third month. ";

/** A long agent system prompt (IDE agents send 10–30 KB of instructions). */
const agentSystem =
  "You are an autonomous coding agent working in the user's repository. Use the tools to read files, run commands and edit code. " +
  "Always run the tests after a change. Never commit secrets. Prefer small, reviewable diffs. ".repeat(200);

/**
 * A realistic mix: the labelled requests as they are, plus one in ten with a pasted document of about
 * 8 KB and one in twenty behind a 25 KB agent system prompt.
 */
export function realisticMix(examples: readonly LabelledExample[]): ChatRequest[] {
  const mix: ChatRequest[] = [];
  examples.forEach((example, index) => {
    mix.push(example.request);
    if (index % 10 === 0) {
      mix.push({
        model: "auto",
        messages: [
          {
            role: "user",
            content: `Summarize this report in three bullet points:\n\n${paragraph.repeat(36)}`,
          },
        ],
      });
    }
    if (index % 20 === 0) {
      mix.push({
        ...example.request,
        messages: [{ role: "system", content: agentSystem }, ...example.request.messages],
      });
    }
  });
  return mix;
}

/** A request at the worst case of the bounds: prose filling the user and system budgets (100 KB each). */
export const hugeProse: ChatRequest = {
  model: "auto",
  messages: [
    { role: "system", content: paragraph.repeat(450) },
    { role: "user", content: `${paragraph.repeat(450)} What do you think?` },
  ],
};
