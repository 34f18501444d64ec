// The provider states reviews' consumers' pacts name, set up in its own store.
// Pact's convention: POST {state, params, action}; only `setup` changes anything.

export class UnknownState extends Error {}

const HANDLERS = [
  [/^product (\S+) has no reviews$/, ["product_id"], (store, { product_id }) => store.forget(product_id)],
  [/^product (\S+) has reviews$/, ["product_id"], (store, { product_id }) => {
    store.forget(product_id);
    store.add(product_id, { rating: 5, title: "Perfect crema", body: "Holds the heat well." },
      "dev-user", "rev_3Fk8Lp2Qw7Zx", new Date("2025-04-02T11:00:02Z"));
    store.add(product_id, { rating: 4, title: "Good cup", body: "" },
      "another-user", "rev_8Wq2Nd5Rt3Ys", new Date("2025-04-01T09:30:00Z"));
  }],
  [/^review (\S+) exists$/, ["review_id"], (store, { review_id }) => {
    store.add("prd_7Hx2Kq9LmN4p", { rating: 5, title: "Perfect crema", body: "Holds the heat well." },
      "dev-user", review_id, new Date("2025-04-02T11:00:02Z"));
  }],
];

export function states(store) {
  return {
    async setup(name, params) {
      for (const [pattern, keys, handler] of HANDLERS) {
        const match = pattern.exec(name);
        if (!match) continue;
        const values = Object.fromEntries(keys.map((key, i) => [key, String(params?.[key] ?? match[i + 1])]));
        handler(store, values);
        return;
      }
      throw new UnknownState(`reviews has no provider state ${JSON.stringify(name)}`);
    },
  };
}
