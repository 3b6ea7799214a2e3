import type { GroupSpec, Target } from "../types/index.js";
import { buildGroup, type Deployment, type Group } from "./plan.js";

/**
 * Compiles configured group specs into frozen engine groups, binding each deployment to its
 * provider instance's target. Deployments whose provider has no target are dropped (the config
 * layer has warned about them already).
 */
export function groupsFromSpecs(specs: readonly GroupSpec[], targets: ReadonlyMap<string, Target>): Group[] {
  const groups: Group[] = [];
  for (const spec of specs) {
    const deployments: Deployment[] = [];
    for (const d of spec.deployments) {
      const target = targets.get(d.providerId);
      if (!target) continue;
      deployments.push(
        Object.freeze({
          id: d.id,
          model: d.model,
          provider: d.providerId,
          target,
          weight: d.weight,
          tier: d.tier,
          contextWindow: d.contextWindow,
          includeUsage: d.includeUsage,
          limits: Object.freeze({ rpm: d.rpm, tpm: d.tpm, rpd: d.rpd }),
          quotaGroup: d.quotaGroup ?? null,
          prefill: d.prefill ?? "auto",
          timeouts: Object.freeze({
            ...(d.firstTokenTimeoutMs === null ? {} : { firstTokenTimeoutMs: d.firstTokenTimeoutMs }),
            ...(d.streamIdleTimeoutMs === null ? {} : { streamIdleTimeoutMs: d.streamIdleTimeoutMs }),
          }),
        }),
      );
    }
    if (deployments.length > 0)
      groups.push(
        buildGroup(spec.name, spec.strategy, deployments, spec.aliases ?? [], {
          hedge: spec.hedge,
          hedgeAfterMs: spec.hedgeAfterMs,
        }),
      );
  }
  return groups;
}
