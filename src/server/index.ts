export { createGatewayServer } from "./app.js";
export type { GatewayServerOptions, ServerMetrics, ServerLogger, ProviderStatusInfo } from "./options.js";
export { errorAnswer } from "./error-reply.js";
