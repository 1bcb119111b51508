/**
 * A config runtime's router as a metrics scrape or the live page reads it
 * (`BuiltinHost.routing()`): each deployment's state and cool-downs now, under
 * labels worked out once per deployment, and the router's retry and fallback
 * rules. Read-only, and never on a call's path.
 */
import type { DeploymentHealth, RoutingView } from "../callbacks/builtins.ts";
import { resolveModel } from "../providers/index.ts";
import type { Router } from "../router/index.ts";
import { maskUrl } from "../secrets.ts";
import type { Deployment } from "./snapshot.ts";

type Labels = Omit<DeploymentHealth, "state" | "cooldowns">;

export function routingView(router: Router<Deployment>, env: Readonly<Record<string, string | undefined>>): RoutingView {
  const labels = new WeakMap<Deployment, Labels>();
  const labelsOf = (d: Deployment): Labels => {
    let l = labels.get(d);
    if (!l) {
      const target = resolveModel({ model: String(d.params.model), api_base: typeof d.params.api_base === "string" ? d.params.api_base : undefined, env });
      l = {
        model_group: d.alias,
        litellm_model_name: target.model,
        model_id: typeof d.model_info?.id === "string" ? d.model_info.id : "",
        api_base: (maskUrl(target.api_base) ?? "").replace(/\/+$/, ""),
        api_provider: target.provider,
      };
      labels.set(d, l);
    }
    return l;
  };
  return {
    deployments: () => router.health().map(({ d, cooling, failing, cooldowns }) => ({ ...labelsOf(d), state: cooling ? 2 : failing ? 1 : 0, cooldowns })),
    retriesFor: (alias, err) => router.retriesFor(alias, err, router.numRetries),
    fallbacksFor: (alias, err) => router.fallbacksFor(alias, err),
  };
}
