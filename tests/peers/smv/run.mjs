// Runs swagger-mock-validator (pinned in package-lock.json) over many spec/pact pairs in one
// process, the way its CLI reads files. Input: a JSON file of
// [{id, spec, pact, additionalPropertiesInResponse?, requiredPropertiesInResponse?}, ...];
// output on stdout: one JSON object per pair, in order:
// {id, success, errors: [{code, location}], warnings: [...], ms} or {id, throws: message, ms}.
import { readFileSync } from "node:fs";
import { SwaggerMockValidatorFactory } from "@pactflow/swagger-mock-validator";

const pairs = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const validator = SwaggerMockValidatorFactory.create();
const brief = (found) => found.map((r) => ({ code: r.code, location: r.mockDetails?.location ?? "" }));
const out = [];
for (const pair of pairs) {
  const start = performance.now();
  try {
    const result = await validator.validate({
      specPathOrUrl: pair.spec,
      mockPathOrUrl: pair.pact,
      additionalPropertiesInResponse: String(Boolean(pair.additionalPropertiesInResponse)),
      requiredPropertiesInResponse: String(Boolean(pair.requiredPropertiesInResponse)),
    });
    out.push({ id: pair.id, success: result.success, errors: brief(result.errors), warnings: brief(result.warnings), ms: performance.now() - start });
  } catch (error) {
    out.push({ id: pair.id, throws: String(error?.message ?? error).split("\n")[0], ms: performance.now() - start });
  }
}
process.stdout.write(JSON.stringify(out));
