// Validates an OpenAPI document with @apidevtools/swagger-parser (the OpenAPI 3.0 JSON schema
// and every $ref resolved). Usage: node validate_openapi.mjs <node_modules> <openapi.json>
// Exit 0 valid, 1 invalid (the reason printed), 2 usage.
import { createRequire } from "node:module";
import path from "node:path";

const [modules, file] = process.argv.slice(2);
if (!modules || !file) {
  console.error("usage: node validate_openapi.mjs <node_modules> <openapi.json>");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const SwaggerParser = require("@apidevtools/swagger-parser");
try {
  const api = await SwaggerParser.validate(path.resolve(file));
  const operations = Object.values(api.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${operations} operations, ` +
              `${Object.keys(api.components.schemas).length} schemas`);
} catch (e) {
  console.log(`${file}: INVALID: ${e.message}`);
  process.exit(1);
}
