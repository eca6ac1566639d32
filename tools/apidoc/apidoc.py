#!/usr/bin/env python3
"""The API reference, generated from the protos and never edited by hand (issue 25 item 3):

    docs/api/openapi.json   OpenAPI 3.0 of the gateway's HTTP/JSON surface (POST
                            /<package>.<Service>/<Method>, protobuf JSON mapping), served by the
                            gateway at GET /openapi.json
    docs/api/reference.md   every service, method (with the roles the gateway admits), message,
                            enum and error reason, for people

    apidoc.py --repo ROOT            write both
    apidoc.py --repo ROOT --check    exit 1 when the committed files differ from what the protos,
                                     the gateway policy and the sources give now (CI runs this)

Inputs: the protos (compiled with protoc --include_source_info, so their comments become the
descriptions), services/gateway/policy.txt (who may call what), and the C++ sources (the error
reasons the services can answer).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

FD = descriptor_pb2.FieldDescriptorProto
SCALARS = {
    FD.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FD.TYPE_FLOAT: {"type": "number", "format": "float"},
    FD.TYPE_INT32: {"type": "integer", "format": "int32"},
    FD.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FD.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FD.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0},
    FD.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0},
    # The protobuf JSON mapping writes 64-bit integers as strings (JavaScript loses precision).
    FD.TYPE_INT64: {"type": "string", "format": "int64"},
    FD.TYPE_SINT64: {"type": "string", "format": "int64"},
    FD.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    FD.TYPE_UINT64: {"type": "string", "format": "uint64"},
    FD.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    FD.TYPE_BOOL: {"type": "boolean"},
    FD.TYPE_STRING: {"type": "string"},
    FD.TYPE_BYTES: {"type": "string", "format": "byte"},
}
WELL_KNOWN = {
    ".google.protobuf.FieldMask": {"type": "string",
                                   "description": "Field paths in lowerCamelCase, comma-separated"},
    ".google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    ".google.protobuf.Duration": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?s$"},
    ".google.protobuf.Empty": {"type": "object"},
    # AIP-142 on the HTTP/JSON side: the gateway writes and reads these as text
    # (services/gateway/json_civil_forms.h), not as the proto3 JSON objects.
    ".google.type.Date": {"type": "string", "format": "date"},
    ".google.type.TimeOfDay": {"type": "string", "pattern": "^([01][0-9]|2[0-4]):[0-5][0-9](:[0-5][0-9])?$",
                               "description": "HH:MM (24:00 is the end of the day)"},
}
# google.api.field_behavior (field option 1052, AIP-203), read from the options' wire bytes so
# that no generated google.api module is needed.
FIELD_BEHAVIOR = 1052
BEHAVIOR_NAMES = {1: "OPTIONAL", 2: "REQUIRED", 3: "OUTPUT_ONLY", 4: "INPUT_ONLY", 5: "IMMUTABLE",
                  6: "UNORDERED_LIST", 7: "NON_EMPTY_DEFAULT"}


def _varint(data, i):
    value = shift = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def option_values(options, number):
    """The values of extension `number` in an options message, from its wire bytes: varints as
    ints, length-delimited values (packed lists, messages) as bytes."""
    data, i, out = options.SerializeToString(), 0, []
    while i < len(data):
        key, i = _varint(data, i)
        wire = key & 7
        if wire == 0:
            value, i = _varint(data, i)
            if key >> 3 == number:
                out.append(value)
        elif wire == 2:
            length, i = _varint(data, i)
            if key >> 3 == number:
                out.append(data[i:i + length])
            i += length
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            raise ValueError(f"unexpected wire type {wire} in options")
    return out


# zhigai.common.v1.personal_data (common.proto): the field holds a person's name, phone or e-mail.
PERSONAL_DATA = 51001


def is_personal(field):
    return any(v == 1 for v in option_values(field.options, PERSONAL_DATA))


def field_behaviors(field):
    """The google.api.field_behavior values of a field, by name (packed or not)."""
    values = []
    for v in option_values(field.options, FIELD_BEHAVIOR):
        if isinstance(v, int):
            values.append(v)
        else:
            j = 0
            while j < len(v):
                n, j = _varint(v, j)
                values.append(n)
    return [BEHAVIOR_NAMES.get(v, str(v)) for v in values]
# Libraries whose reasons reach callers through a service: libs/institution's one reason comes
# from ApplyUpdate, which only the registry calls (review only validates profiles).
LIBRARY_USERS = {"institution": ["registry"]}
# Connect's code names, as the gateway's HTTP/JSON errors carry them (http_json.cc).
CONNECT_CODES = ["canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found",
                 "already_exists", "permission_denied", "resource_exhausted",
                 "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal",
                 "unavailable", "data_loss", "unauthenticated"]
GRPC_CODE_NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                   "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                   "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                   "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}


def descriptor_set(repo):
    protos = sorted(glob.glob(os.path.join(repo, "protos/zhigai/*/v1/*.proto")))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        common = subprocess.run([os.path.join(repo, "tools/googleapis-protos"), os.path.join(tmp, "g")],
                                check=True, capture_output=True, text=True).stdout.strip()
        subprocess.run(["protoc", f"-I{os.path.join(repo, 'protos')}", f"-I{common}", "-I/usr/include",
                        "--include_source_info", "--include_imports",
                        f"--descriptor_set_out={out}", *protos], check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
    return fds


def comments(file):
    """{path tuple: comment text} of a file's leading comments."""
    out = {}
    for loc in file.source_code_info.location:
        text = loc.leading_comments.strip()
        if text:
            out[tuple(loc.path)] = "\n".join(line.strip() for line in text.splitlines())
    return out


def load_policy(repo):
    roles = {}
    with open(os.path.join(repo, "services/gateway/policy.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) >= 2:
                roles[line[0]] = [] if line[1:] == ["-"] else line[1:]
    return roles


class Model:
    """Messages, enums and services of the zhigai packages (and what they use)."""

    def __init__(self, fds):
        self.messages, self.enums, self.services = {}, {}, []
        for file in fds.file:
            docs = comments(file)
            pkg = file.package
            zhigai = pkg.startswith("zhigai.")

            def walk(msgs, prefix, path):
                for i, m in enumerate(msgs):
                    full = f"{prefix}.{m.name}"
                    mpath = path + (i,)
                    self.messages[full] = (m, docs, mpath, zhigai)
                    for j, e in enumerate(m.enum_type):
                        self.enums[f"{full}.{e.name}"] = (e, docs, mpath + (4, j), zhigai)
                    walk(m.nested_type, full, mpath + (3,))

            walk(file.message_type, f".{pkg}", (4,))
            for j, e in enumerate(file.enum_type):
                self.enums[f".{pkg}.{e.name}"] = (e, docs, (5, j), zhigai)
            if zhigai:
                for k, s in enumerate(file.service):
                    self.services.append((pkg, s, docs, (6, k)))


def schema_name(full):
    return full.lstrip(".")


def field_schema(model, f):
    if f.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
        if f.type_name in WELL_KNOWN:
            base = dict(WELL_KNOWN[f.type_name])
        else:
            entry = model.messages[f.type_name][0]
            if entry.options.map_entry:
                value = field_schema(model, entry.field[1])
                return {"type": "object", "additionalProperties": value}
            base = {"$ref": f"#/components/schemas/{schema_name(f.type_name)}"}
    elif f.type == FD.TYPE_ENUM:
        base = {"$ref": f"#/components/schemas/{schema_name(f.type_name)}"}
    else:
        base = dict(SCALARS[f.type])
    if f.label == FD.LABEL_REPEATED:
        return {"type": "array", "items": base}
    return base


def used_types(model):
    """Every message and enum reachable from a zhigai service method."""
    seen = set()
    todo = []
    for _, s, _, _ in model.services:
        for m in s.method:
            todo += [m.input_type, m.output_type]
    while todo:
        t = todo.pop()
        if t in seen or t in WELL_KNOWN:
            continue
        seen.add(t)
        if t in model.messages:
            for f in model.messages[t][0].field:
                if f.type_name:
                    todo.append(f.type_name)
    return seen


def openapi(model, policy):
    schemas = {}
    for t in sorted(used_types(model)):
        if t in model.enums:
            e, docs, path, _ = model.enums[t]
            schemas[schema_name(t)] = {"type": "string", "enum": [v.name for v in e.value],
                                       "description": docs.get(path, "")}
            continue
        m, docs, path, _ = model.messages[t]
        if m.options.map_entry:
            continue
        props, required = {}, []
        for i, f in enumerate(m.field):
            prop = field_schema(model, f)
            text = docs.get(path + (2, i), "")
            behaviors = field_behaviors(f)
            if "IMMUTABLE" in behaviors:
                text = (text + " " if text else "") + "Immutable: set on create only."
            if text or "OUTPUT_ONLY" in behaviors or is_personal(f):
                prop = {**prop} if "$ref" not in prop else {"allOf": [prop]}
                if text:
                    prop["description"] = text
                if "OUTPUT_ONLY" in behaviors:
                    prop["readOnly"] = True
                if is_personal(f):
                    prop["x-zhigai-personal-data"] = True
            if "REQUIRED" in behaviors:
                required.append(f.json_name)
            props[f.json_name] = prop
        schemas[schema_name(t)] = {"type": "object", "properties": props,
                                   "description": docs.get(path, "")}
        if required:
            schemas[schema_name(t)]["required"] = required
    schemas["zhigai.Error"] = {
        "type": "object",
        "description": "A refusal: Connect's code name, a message naming the field and the rule, "
                       "and google.rpc details (ErrorInfo with the reason, BadRequest, "
                       "LocalizedMessage in Chinese), each base64 in `value`.",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "enum": CONNECT_CODES},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "value": {"type": "string", "format": "byte"},
                               "debug": {"type": "object"}}}},
        },
    }
    paths = {}
    for pkg, s, docs, spath in model.services:
        for i, m in enumerate(s.method):
            key = f"{pkg}.{s.name}/{m.name}"
            roles = policy.get(key)
            if roles is None or not roles or m.client_streaming:
                continue  # not reachable over HTTP/JSON: internal, or client streaming
            text = docs.get(spath + (2, i), "")
            out_ref = {"$ref": f"#/components/schemas/{schema_name(m.output_type)}"}
            if m.server_streaming:
                ok = {"description": "One JSON object a line: {\"result\": ...} per message, "
                                     "{\"error\": ...} last when the stream fails",
                      "content": {"application/x-ndjson": {"schema": {
                          "type": "object",
                          "properties": {"result": out_ref,
                                         "error": {"$ref": "#/components/schemas/zhigai.Error"}}}}}}
            else:
                ok = {"description": "OK", "content": {"application/json": {"schema": out_ref}}}
            security = [{"bearer": []}]
            if "PUBLIC" in roles:
                security = [{}, {"bearer": []}]
            paths[f"/{key}"] = {"post": {
                "operationId": f"{s.name}_{m.name}",
                "tags": [f"{pkg}.{s.name}"],
                "summary": text.split("\n")[0] if text else m.name,
                "description": text,
                "x-zhigai-roles": roles,
                "security": security,
                "parameters": [{"name": "X-Request-Id", "in": "header", "required": False,
                                "description": "Kept when usable and echoed back; else one is made",
                                "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{schema_name(m.input_type)}"}}}},
                "responses": {"200": ok, "default": {
                    "description": "A refusal (HTTP status from the gRPC code, as Connect maps it)",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/zhigai.Error"}}}}},
            }}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "zhigai 智改 HTTP/JSON API",
            "version": "v1",
            "description": "The gateway's HTTP/JSON surface: every unary and server-streaming "
                           "method as POST /<package>.<Service>/<Method> with the request in the "
                           "protobuf JSON mapping. Generated from the protos by "
                           "tools/apidoc/apidoc.py; do not edit.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": f"{pkg}.{s.name}", "description": docs.get(spath, "")}
                 for pkg, s, docs, spath in model.services],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


REASON_CALL = re.compile(
    r'(?:RuleViolation|Error|Refuse\w*|Fail\w*)\(\s*(?:absl::StatusCode::k(\w+),\s*)?'
    r'"([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)"(?:\s*,\s*"([A-Z][0-9][0-9.]*)")?')
LITERAL = re.compile(r'"([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)"')


def error_reasons(repo, model):
    """{reason: {"services": set, "codes": set, "rules": set}} from the C++ sources: the
    literal reasons of error constructors (with code and rule when they stand beside them), and
    other UPPER_SNAKE literals that are neither enum values, gRPC code names nor settings."""
    enum_values = {v.name for e, _, _, _ in model.enums.values() for v in e.value}
    # Codes of the reference catalogues (industries, divisions) and the roles are data, not
    # reasons.
    for tsv in glob.glob(os.path.join(repo, "data/*.tsv")):
        with open(tsv) as f:
            enum_values |= set(re.findall(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b", f.read()))
    enum_values |= {r for roles in load_policy(repo).values() for r in roles}
    out = {}
    files = [p for p in glob.glob(os.path.join(repo, "services/**/*.cc"), recursive=True) +
             glob.glob(os.path.join(repo, "libs/**/*.cc"), recursive=True)
             if "/tests/" not in p and "/testing/" not in p and "/bench/" not in p]
    for path in sorted(files):
        rel = os.path.relpath(path, repo)
        where = rel.split("/")[1]
        # A library's reasons are answered by the services that use it.
        wheres = LIBRARY_USERS.get(where, [where]) if rel.startswith("libs/") else [where]
        with open(path) as f:
            text = f.read()
        for code, reason, rule in REASON_CALL.findall(text):
            entry = out.setdefault(reason, {"services": set(), "codes": set(), "rules": set()})
            entry["services"].update(wheres)
            if code:
                entry["codes"].add(re.sub(r"(?<!^)([A-Z])", r"_\1", code).upper())
            elif "RuleViolation(" in text:
                pass
            if rule:
                entry["rules"].add(rule)
        for m in re.finditer(r'RuleViolation\(\s*"([A-Z][A-Z0-9_]+)"', text):
            out[m.group(1)]["codes"].add("FAILED_PRECONDITION")
        for reason in LITERAL.findall(text):
            if (reason in enum_values or reason in GRPC_CODE_NAMES or reason.startswith("ZHIGAI_")
                    or reason in out):
                continue
            out.setdefault(reason, {"services": set(), "codes": set(), "rules": set()})
            out[reason]["services"].add(where)
    return out


def reference(model, policy, reasons):
    lines = ["# zhigai API reference", "",
             "Generated from the protos, `services/gateway/policy.txt` and the sources by "
             "`tools/apidoc/apidoc.py`; do not edit. The HTTP/JSON form of every method is in "
             "[openapi.json](openapi.json) (served by the gateway at `GET /openapi.json`).", "",
             "Times follow AIP-142: instants are `google.protobuf.Timestamp` (RFC 3339 in UTC in "
             "JSON), business dates `google.type.Date` (local dates in Asia/Shanghai; "
             "`\"YYYY-MM-DD\"` in JSON) and times of day `google.type.TimeOfDay` (`\"HH:MM\"` "
             "in JSON). A field's behaviour (AIP-203) is in the `behaviour` column: "
             "`OUTPUT_ONLY` fields are ignored on input, `IMMUTABLE` ones are set on create only; "
             "`PERSONAL` marks personal data (`(zhigai.common.v1.personal_data)`: returned only to "
             "bureaus and the organisation that filed it, never to the public, never logged; "
             "`x-zhigai-personal-data` in OpenAPI).",
             ""]
    lines += ["## Services", ""]
    for pkg, s, docs, spath in model.services:
        lines += [f"### {pkg}.{s.name}", ""]
        if docs.get(spath):
            lines += [docs[spath], ""]
        lines += ["| method | request → response | roles through the gateway |", "|---|---|---|"]
        for m in s.method:
            roles = policy.get(f"{pkg}.{s.name}/{m.name}")
            who = "internal (services only)" if roles == [] else " ".join(roles or ["?"])
            stream = ("stream " if m.client_streaming else "", "stream " if m.server_streaming else "")
            lines.append(f"| `{m.name}` | {stream[0]}`{schema_name(m.input_type)}` → "
                         f"{stream[1]}`{schema_name(m.output_type)}` | {who} |")
        lines.append("")
        for i, m in enumerate(s.method):
            text = docs.get(spath + (2, i), "")
            lines += [f"#### {s.name}.{m.name}", "", text or "(no description)", ""]
    lines += ["## Messages", ""]
    used = used_types(model)
    for t in sorted(used):
        if t not in model.messages:
            continue
        m, docs, path, _ = model.messages[t]
        if m.options.map_entry:
            continue
        lines += [f"### {schema_name(t)}", ""]
        if docs.get(path):
            lines += [docs[path], ""]
        if m.field:
            lines += ["| field (JSON) | type | behaviour | description |", "|---|---|---|---|"]
            for i, f in enumerate(m.field):
                ftype = schema_name(f.type_name) if f.type_name else FD.Type.Name(f.type)[5:].lower()
                if f.label == FD.LABEL_REPEATED:
                    ftype = f"repeated {ftype}"
                desc = docs.get(path + (2, i), "").replace("\n", " ").replace("|", "\\|")
                behaviour = " ".join(field_behaviors(f) + (["PERSONAL"] if is_personal(f) else []))
                lines.append(f"| `{f.json_name}` | `{ftype}` | {behaviour} | {desc} |")
            lines.append("")
    lines += ["## Enums", ""]
    for t in sorted(used):
        if t not in model.enums:
            continue
        e, docs, path, _ = model.enums[t]
        lines += [f"### {schema_name(t)}", ""]
        if docs.get(path):
            lines += [docs[path], ""]
        lines += ["| value | number | description |", "|---|---|---|"]
        for i, v in enumerate(e.value):
            desc = docs.get(path + (2, i), "").replace("\n", " ").replace("|", "\\|")
            lines.append(f"| `{v.name}` | {v.number} | {desc} |")
        lines.append("")
    lines += ["## Error reasons", "",
              "The `reason` of the `google.rpc.ErrorInfo` detail of a refusal (domain "
              "`zhigai.wenzhou.gov.cn`): stable, for callers to switch on. Code and rule where "
              "the sources state them beside the reason; the rules are in docs/RULES.md.", "",
              "| reason | code | rule | answered by |", "|---|---|---|---|"]
    for reason in sorted(reasons):
        r = reasons[reason]
        lines.append(f"| `{reason}` | {', '.join(sorted(r['codes']))} | "
                     f"{', '.join(sorted(r['rules']))} | {', '.join(sorted(r['services']))} |")
    lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    model = Model(descriptor_set(args.repo))
    policy = load_policy(args.repo)
    outputs = {
        "docs/api/openapi.json": json.dumps(openapi(model, policy), indent=1, ensure_ascii=False) + "\n",
        "docs/api/reference.md": reference(model, policy, error_reasons(args.repo, model)),
    }
    stale = []
    for rel, text in outputs.items():
        path = os.path.join(args.repo, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if args.check:
            stale.append(rel)
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {rel}")
    if stale:
        print(f"stale: {', '.join(stale)} differ from what the protos, the policy and the sources "
              "give now; run tools/apidoc/apidoc.py --repo . and commit the result")
        return 1
    if args.check:
        print(f"{', '.join(outputs)}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
