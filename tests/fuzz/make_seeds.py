#!/usr/bin/python3
"""Writes the seed corpora of the gateway, import and request-validation fuzz targets
(tests/fuzz/corpus/<name>/) and the JWKS the jwt target loads (tests/fuzz/data/jwks.json).

Run from anywhere: tests/fuzz/make_seeds.py. Uses the acceptance tests' Python stubs
(tests/acceptance/gen_stubs.sh) and Debian's python3-cryptography. The signing keys live only
while this runs: the fuzzer gets their public halves, so no private key is kept in the repo.
Rerunning replaces the keys and every jwt seed with them; the other seeds are deterministic."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
stubs = tempfile.mkdtemp(prefix="zhigai-fuzz-stubs-")
subprocess.run([os.path.join(ROOT, "tests/acceptance/gen_stubs.sh"), stubs], check=True,
               stdout=subprocess.DEVNULL)
sys.path.insert(0, stubs)
sys.path.insert(0, os.path.join(ROOT, "tests", "acceptance"))
from credit_codes import credit_code  # noqa: E402
from typed import D, HM  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from zhigai.common.v1 import common_pb2 as common  # noqa: E402
from zhigai.feedback.v1 import feedback_pb2 as fb  # noqa: E402
from zhigai.registry.v1 import registry_pb2 as reg  # noqa: E402
from zhigai.review.v1 import review_pb2 as rv  # noqa: E402
from zhigai.tracking.v1 import tracking_pb2 as tr  # noqa: E402
from zhigai.training.v1 import training_pb2 as tn  # noqa: E402



INST = credit_code("330302", 1000001)
ENT = credit_code("330303", 2000001)


def write(target, seeds):
    folder = os.path.join(HERE, "corpus", target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)


# ---- requests of the six services (valid ones, and near misses) -----------------------------
institution = reg.Institution(
    credit_code=INST, display_name="温州智造数智科技有限公司", legal_form=reg.INDEPENDENT_LEGAL_PERSON,
    founded_date=D("2015-06-01"),
    registered_address=common.Address(province="浙江省", city="温州市", division_code="330302",
                                      street="1号"),
    ownership=reg.PRIVATE, previous_year_revenue_fen=500_000_000,
    directions=[common.CONSULTING, common.TRAINING],
    contact=common.Person(name="王经理", phone="13900000001"), staff_resident_in_wenzhou=12,
    products_and_strengths="智能工厂诊断与方案设计", key_industry_codes=["ELECTRICAL", "FOOTWEAR"])
bad_institution = reg.Institution(credit_code=INST[:-1] + "I", display_name="",
                                  founded_date=D("2015-13-01"), previous_year_revenue_fen=-1,
                                  key_industry_codes=["NOT_AN_INDUSTRY"])
write("registry_validate", {
    "valid": reg.CreateInstitutionRequest(institution=institution, request_id="r-1")
    .SerializeToString(),
    "invalid": reg.CreateInstitutionRequest(institution=bad_institution).SerializeToString(),
    "empty": b"",
})

call = rv.Call(
    display_name="2025 年温州市智能化技改服务机构征集遴选", year=2025, scope=common.CITY,
    directions=[rv.CallDirection(direction=common.CONSULTING, selection_mode=rv.QUOTA, quota=18),
                rv.CallDirection(direction=common.TRAINING, selection_mode=rv.QUOTA, quota=13)],
    opening_date=D("2025-03-01"), closing_date=D("2025-03-31"), notice_period_days=5,
    experts_per_application=5,
    criteria=[rv.Criterion(name="服务能力", weight_hundredths=100, full_marks_hundredths=6000),
              rv.Criterion(name="典型案例", weight_hundredths=100, full_marks_hundredths=4000)],
    tie_policy=rv.ALL_IN)
bad_call = rv.Call(year=1899, opening_date=D("2025-03-31"), closing_date=D("2025-03-01"),
                   experts_per_application=-1,
                   criteria=[rv.Criterion(name="", weight_hundredths=-5)])
app = rv.Application(
    profile=reg.Institution(
        credit_code=INST, display_name="温州智造数智科技有限公司",
        legal_form=reg.INDEPENDENT_LEGAL_PERSON, founded_date=D("2015-06-01"),
        registered_address=common.Address(province="浙江省", city="温州市",
                                          division_code="330302"),
        ownership=reg.PRIVATE, previous_year_revenue_fen=500_000_000,
        directions=[common.CONSULTING], contact=common.Person(name="王工", phone="13900000002"),
        staff_resident_in_wenzhou=12, products_and_strengths="智能工厂诊断与方案设计"),
    directions=[common.CONSULTING], letter=rv.ApplicationLetter(history="专注制造业智能化改造。"))
for k in range(2):
    app.track_record.add(kind=rv.PROJECT_CASE, title=f"智能化诊断项目{k + 1}",
                         date=D(f"2024-0{3 + k}-15"), successful=True)
for k in range(3):
    app.staff.add(name=f"工程师{k + 1}", title=rv.INTERMEDIATE, title_in_related_field=True,
                  degree=rv.BACHELOR, degree_in_related_field=True, work_start_date=D("2012-07-01"),
                  resident_in_wenzhou=True)
for aspect in (rv.QC_STAFF, rv.QC_SERVICE_PROCESS, rv.QC_SERVICE_STANDARDS, rv.QC_DELIVERABLES):
    app.quality_control.add(aspect=aspect, description="质量管控制度")
consortium = rv.Application()
consortium.CopyFrom(app)
consortium.consortium_members.add(credit_code=INST, display_name="温州智造数智科技有限公司",
                                  role=rv.ENGINEERING_SERVICE, lead=True)
consortium.consortium_members.add(credit_code=credit_code("330302", 9000001),
                                  display_name="温州工业软件有限公司", role=rv.SOLUTION_SUPPLIER)
write("review_validate", {
    "call": b"\x00" + rv.CreateCallRequest(call=call, request_id="c-1").SerializeToString(),
    "call_invalid": b"\x00" + rv.CreateCallRequest(call=bad_call).SerializeToString(),
    "application": b"\x01" + rv.CreateApplicationRequest(
        parent="calls/2025-city", application=app, request_id="a-1").SerializeToString(),
    "application_consortium": b"\x01" + rv.CreateApplicationRequest(
        parent="calls/2025-city", application=consortium).SerializeToString(),
})

def project(i, **kw):
    fields = dict(project_id=f"ZG-2024-{i:05d}", revision=1, institution_credit_code=INST,
                  enterprise_credit_code=ENT, kind=common.DIAGNOSIS, declaration_date=D("2024-03-01"),
                  city_outcome=tr.OUTCOME_APPROVED, city_outcome_date=D("2024-03-05"),
                  county_outcome=tr.OUTCOME_APPROVED, county_outcome_date=D("2024-03-04"),
                  subsidy_fen=3_000_000)
    fields.update(kw)
    return tr.ProjectRecord(**{k: v for k, v in fields.items() if v is not None})


write("tracking_validate", {
    "valid": tr.BatchPushProjectsRequest(batch_id="b-1", records=[
        project(1), project(2, kind=common.SOLUTION_DESIGN, revision=3),
        project(3, city_outcome=tr.OUTCOME_PENDING, city_outcome_date=None)]).SerializeToString(),
    "invalid": tr.BatchPushProjectsRequest(batch_id="b-2", records=[
        project(4, revision=0, subsidy_fen=-1, kind=common.TRAINING_SERVICE),
        project(5, city_outcome_date=D("2024-02-01"), declaration_date=D("2024-02-30")),
        project(6, city_outcome=tr.OUTCOME_PENDING)]).SerializeToString(),
})

event = tn.Event(
    institution_credit_code=INST, title="电气行业智能化技改培训", type=tn.TRAINING,
    date=D("2025-09-15"), start_time=HM("09:00"), end_time=HM("12:00"), venue="温州市会议中心",
    division_code="330302", industry_codes=["ELECTRICAL"], expected_audience=80, fee_fen=0,
    plan_document="plan-1", agenda_document="agenda-1", slides_documents=["slides-1"])
full_day = tn.Event()
full_day.CopyFrom(event)
full_day.end_time.CopyFrom(HM("24:00"))
full_day.special_reason_approved = True
full_day.attendance.add(enterprise_credit_code=ENT, industry_code="ELECTRICAL", people=30)
bad_event = tn.Event(institution_credit_code="x", date=D("2025-02-30"), start_time=HM("25:00"),
                     end_time=HM("08:00"), fee_fen=-1, industry_codes=["NOPE"])
write("training_validate", {
    "valid": tn.CreateEventRequest(event=event, request_id="e-1").SerializeToString(),
    "full_day": tn.CreateEventRequest(event=full_day).SerializeToString(),
    "invalid": tn.CreateEventRequest(event=bad_event).SerializeToString(),
})

write("feedback_validate", {
    "valid": fb.RateEngagementRequest(engagement="engagements/1", content=fb.VERY_SATISFIED,
                                      results=fb.AVERAGE, comment="很好", request_id="f-1",
                                      version=3).SerializeToString(),
    "missing": fb.RateEngagementRequest(engagement="engagements/1",
                                        content=fb.FAIRLY_SATISFIED).SerializeToString(),
    "unknown_level": fb.RateEngagementRequest(content=99, results=4).SerializeToString(),
})

# The evaluation target reads its input through FuzzedDataProvider: any bytes are a round.
write("evaluation_score", {
    "zeros": bytes(64), "ones": bytes([1] * 200), "mixed": bytes(range(256)) * 2,
})

# ---- gateway HTTP/JSON ------------------------------------------------------------------------
def body(method, message):
    return f"{method}\n" + json_format.MessageToJson(message, indent=None)


write("http_json", {
    "create_institution": body("zhigai.registry.v1.RegistryService.CreateInstitution",
                               reg.CreateInstitutionRequest(institution=institution,
                                                            request_id="r-1")),
    "create_event": body("zhigai.training.v1.TrainingService.CreateEvent",
                         tn.CreateEventRequest(event=event)),
    "push_projects": body("zhigai.tracking.v1.TrackingService.BatchPushProjects",
                          tr.BatchPushProjectsRequest(records=[project(1)])),
    "create_call": body("zhigai.review.v1.ReviewService.CreateCall", rv.CreateCallRequest(call=call)),
    "rate": body("zhigai.feedback.v1.FeedbackService.RateEngagement",
                 fb.RateEngagementRequest(content=fb.VERY_SATISFIED, results=fb.AVERAGE)),
    "list": 'zhigai.registry.v1.RegistryService.ListInstitutions\n{"pageSize": 50, "pageToken": ""}',
    "int64_string": 'zhigai.tracking.v1.TrackingService.BatchPushProjects\n'
                    '{"records": [{"revision": "9223372036854775807", "subsidyFen": "-1"}]}',
    "enum_number": 'zhigai.feedback.v1.FeedbackService.RateEngagement\n{"content": 7, "results": "AVERAGE"}',
    "unknown_field": 'zhigai.registry.v1.RegistryService.GetInstitution\n{"nope": 1}',
    "response_wire": b"zhigai.registry.v1.RegistryService.GetInstitution\n"
                     + institution.SerializeToString(),
})

# ---- project CSV (the policy platform's export) -----------------------------------------------
header = ("project_id,revision,institution_credit_code,enterprise_credit_code,kind,"
          "declaration_date,city_outcome,city_outcome_date,county_outcome,county_outcome_date,"
          "subsidy_fen")
write("project_csv", {
    "valid": f"{header}\r\nZG-1,1,{INST},{ENT},DIAGNOSIS,2024-03-01,APPROVED,2024-03-05,"
             f"APPROVED,2024-03-04,3000000\r\nZG-2,2,{INST},{ENT},SOLUTION_DESIGN,2024-04-01,"
             "PENDING,,PENDING,,\r\n",
    "quoted_bom": "\ufeff" + header.replace("kind", '"kind"') +
                  f'\n"ZG-3",1,{INST},{ENT},"DIAGNOSIS",2024-05-01,REJECTED,2024-05-02,'
                  '"APPROVED","2024-05-03",""\n"ZG-""4""\nmultiline",x,,,TRAINING,,MAYBE,,,,1.5\n',
    "reordered": "subsidy_fen,kind,project_id,revision,institution_credit_code,"
                 "enterprise_credit_code,declaration_date,city_outcome,city_outcome_date,"
                 f"county_outcome,county_outcome_date,extra\n0,DIAGNOSIS,ZG-5,1,{INST},{ENT},"
                 "2024-06-01,PENDING,,PENDING,,ignored\n\n",
    "unclosed": f'{header}\n"ZG-6,1\n',
})

# ---- policy file and claims mapping -----------------------------------------------------------
with open(os.path.join(ROOT, "services/gateway/policy.txt"), encoding="utf-8") as f:
    policy_txt = f.read()
write("policy", {
    "production": policy_txt,
    "small": "# comment\nzhigai.a.v1.S/M  PUBLIC\tCITY_BUREAU # trailing\nzhigai.a.v1.S/N -\n",
    "twice": "zhigai.a.v1.S/M PUBLIC\nzhigai.a.v1.S/M EXPERT\n",
    "mixed": "zhigai.a.v1.S/M - PUBLIC\n",
})
with open(os.path.join(ROOT, "services/gateway/claims.json"), encoding="utf-8") as f:
    claims_json = f.read()
write("claims", {
    "mapping": claims_json,
    "county": json.dumps({"sub": "u-17", "zhigai_role": "COUNTY_BUREAU",
                          "division_code": "330302", "iss": "x"}),
    "institution_array": json.dumps({"sub": "u-18", "zhigai_role": ["INSTITUTION", "other"],
                                     "uscc": INST}),
    "ambiguous": json.dumps({"sub": "u-19", "zhigai_role": ["EXPERT", "ENTERPRISE"]}),
    "public": json.dumps({"roles": {"x": "PUBLIC"}, "role_claim": "r"}),
})

# ---- JWT: two signing keys, their JWKS, tokens good and bad -----------------------------------
def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n, length=None):
    return n.to_bytes(length or (n.bit_length() + 7) // 8, "big")


rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())
rn = rsa_key.public_key().public_numbers()
en = ec_key.public_key().public_numbers()
jwks = {"keys": [
    {"kty": "RSA", "kid": "fuzz-rsa", "use": "sig", "alg": "RS256", "n": b64(uint(rn.n)),
     "e": b64(uint(rn.e))},
    {"kty": "EC", "kid": "fuzz-ec", "use": "sig", "alg": "ES256", "crv": "P-256",
     "x": b64(uint(en.x, 32)), "y": b64(uint(en.y, 32))}]}
os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
with open(os.path.join(HERE, "data/jwks.json"), "w") as f:
    json.dump(jwks, f, indent=1)
    f.write("\n")

NOW = 1750000000  # jwt_fuzz.cc's kNow
ISS, AUD = "https://idp.fuzz.zhigai.test", "zhigai"


def token(claims, alg="RS256", kid=None, header=None):
    h = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        h["kid"] = kid
    h.update(header or {})
    signed = f"{b64(json.dumps(h).encode())}.{b64(json.dumps(claims).encode())}"
    if alg == "RS256":
        sig = rsa_key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(ec_key.sign(signed.encode(), ec.ECDSA(hashes.SHA256())))
        sig = uint(r, 32) + uint(s, 32)
    else:
        sig = b""
    return f"{signed}.{b64(sig)}"


good = {"iss": ISS, "aud": AUD, "sub": "u-1", "zhigai_role": "CITY_BUREAU",
        "exp": NOW + 3600 * 24 * 365 * 10, "nbf": NOW - 60, "iat": NOW - 60}
write("jwt", {
    "rs256": token(good, kid="fuzz-rsa"),
    "es256": token(good, "ES256", kid="fuzz-ec"),
    "no_kid": token(dict(good, aud=["other", AUD])),
    "expired": token(dict(good, exp=NOW - 3600), kid="fuzz-rsa"),
    "not_yet": token(dict(good, nbf=NOW + 3600), "ES256", kid="fuzz-ec"),
    "wrong_iss": token(dict(good, iss="https://evil.test"), kid="fuzz-rsa"),
    "wrong_aud": token(dict(good, aud=["other"]), "ES256"),
    "exp_string": token(dict(good, exp="tomorrow"), kid="fuzz-rsa"),
    "exp_huge": token(dict(good, exp=1e300), kid="fuzz-rsa"),
    "nbf_huge_negative": token(dict(good, nbf=-1e300), "ES256", kid="fuzz-ec"),
    "alg_none": token(good, "none"),
    "alg_hs256": token(good, "HS256", kid="fuzz-rsa"),
    "unknown_kid": token(good, kid="other"),
    "jwks": json.dumps(jwks),
})
shutil.rmtree(stubs)
print("seeds written under", os.path.join(HERE, "corpus"))
