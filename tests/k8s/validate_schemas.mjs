// Validates Kubernetes objects against the API's OpenAPI schemas, as the npm package
// kubernetes-models carries them (types, required fields, formats; it does not reject unknown
// fields). Reads a JSON array of objects on stdin; argv[2] is the node_modules folder holding
// kubernetes-models. Prints one line per object and exits 1 when any object is invalid.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const docs = JSON.parse(readFileSync(0, "utf8"));
let failed = 0;
let checked = 0;
for (const doc of docs) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const file = join(modules, "kubernetes-models", group, version, `${doc.kind}.js`);
  const what = `${doc.kind} ${doc.metadata?.name}`;
  if (!existsSync(file)) {
    console.log(`FAILED: ${what}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failed++;
    continue;
  }
  const model = await import(pathToFileURL(file).href);
  try {
    new model[doc.kind](doc).validate();
    checked++;
  } catch (e) {
    console.log(`FAILED: ${what}: ${e.message}`);
    failed++;
  }
}
console.log(`schemas: ${checked} objects valid, ${failed} invalid`);
process.exit(failed ? 1 : 0);
