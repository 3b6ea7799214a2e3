export { createGatewayServer } from "./app.js";
export type {
  ConfigStatus,
  GatewayServerOptions,
  ServerMetrics,
  ServerLogger,
  ProviderStatusInfo,
} from "./options.js";
export type { DashboardServerOptions, DashboardSpend } from "./routes/ui-options.js";
export { errorAnswer } from "./error-reply.js";
