/**
 * The built-in callbacks, registered by name so a config can say
 * `success_callback: [file, mixpanel]` with no code. One import line each.
 */
export {};
