// Requests checked against the service's own contract: path parameters, `limit`, bodies.
// The schemas come from contracts/openapi/reviews.yaml (Ajv, OpenAPI 3.0 keywords allowed),
// so the contract and the code cannot drift apart.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import Ajv from "ajv";
import YAML from "yaml";

const CONTRACT = fileURLToPath(new URL("../../../contracts/openapi/reviews.yaml", import.meta.url));

export class Checks {
  constructor(Problem, contractPath = CONTRACT) {
    this.Problem = Problem;
    this.contract = YAML.parse(readFileSync(contractPath, "utf-8"));
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema(this.contract, "contract");
    this.limitSchema = this.contract.components.parameters.Limit.schema;
  }

  validator(name) {
    return this.ajv.getSchema(`contract#/components/schemas/${name}`);
  }

  fail(errors, where) {
    const list = errors.map((e) => ({
      pointer: `${where}${e.instancePath}`.slice(0, 500),
      message: (e.message + (e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : "")).slice(0, 500),
    }));
    const detail = list.map((e) => `${e.pointer || "body"}: ${e.message}`).join("; ");
    throw new this.Problem(400, `the request does not match the contract: ${detail}`, { errors: list.slice(0, 100) });
  }

  param(schema, value, name) {
    const check = this.validator(schema);
    if (!check(value)) this.fail(check.errors, name);
    return value;
  }

  body(schema, data) {
    const check = this.validator(schema);
    if (!check(data)) this.fail(check.errors, "");
    return data;
  }

  limit(values) {
    if (values.length === 0) return this.limitSchema.default;
    if (values.length > 1) throw new this.Problem(400, "limit is given more than once");
    const text = values[0];
    const { minimum, maximum } = this.limitSchema;
    if (!/^[0-9]+$/.test(text) || Number(text) < minimum || Number(text) > maximum) {
      this.fail([{ instancePath: "", message: `must be an integer from ${minimum} to ${maximum}` }], "limit");
    }
    return Number(text);
  }
}
