import type { SimContext } from "./context.js";
import type { Exchange } from "./exchange.js";
import type { Admission } from "./rate-limiter.js";

/**
 * Asks the rate limiter to admit the exchange's request as of its arrival (the simulated latency is
 * the provider generating the answer, after admission), charging `input` prompt tokens and an `output`
 * allowance, and notes the charge in the request record when admitted.
 */
export function admitExchange(
  context: SimContext,
  exchange: Exchange,
  model: string | null,
  input: number,
  output: number,
): Admission {
  const admission = context.limiter.admit({
    key: exchange.record.key,
    model,
    input,
    output,
    at: exchange.record.at,
  });
  if (admission.admitted) exchange.record.charged = admission.charged;
  return admission;
}
