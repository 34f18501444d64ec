// Reviews in one JSON file: read at start, replaced atomically (write, then rename) on change.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function newId() {
  const bytes = randomBytes(12);
  return "rev_" + Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export class ReviewStore {
  constructor(path) {
    this.path = path;
    this.reviews = existsSync(path) ? JSON.parse(readFileSync(path, "utf-8")).reviews : [];
  }

  save() {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ reviews: this.reviews }, null, 1));
    renameSync(temporary, this.path);
  }

  get(id) {
    return this.reviews.find((review) => review.id === id) ?? null;
  }

  page(productId, limit) {
    const all = this.reviews
      .filter((review) => review.product_id === productId)
      .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    const mean = all.length ? all.reduce((sum, r) => sum + r.rating, 0) / all.length : null;
    return {
      product_id: productId,
      average_rating: mean === null ? null : Math.round(mean * 100) / 100,
      count: all.length,
      items: all.slice(0, limit),
    };
  }

  add(productId, { rating, title, body = "" }, author, id = newId(), createdAt = new Date()) {
    const review = {
      id, product_id: productId, rating, title, body, author,
      created_at: createdAt.toISOString(),
    };
    this.reviews = this.reviews.filter((r) => r.id !== id).concat([review]);
    this.save();
    return review;
  }

  forget(productId) {
    this.reviews = this.reviews.filter((review) => review.product_id !== productId);
    this.save();
  }
}
