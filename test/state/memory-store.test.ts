import { MemoryStateStore } from "../../src/state/index.js";
import { stateStoreContract } from "./store-contract.js";

stateStoreContract("memory", async () => {
  const store = new MemoryStateStore();
  return { store, close: () => store.close() };
});
