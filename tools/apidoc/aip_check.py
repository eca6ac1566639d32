#!/usr/bin/env python3
"""Checks the protos keep the AIP conventions that buf lint cannot see (issue 25 item 1):
  AIP-142  no instant, date or time of day travels as a string: a field named *_time, *_date,
           *_day, date, time, as_of or filed_on must be Timestamp, Date or TimeOfDay;
  AIP-123  every named message a Get method returns is a resource (google.api.resource), and a
           resource's name is OUTPUT_ONLY (a Get of a computed report without a name, such as
           GetSubsidyReport, returns a view, not a resource);
  AIP-203  server-set instants (a resource's *_time Timestamps) are OUTPUT_ONLY, as is every
           field whose comment says "Output only", and an OUTPUT_ONLY field is neither REQUIRED
           nor IMMUTABLE; the resource of a Create or Update request and the name of a Get,
           Update or Delete request are REQUIRED.
Prints each breach as "<message>.<field>: <rule>: <what>" and exits 1 when there is one.
Usage: aip_check.py --repo <repo>"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apidoc  # noqa: E402
from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FD  # noqa: E402

RESOURCE = 1053  # google.api.resource, a MessageOptions extension
TYPED = {".google.protobuf.Timestamp", ".google.type.Date", ".google.type.TimeOfDay"}
TIME_LIKE = re.compile(r"(_time|_date|_day)$|^(date|time|as_of|filed_on)$")


def breaches(model):
    out = []
    zhigai = {full: v for full, v in model.messages.items() if v[3]}
    resources = {full for full, (m, *_rest) in zhigai.items()
                 if apidoc.option_values(m.options, RESOURCE)}
    for full, (m, docs, path, _zhigai) in sorted(zhigai.items()):
        name = full.lstrip(".")
        is_request = m.name.endswith("Request")
        for i, f in enumerate(m.field):
            where = f"{name}.{f.name}"
            behaviors = apidoc.field_behaviors(f)
            said = docs.get(path + (2, i), "")
            if re.search(r"[Oo]utput only", said) and "OUTPUT_ONLY" not in behaviors:
                out.append(f"{where}: AIP-203: its comment says output only; annotate OUTPUT_ONLY")
            if "OUTPUT_ONLY" in behaviors and ("REQUIRED" in behaviors or "IMMUTABLE" in behaviors):
                out.append(f"{where}: AIP-203: OUTPUT_ONLY cannot be REQUIRED or IMMUTABLE too")
            if TIME_LIKE.search(f.name) and f.type_name not in TYPED:
                out.append(f"{where}: AIP-142: an instant, date or time of day must be typed "
                           f"(Timestamp, Date or TimeOfDay), not {FD.Type.Name(f.type)[5:].lower()}")
            if full in resources and f.name == "name" and "OUTPUT_ONLY" not in behaviors:
                out.append(f"{where}: AIP-203: a resource's name is OUTPUT_ONLY")
            if (full in resources and f.type_name == ".google.protobuf.Timestamp"
                    and f.name.endswith("_time") and "OUTPUT_ONLY" not in behaviors):
                out.append(f"{where}: AIP-203: a server-set instant is OUTPUT_ONLY")
            if is_request and re.match(r"(Create|Update)\w+Request$", m.name) \
                    and f.type_name in resources and "REQUIRED" not in behaviors:
                out.append(f"{where}: AIP-203: the resource of a {m.name[:6]} is REQUIRED")
            if is_request and re.match(r"(Get|Update|Delete)\w+Request$", m.name) \
                    and f.name == "name" and "REQUIRED" not in behaviors:
                out.append(f"{where}: AIP-203: the name of a {m.name} is REQUIRED")
    for pkg, s, _docs, _path in model.services:
        for method in s.method:
            output = zhigai.get(method.output_type)
            named = output is not None and any(f.name == "name" for f in output[0].field)
            if method.name.startswith("Get") and named and method.output_type not in resources:
                out.append(f"{method.output_type.lstrip('.')}: AIP-123: returned by "
                           f"{pkg}.{s.name}.{method.name}, so a resource (google.api.resource)")
    return sorted(set(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    args = ap.parse_args()
    found = breaches(apidoc.Model(apidoc.descriptor_set(args.repo)))
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} breach(es) of the AIP conventions (tools/apidoc/aip_check.py)")
        return 1
    print("AIP-123/142/203 conventions: kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
