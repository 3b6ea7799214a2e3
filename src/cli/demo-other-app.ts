import type { Simulator } from "../sim/index.js";

/**
 * Another app sharing a key with the gateway: it sends `count` requests at once straight to the
 * provider, using up whatever is left of the key's quota. The gateway does not see this traffic;
 * it finds out from the provider's next answer, a 429. Resolves to how many were admitted.
 */
export async function useUpKey(sim: Simulator, key: string, count: number): Promise<number> {
  const send = async (): Promise<number> => {
    const response = await fetch(`${sim.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "another app" }] }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const statuses = await Promise.all(Array.from({ length: count }, send));
  return statuses.filter((status) => status === 200).length;
}
