// Validates Kubernetes objects against the API's OpenAPI schemas, as the npm package
// kubernetes-models carries them (types, required fields, formats), and rejects unknown fields
// (issue 22 item 5), as `kubectl apply --validate=strict` would against a live API server.
//
// kubernetes-models compiles each schema to a validator that does not reject unknown fields, so
// the strict part watches the validator instead: the object is handed to it behind a Proxy that
// records, for every JSON object, which fields the validator looked up and whether it listed all
// of them (a map such as `labels`, or `additionalProperties`). A field the schema does not
// describe is one the validator never looks up. Reads a JSON array of objects on stdin;
// argv[2] is the node_modules folder holding kubernetes-models. Prints one line per invalid
// object and exits 1 when any object is invalid.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const docs = JSON.parse(readFileSync(0, "utf8"));

// Wraps `value` so every object inside it records what the validator reads; `seen` collects,
// per object, the looked-up keys (or "*" when the validator enumerated them all).
function watched(value, path, seen) {
  if (value === null || typeof value !== "object") return value;
  const record = { path, keys: new Set(), all: false, object: value };
  if (!Array.isArray(value)) seen.push(record);
  const cache = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key !== "string") return Reflect.get(target, key, receiver);
      record.keys.add(key);
      const child = target[key];
      if (child === null || typeof child !== "object") return child;
      if (!cache.has(key)) cache.set(key, watched(child, `${path}/${key}`, seen));
      return cache.get(key);
    },
    has(target, key) {
      if (typeof key === "string") record.keys.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.all = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(seen) {
  const out = [];
  for (const r of seen) {
    if (r.all) continue;
    for (const key of Object.keys(r.object)) {
      if (!r.keys.has(key)) out.push(`${r.path}/${key}`);
    }
  }
  return out;
}

let failed = 0;
let checked = 0;
for (const doc of docs) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  // Kubernetes' own kinds, then the CloudNativePG resources (npm @kubernetes-models/cloudnative-pg,
  // the operator's CRD schemas) of overlays/prod-cnpg.
  const file = [
    join(modules, "kubernetes-models", group, version, `${doc.kind}.js`),
    join(modules, "@kubernetes-models", "cloudnative-pg", group, version, `${doc.kind}.js`),
  ].find(existsSync) ?? "";
  const what = `${doc.kind} ${doc.metadata?.name}`;
  if (!file) {
    console.log(`FAILED: ${what}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failed++;
    continue;
  }
  const model = await import(pathToFileURL(file).href);
  const seen = [];
  try {
    model[doc.kind].prototype.validate.call(watched(doc, "", seen));
  } catch (e) {
    console.log(`FAILED: ${what}: ${e.message}`);
    failed++;
    continue;
  }
  // apiVersion and kind name the schema; the validator of some kinds does not read them.
  const unknown = unknownFields(seen).filter((p) => p !== "/apiVersion" && p !== "/kind");
  if (unknown.length) {
    console.log(`FAILED: ${what}: unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`);
    failed++;
    continue;
  }
  checked++;
}
console.log(`schemas (strict): ${checked} objects valid, ${failed} invalid`);
process.exit(failed ? 1 : 0);
