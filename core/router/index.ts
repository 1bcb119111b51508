export { Router } from "./router.ts";
export { ROUTER_DEFAULTS, ROUTER_TUNING, ROUTING_STRATEGIES } from "./types.ts";
export type { FallbackMap, RoutableDeployment, RouterOptions, RouterSettings, RoutingStrategy } from "./types.ts";
export { fallbackKind, isConnectionError, isRetryable, isTimeout, isUnwell, retryAfterSeconds, statusOf, FALLBACK_KIND } from "./classify.ts";
