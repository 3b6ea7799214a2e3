export {
  Multiplexer,
  type MultiplexerOptions,
  type ModelOptions,
  type RequestOptions,
  type CreateChatCompletion,
} from "./multiplexer.js";
export { ChatStream } from "./chat-stream.js";
export { OpenAISdkTarget } from "./openai-sdk-target.js";
export type { DeploymentStats } from "./stats-view.js";
export { anthropic, gemini, type NativeTargetOptions } from "./native-targets.js";
