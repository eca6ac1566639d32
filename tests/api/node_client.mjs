// Issue 25 item 4: an outside client in another language, built only from the protos at run
// time (@grpc/grpc-js with @grpc/proto-loader; no generated code, no zhigai code), runs a
// read-and-write scenario through the gateway with bearer tokens, as another government
// system would:
//   node node_client.mjs <node_modules> <repo> <gateway host:port> <CITY_BUREAU token> <credit code>
//        <folder of google/type and google/api protos (tools/googleapis-protos prints it)>
// Exits 1 naming the first step that does not behave.
import { createRequire } from "node:module";
import path from "node:path";

const [modules, repo, target, bureauToken, creditCode, googleCommon] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");

const googleapis = "/usr/share/gocode/src/github.com/gogo/googleapis";
const definition = loader.loadSync(
  ["zhigai/registry/v1/registry.proto"],
  { includeDirs: [path.join(repo, "protos"), googleCommon, "/usr/include", googleapis],
    keepCase: false, longs: String, enums: String, defaults: false, oneofs: true });
const api = grpc.loadPackageDefinition(definition);
const registry = new api.zhigai.registry.v1.RegistryService(target, grpc.credentials.createInsecure());

function fail(step, why) {
  console.log(`FAILED ${step}: ${why}`);
  process.exit(1);
}
function metadata(token) {
  const md = new grpc.Metadata();
  if (token) md.set("authorization", `Bearer ${token}`);
  return md;
}
function call(method, request, token) {
  return new Promise((resolve) => {
    registry[method](request, metadata(token), { deadline: Date.now() + 10000 },
      (error, response) => resolve({ error, response }));
  });
}
// The google.rpc.ErrorInfo reason of a refusal, from grpc-status-details-bin (AIP-193).
const protobuf = require("protobufjs");  // proto-loader's own dependency
const rpcTypes = new protobuf.Root();
rpcTypes.loadSync([path.join(googleapis, "google/rpc/status.proto"),
                   path.join(googleapis, "google/rpc/error_details.proto")], { keepCase: true });
function reasonOf(error) {
  const bin = error.metadata && error.metadata.get("grpc-status-details-bin")[0];
  if (!bin) return "";
  const status = rpcTypes.lookupType("google.rpc.Status").decode(bin);
  for (const any of status.details) {
    if (any.type_url.endsWith("/google.rpc.ErrorInfo")) {
      return rpcTypes.lookupType("google.rpc.ErrorInfo").decode(any.value).reason;
    }
  }
  return "";
}

const institution = {
  creditCode,
  displayName: "瓯海数智咨询（Node 客户端）",
  legalForm: "INDEPENDENT_LEGAL_PERSON",
  foundedDate: { year: 2016, month: 5, day: 1 },  // google.type.Date (AIP-142)
  registeredAddress: { province: "浙江省", city: "温州市", divisionCode: "330304", street: "府东路 1 号" },
  ownership: "PRIVATE",
  previousYearRevenueFen: "900000000",
  directions: ["CONSULTING"],
  contact: { name: "赵六", title: "经理", phone: "13805771234", email: "zhaoliu@example.cn" },
  staffResidentInWenzhou: 10,
  staffIntermediateTitle: 4,
  staffSeniorTitle: 1,
  productsAndStrengths: "泵阀行业数字化诊断",
  keyIndustryCodes: ["PUMP_VALVE"],
};
const requestId = `node-client-${creditCode}`;

// 1. Write as the city bureau.
let r = await call("CreateInstitution", { requestId, institution }, bureauToken);
if (r.error) fail("CreateInstitution", `${r.error.code} ${r.error.details}`);
const name = r.response.name;
if (name !== `institutions/${creditCode}`) fail("CreateInstitution", `name ${name}`);
// 2. The same request again (a machine retrying): the same answer, nothing written twice.
r = await call("CreateInstitution", { requestId, institution }, bureauToken);
if (r.error || r.response.name !== name) fail("CreateInstitution again", r.error ? r.error.details : r.response.name);
// 3. Read it back as the bureau: the contact person is there.
r = await call("GetInstitution", { name }, bureauToken);
if (r.error) fail("GetInstitution as bureau", r.error.details);
if (r.response.displayName !== institution.displayName) fail("GetInstitution", r.response.displayName);
const founded = r.response.foundedDate || {};
if (founded.year !== 2016 || founded.month !== 5 || founded.day !== 1) fail("GetInstitution", `founded ${JSON.stringify(founded)}`);
// Output-only instants are google.protobuf.Timestamp: seconds since 1970 (a string: int64).
const created = Number((r.response.createTime || {}).seconds || 0);
if (!(created > 1.7e9)) fail("GetInstitution", `createTime ${JSON.stringify(r.response.createTime)}`);
if (!r.response.contact || r.response.contact.phone !== institution.contact.phone) fail("GetInstitution as bureau", "contact missing");
// 4. Read it as the public (no token): personal data withheld.
r = await call("GetInstitution", { name });
if (r.error) fail("GetInstitution as public", r.error.details);
if (r.response.contact && r.response.contact.phone) fail("GetInstitution as public", "the contact's phone is shown");
// 5. Bad input: refused, naming the field and the rule, with a reason to switch on.
r = await call("CreateInstitution", { requestId: `${requestId}-bad`, institution: { ...institution, creditCode: "91330302123456789X" } }, bureauToken);
if (!r.error || r.error.code !== grpc.status.INVALID_ARGUMENT) fail("bad credit code", r.error ? r.error.code : "accepted");
if (!/credit_code/.test(r.error.details) || !/R0\.1/.test(r.error.details)) fail("bad credit code", `message does not name the field and rule: ${r.error.details}`);
const badReason = reasonOf(r.error);
if (badReason !== "INVALID_FIELD") fail("bad credit code", `ErrorInfo reason ${badReason}`);
// 6. A token the gateway did not issue: UNAUTHENTICATED, never downgraded to the public.
r = await call("ListInstitutions", { pageSize: 1 }, "not.a.token");
if (!r.error || r.error.code !== grpc.status.UNAUTHENTICATED) fail("junk token", r.error ? r.error.code : "accepted");
// 7. A paged list as the bureau finds the new institution.
let found = false, pages = 0, token = "";
do {
  r = await call("ListInstitutions", { pageSize: 50, pageToken: token }, bureauToken);
  if (r.error) fail("ListInstitutions", r.error.details);
  found = found || r.response.institutions.some((i) => i.name === name);
  token = r.response.nextPageToken || "";
  pages += 1;
} while (token && !found && pages < 1000);
if (!found) fail("ListInstitutions", `${name} not listed in ${pages} pages`);
console.log(`node client through ${target}: created ${name}, retried it, read it as bureau and ` +
            `public, refused bad input (${badReason}) and a junk token, listed it (${pages} pages)`);
