export { Router } from "./router.ts";
export { ROUTER_DEFAULTS, ROUTER_TUNING, ROUTING_STRATEGIES } from "./types.ts";
export type { AllowedFailsPolicy, FallbackMap, RetryPolicy, RoutableDeployment, RouterOptions, RouterSettings, RoutingStrategy } from "./types.ts";
export { errorClass, fallbackKind, isConnectionError, isRetryable, isTimeout, isUnwell, retryAfterSeconds, statusOf, ERROR_CLASS, FALLBACK_KIND } from "./classify.ts";
export { ALLOWED_FAILS_POLICY_KEYS, RETRY_POLICY_KEYS } from "./policies.ts";
export { estimatePromptTokens } from "./context-window.ts";
