// Values a careless callback can throw or reject with that String(), a template literal or `.message` cannot turn into text.

/** A fresh set each call: a Proxy revoked, an Error whose message getter throws, and the other kinds the issue found. */
export function nastyValues(): Array<{ name: string; value: unknown }> {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const unreadable = new Error("hidden");
  Object.defineProperty(unreadable, "message", {
    get() {
      throw new Error("message getter");
    },
  });
  return [
    { name: "a null-prototype object", value: Object.create(null) as object },
    { name: "a null-prototype object with keys", value: Object.assign(Object.create(null) as object, { reason: "nope" }) },
    { name: "a revoked Proxy", value: proxy },
    {
      name: "an object whose toString throws",
      value: {
        toString() {
          throw new Error("toString");
        },
      },
    },
    { name: "an Error whose message getter throws", value: unreadable },
    { name: "undefined", value: undefined },
    { name: "null", value: null },
    { name: "a Symbol", value: Symbol("thrown") },
  ];
}
