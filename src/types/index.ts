export type * from "./openai.js";
export type * from "./stream.js";
export type * from "./clock.js";
export type * from "./headers.js";
export type * from "./failure.js";
export type * from "./target.js";
export type * from "./events.js";
export type * from "./state.js";
export * from "./providers.js";
