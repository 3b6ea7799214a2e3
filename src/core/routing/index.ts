export {
  firstMatchingRule,
  RequestFacts,
  ruleMatches,
  rulesUseIntent,
  type RouteMatch,
  type RouteRule,
  type RuleHeaders,
} from "./rules.js";
export { defaultSmartRouting, type SmartRoutingSettings } from "./settings.js";
