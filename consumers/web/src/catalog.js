// The web front end's view of catalog: a product page's data, over fetch.
// Only the fields the page shows are read, so the pact pins exactly those.

export class CatalogError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export class CatalogClient {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.token = token;
  }

  async #get(path) {
    const response = await fetch(this.baseUrl + path, {
      headers: { Accept: "application/json", Authorization: `Bearer ${this.token}` },
    });
    if (response.status === 404) return null;
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new CatalogError(response.status, problem.detail ?? response.statusText);
    }
    return response.json();
  }

  /** A product as its page shows it, or null when catalog does not know it. */
  async productPage(productId) {
    const product = await this.#get(`/products/${encodeURIComponent(productId)}`);
    if (product === null) return null;
    const { amount, currency } = product.price;
    return {
      id: product.id,
      title: product.name,
      price: `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, "0")} ${currency}`,
      available: product.in_stock && product.status === "active",
    };
  }
}
