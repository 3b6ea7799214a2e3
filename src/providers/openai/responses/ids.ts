/** The part of a response id after `resp_`, shared by the ids of its items. */
function stem(responseId: string): string {
  return responseId.replace(/^resp_/, "");
}

/** The kinds of output items and their id prefixes (`msg_`, `fc_`, `ctc_`, `rs_`), as OpenAI names them. */
const prefixes = { message: "msg", function_call: "fc", custom_tool_call: "ctc", reasoning: "rs" } as const;

/** An output item's id: its kind's prefix, the response id's stem and the item's output index. */
export function itemId(kind: keyof typeof prefixes, responseId: string, outputIndex: number): string {
  return `${prefixes[kind]}_${stem(responseId)}_${outputIndex}`;
}

/** A call id for a tool call the upstream sent without one. */
export function mintedCallId(responseId: string, outputIndex: number): string {
  return `call_${stem(responseId)}_${outputIndex}`;
}
