"""Plays one programme year through the gateway only, as real clients do, on the business
clock of a rehearsal system (business_clock.py): the city's call from publication to
admission through the review service's outbox, a county call filed with the city, needs and
engagements through to delivery, acceptance and ratings, the policy platform's push, training
events that take place and earn (or are refused) a subsidy, the bureau's tests of the next
year, exchange meetings, complaints that reach a bar through the feedback service's outbox, a
plagiarism cancellation, and the evaluation round of the next year pulled from all four
sources, scored, ranked and published.

The year Y is chosen so that nothing depends on the day it is played: on a system whose clock
was never set, the last year the work-day calendar holds (data/cn-workdays.tsv; it moves
forward by itself when the State Council's notice for a new year is added); on a system that
has played a year already, the next one, so operators can rehearse years in a row. A year the
calendar does not hold is played too: the training filings are then refused with the rule's
words (CALENDAR_YEAR_MISSING, R13.4), which the summary reports.

Deterministic per seed (names, codes, scores, choices). It keeps, per institution, what it fed
in, so that the acceptance test can compute every Attachment 3 item by hand (expected_items)."""
import datetime
import hashlib
import random
import time
from fractions import Fraction

import business_clock
import grpc
from credit_codes import credit_code
from google.protobuf import field_mask_pb2
from zhigai.common.v1 import common_pb2 as common
from zhigai.evaluation.v1 import evaluation_pb2 as ev
from zhigai.feedback.v1 import feedback_pb2 as fb
from zhigai.registry.v1 import registry_pb2 as reg
from zhigai.review.v1 import review_pb2 as rv
from zhigai.tracking.v1 import tracking_pb2 as tr
from zhigai.training.v1 import training_pb2 as tn
from zhigai_client import error_details
from typed import D, HM, T, text  # noqa: F401

COUNTIES = ["330302", "330303", "330304", "330305", "330324", "330326", "330327", "330328",
            "330329", "330381", "330382", "330383"]
INDUSTRIES = ["ELECTRICAL", "FOOTWEAR", "APPAREL", "AUTO_PARTS", "PUMP_VALVE",
              "DIGITAL_ECONOMY", "SMART_EQUIPMENT", "LIFE_HEALTH", "NEV_ICV", "NEW_MATERIALS"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐"
FIRMS = ["智造", "数智", "精益", "云工", "瓯越", "东海", "鹿城", "智联", "工控", "博远", "创新",
         "卓越", "华泰", "正泰", "宏图", "新锐", "天成", "明达", "恒信", "启航"]
TRADES = {"ELECTRICAL": "电气", "FOOTWEAR": "鞋业", "APPAREL": "服装", "AUTO_PARTS": "汽摩配",
          "PUMP_VALVE": "泵阀", "DIGITAL_ECONOMY": "数字科技", "SMART_EQUIPMENT": "智能装备",
          "LIFE_HEALTH": "生物医药", "NEV_ICV": "新能源汽车", "NEW_MATERIALS": "新材料"}
RATING_POINTS = {fb.VERY_SATISFIED: 10, fb.FAIRLY_SATISFIED: 8, fb.AVERAGE: 5, fb.UNSATISFIED: 0}
SERVICE_MONTHS = range(6, 12)   # engagements and training events, June to November
COUNTY_OF_COUNTY_CALL = "330302"


class Scale:
    def __init__(self, applicants=40, enterprises=600, engagements=2000, projects=3000,
                 events=60, needs=40):
        self.applicants, self.enterprises = applicants, enterprises
        self.engagements, self.projects, self.events = engagements, projects, events
        self.needs = needs

    @staticmethod
    def small():
        return Scale(applicants=16, enterprises=40, engagements=80, projects=150, events=10,
                     needs=6)

    @staticmethod
    def medium():
        return Scale(applicants=24, enterprises=150, engagements=400, projects=600, events=24,
                     needs=12)


def contact(name, phone):
    """A contact person with every personal field filled (the public pages test looks for each
    one where the public can see)."""
    return common.Person(name=name, phone=phone, email=f"c{phone}@example.cn")


def choose_year(clock, data_dir, held_call_years=()):
    """The programme year to play and where its clock starts (see the module's docstring)."""
    now, generation = clock.read()
    if generation == 0:
        year = business_clock.calendar_years(data_dir)[-1]
    else:
        # A year's city call opens in March; its round ends in February of the next year.
        year = now.year if now.date() < datetime.date(now.year, 3, 1) else now.year + 1
    while year in held_call_years:
        year += 1
    return year


class Year:
    def __init__(self, client, clock, data_dir, seed=1, scale=None, out=print, year=None):
        self.c, self.clock, self.seed, self.scale, self.out = client, clock, seed, \
            scale or Scale(), out
        self.rng = random.Random(seed)
        self.city = client.as_("CITY_BUREAU", sub="city-officer", div="330300")
        held = set()
        if year is None:
            calls = self.city.review.ListCalls(rv.ListCallsRequest(page_size=1000)).calls
            held = {c.year for c in calls if c.scope == common.CITY}
        self.year = year or choose_year(clock, data_dir, held)   # the directory's year Y
        self.eval_year = self.year + 1   # round Y+1: projects and ratings of Y, tests of Y+1
        self.calendar_years = business_clock.calendar_years(data_dir)
        self.tag = f"s{seed}-y{self.year}-{random.Random().getrandbits(24):06x}"
        self.applicants = []   # dicts: code, name, division, directions, flaw
        self.admitted = {}     # code → {directions} in the city directory of Y
        self.county_admitted = {}
        self.enterprises = []  # dicts: code, name, division, industry
        self.engs = []         # (engagement name, institution, enterprise)
        self.experts = {}      # expert name → Expert, every call's
        self.facts = {}        # code → what was fed in for Attachment 3
        self.summary = {}
        self.refusals = {}     # what the rules refused, by reason (with the rule's words)
        self.barred = self.cancelled = None
        self.complaints_verified = {}   # code → complaints verified (serious or not) in Y
        # Institutions under a sanction from earlier years (bars last three years, R14.5).
        self.sanctioned = {x.credit_code for x in self.city.registry.ListSanctions(
            reg.ListSanctionsRequest(year=self.year, page_size=1000)).sanctions if not x.lifted}
        self.excused = self.unexcused = self.no_result = None
        self.test_sessions = []   # names, closed
        self.phase_no = 0

    # ----------------------------------------------------------------- helpers
    def inst(self, code):
        return self.c.as_("INSTITUTION", sub="inst-" + code, code=code)

    def ent(self, code):
        return self.c.as_("ENTERPRISE", sub="ent-" + code, code=code)

    def county(self, div):
        return self.c.as_("COUNTY_BUREAU", sub="county-" + div, div=div)

    def rid(self, *parts):
        digest = hashlib.sha1("-".join(str(p) for p in parts).encode()).hexdigest()[:16]
        return f"{self.tag}-{parts[0]}-{digest}"[:64]

    def d(self, month, day, year_offset=0):
        return datetime.date(self.year + year_offset, month, day)

    def at(self, when, hour=9, minute=0):
        """Moves the whole system's business time forward to `when` (a date, at `hour`)."""
        target = datetime.datetime.combine(when, datetime.time(hour, minute),
                                           business_clock.WENZHOU)
        return self.clock.go(target)

    def today(self):
        return self.clock.today()

    def day(self, offset):
        """The business date `offset` days from today, as the API writes dates."""
        return (self.today() + datetime.timedelta(days=offset)).isoformat()

    def fact(self, code):
        return self.facts.setdefault(code, {"declared": [0, 0], "approved": [0, 0],
                                            "tests": [], "ratings": {}, "defence": []})

    def refused(self, err, what):
        """Counts a refusal by the rules, keeping the service's own words for the summary."""
        reason = reason_of(err) or err.code().name
        entry = self.refusals.setdefault((reason, what), {"count": 0, "what": what,
                                                          "message": err.details()})
        entry["count"] += 1
        return reason

    def phase(self, title, fn, total_phases=12):
        self.phase_no += 1
        start = time.time()
        self.out(f"[{self.phase_no:2d}/{total_phases}] {title} …")
        note = fn()
        self.out(f"        {note}  ({time.time() - start:.1f}s, business date {self.today()})")

    def run(self):
        started = time.time()
        self.out(f"Programme year {self.year} (evaluation round {self.eval_year}); the work-day "
                 f"calendar holds {', '.join(map(str, self.calendar_years))}.")
        self.phase("Institutions register (Attachment 1)", self.register_institutions)
        self.phase("City call: applications, R5 checks, expert review, notice, admission",
                   self.city_call)
        self.phase("A county call, filed with the city (R4.2)", self.county_call)
        self.phase("Enterprises and their needs (R12.2)", self.enterprises_and_needs)
        self.phase("Service months: engagements, ratings, training events, a meeting",
                   self.service_months)
        self.phase("Complaints reach a bar through the outbox (R14.5); phone follow-up",
                   self.complaints)
        self.phase("Second exchange meeting (R9.1)", self.second_meeting)
        self.phase("Policy platform pushes the year's projects", self.push_projects)
        self.phase(f"Bureau tests of {self.eval_year} (R8.1, S1.3)", self.bureau_tests)
        self.phase("Plagiarism established: eligibility cancelled (R14.4)", self.plagiarism)
        self.phase(f"Evaluation round {self.eval_year}: pull, freeze, defence, rank, publish",
                   self.evaluation)
        self.phase("An objection: its correction simulated, then upheld (corrected publication)",
                   self.what_if)
        self.summary["wall time"] = f"{time.time() - started:.0f} s"
        return self

    # ----------------------------------------------------------------- registration
    def register_institutions(self):
        self.at(self.d(1, 5))
        r = self.rng
        n = self.scale.applicants
        used, fresh = set(), 0
        for i in range(n):
            div = r.choice(COUNTIES)
            while True:
                name = f"温州{r.choice(FIRMS)}{r.choice(FIRMS)}智能科技有限公司"
                if name not in used:
                    used.add(name)
                    break
            code = credit_code(div, 100000 + self.seed * 1000 + i)
            roll = i % 10
            dirs = ([common.CONSULTING] if roll < 5 else
                    [common.TRAINING] if roll < 7 else [common.CONSULTING, common.TRAINING])
            flaw = {3: "R5.3", 7: "R5.2", 11: "R5.4", 5: "BRANCH"}.get(i)
            if i == 9 and n > 12:
                flaw = "CONSORTIUM"
            self.applicants.append({"code": code, "name": name, "division": div,
                                    "directions": dirs, "flaw": flaw})
            if self.create_institution(code, name, div, dirs, flaw == "BRANCH", self.rid("inst", i)):
                fresh += 1
        policy = self.city.training.GetYearPolicy(tn.GetYearPolicyRequest(year=self.year))
        if not policy.has_training_subsidy:
            self.city.training.SetYearPolicy(tn.SetYearPolicyRequest(
                year=self.year, has_training_subsidy=True, version=policy.version))
        return (f"{fresh} institutions registered, {n - fresh} already known from earlier years; "
                f"the {self.year} policy has a training subsidy (R13.0)")

    def create_institution(self, code, name, div, dirs, branch, request_id):
        r = self.rng
        inst = reg.Institution(
            credit_code=code, display_name=name,
            legal_form=reg.BRANCH if branch else reg.INDEPENDENT_LEGAL_PERSON,
            founded_date=D(f"{2005 + r.randrange(15)}-0{1 + r.randrange(9)}-1{r.randrange(9)}"),
            registered_address=common.Address(province="浙江省", city="温州市",
                                               division_code=div,
                                               street=f"{r.randrange(1, 300)}号"),
            ownership=reg.PRIVATE, previous_year_revenue_fen=r.randrange(1, 50) * 100_000_000,
            directions=dirs,
            contact=contact(r.choice(SURNAMES) + "经理", f"139{r.randrange(10**8):08d}"),
            staff_resident_in_wenzhou=r.randrange(5, 60),
            products_and_strengths="智能工厂诊断、数字化车间方案设计与技改培训",
            key_industry_codes=r.sample(INDUSTRIES, 2))
        try:
            self.inst(code).registry.CreateInstitution(
                reg.CreateInstitutionRequest(institution=inst, request_id=request_id))
            return True
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            return False

    # ----------------------------------------------------------------- the calls
    def prepare_city_call(self, month=3):
        n = self.scale.applicants
        directions = [rv.CallDirection(direction=common.CONSULTING, selection_mode=rv.QUOTA,
                                       quota=max(2, n * 18 // 40)),
                      rv.CallDirection(direction=common.TRAINING, selection_mode=rv.QUOTA,
                                       quota=max(2, n * 13 // 40))]
        return self.prepare_call(self.city, common.CITY, "", self.applicants, directions,
                                 month=month)

    def city_call(self):
        res = self.finish_call(self.city, self.prepare_city_call())
        self.admitted = res["admitted"]
        self.apps, self.call = res["apps"], res["call"]   # the city call's
        self.excluded_by_objection = res["objected"]
        self.summary["applications"] = res["submitted"]
        self.summary["admitted (city)"] = len(self.admitted)
        return (f"{res['submitted']} applications, {res['failing']} failing R5 checks, "
                f"{res['manual']} manual decision (R5.1); {res['sheets']} expert score sheets, "
                f"a conflicting assignment refused ({res['conflict']}); notice "
                f"{res['notice']}, 1 objection upheld; {len(self.admitted)} institutions "
                f"admitted through the review service's outbox in {res['admission_s']:.1f}s")

    def county_locals(self, div, n=3):
        """n consulting institutions registered in div, for a county call."""
        locals_ = []
        for k in range(n):
            code = credit_code(div, 300000 + self.seed * 100 + k)
            name = f"{FIRMS[(self.seed + k) % len(FIRMS)]}县域智能服务有限公司{div[-2:]}{k + 1}"
            locals_.append({"code": code, "name": name, "division": div,
                            "directions": [common.CONSULTING], "flaw": None})
            self.create_institution(code, name, div, [common.CONSULTING], False,
                                    self.rid("county-inst", div, k))
        return locals_

    def prepare_county_call(self, div, month):
        directions = [rv.CallDirection(direction=common.CONSULTING, selection_mode=rv.QUOTA,
                                       quota=2)]
        return self.prepare_call(self.county(div), common.COUNTY, div, self.county_locals(div),
                                 directions, month=month, objection=False)

    def county_call(self):
        div = COUNTY_OF_COUNTY_CALL
        bureau = self.county(div)
        res = self.finish_call(bureau, self.prepare_county_call(div, month=4))
        self.county_admitted = res["admitted"]
        filing = bureau.registry.FileCountyList(reg.FileCountyListRequest(
            request_id=self.rid("county-filing"),
            filing=reg.CountyFiling(
                year=self.year, division_code=div,
                selection_criteria="县级遴选：具备独立法人资格，上年度完成两项以上智能化诊断项目",
                items=[reg.CountyListItem(credit_code=code, directions=sorted(dirs))
                       for code, dirs in sorted(res["admitted"].items())])))
        filings = self.c.public().registry.ListCountyFilings(
            reg.ListCountyFilingsRequest(year=self.year, page_size=100)).filings
        return (f"county {div}: {res['submitted']} applications, {len(res['admitted'])} admitted "
                f"to the county directory; list {filing.name} filed with the city and public "
                f"({len(filings)} filing(s) for {self.year})")

    def run_call(self, bureau, scope, division, applicants, directions, month, objection=True):
        """One call from publication to admission, on the business clock: open for two and a
        half weeks, checked, reviewed by experts, in public notice for a week, finished, and
        admitted through the review service's outbox into the registry."""
        prep = self.prepare_call(bureau, scope, division, applicants, directions, month,
                                 objection)
        return self.finish_call(bureau, prep)

    def finish_call(self, bureau, prep):
        """FinishCall, then wait until the admissions reached the registry."""
        call = bureau.review.GetCall(rv.GetCallRequest(name=prep["call"].name))
        finished = bureau.review.FinishCall(rv.FinishCallRequest(name=call.name,
                                                                 version=call.version))
        admitted = {}
        for adm in finished.admissions:
            admitted.setdefault(adm.credit_code, set()).add(adm.direction)
        started = time.time()
        self.wait_admitted(call, admitted, prep["scope"], prep["division"])
        return dict(prep, call=call, admitted=admitted, admission_s=time.time() - started)

    def prepare_call(self, bureau, scope, division, applicants, directions, month,
                     objection=True):
        """A call from publication to the end of its public notice; the business clock is left
        on the first day FinishCall may be called."""
        r = self.rng
        label = "city" if scope == common.CITY else f"county-{division}"
        self.at(self.d(month, 2))
        call = bureau.review.CreateCall(rv.CreateCallRequest(request_id=self.rid("call", label), call=rv.Call(
            display_name=f"{self.year} 年温州市智能化技改服务机构征集遴选"
            + ("" if scope == common.CITY else f"（{division} 县级）"),
            year=self.year, scope=scope, division_code=division, directions=directions,
            opening_date=D(self.d(month, 2).isoformat()), closing_date=D(self.d(month, 20).isoformat()),
            notice_period_days=7, experts_per_application=5,
            criteria=[rv.Criterion(name="服务能力", weight_hundredths=100, full_marks_hundredths=6000),
                      rv.Criterion(name="典型案例", weight_hundredths=100, full_marks_hundredths=4000)],
            tie_policy=rv.ALL_IN)))
        # Issue 26: the call judges its applicants under the R5 figures of its year.
        if call.rule_version != 1:
            raise RuntimeError(f"the call records application rules version {call.rule_version}")
        call = bureau.review.OpenCall(rv.OpenCallRequest(name=call.name, version=call.version))
        self.at(self.d(month, 9))
        apps, refused = {}, 0
        for i, a in enumerate(applicants):
            who = self.inst(a["code"])
            try:
                created = who.review.CreateApplication(rv.CreateApplicationRequest(
                    parent=call.name, application=self.application(a, i),
                    request_id=self.rid("app", label, i)))
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                self.refused(err, f"application of {a['code']}")
                refused += 1
                continue
            purposes = [rv.QC_STAFF_DOCUMENT, rv.QC_SERVICE_PROCESS_DOCUMENT,
                        rv.QC_SERVICE_STANDARDS_DOCUMENT, rv.QC_DELIVERABLES_DOCUMENT]
            if a["flaw"] == "R5.4":
                purposes = purposes[:3]
            for k, p in enumerate(purposes):
                self.upload(who, created.name, p, r.randbytes(1500), self.rid("doc", label, i, k))
            created = who.review.GetApplication(rv.GetApplicationRequest(name=created.name))
            try:
                apps[a["code"]] = who.review.SubmitApplication(
                    rv.SubmitApplicationRequest(name=created.name, version=created.version))
            except grpc.RpcError as err:
                # A barred or cancelled applicant may not apply (R14.4, R14.5).
                if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                self.refused(err, f"application of {a['code']}")
                refused += 1
        manual = 0
        for a in applicants:
            if a["flaw"] != "BRANCH" or a["code"] not in apps:
                continue
            name = apps[a["code"]].name + "/checklist"
            cl = bureau.review.GetEligibilityChecklist(rv.GetEligibilityChecklistRequest(name=name))
            bureau.review.DecideChecklistItem(rv.DecideChecklistItemRequest(
                name=name, rule_id="R5.1", version=cl.version,
                reason="分支机构经总公司授权，具备独立承接服务能力", **{"pass": True}))
            manual += 1
        self.at(self.d(month, 21))
        call = bureau.review.GetCall(rv.GetCallRequest(name=call.name))
        call = bureau.review.CloseCall(rv.CloseCallRequest(name=call.name, version=call.version))
        self.at(self.d(month, 23))
        call = bureau.review.StartReview(rv.StartReviewRequest(name=call.name, version=call.version))
        experts = []
        for k in range(8):
            ties = [applicants[0]["code"]] if k == 0 else []
            experts.append(self.city.review.CreateExpert(rv.CreateExpertRequest(
                expert=rv.Expert(display_name=r.choice(SURNAMES) + "教授",
                                 subject=f"expert-{self.tag}-{label}-{k}", fields=["智能制造"],
                                 declared_ties=ties, phone=f"137{r.randrange(10**8):08d}",
                                 email=f"expert-{self.tag}-{label}-{k}@example.cn"),
                request_id=self.rid("expert", label, k))))
        # An assignment of the expert who declared a tie to the first applicant is refused.
        conflict = "no applicant to test"
        first = apps.get(applicants[0]["code"])
        if first is not None:
            try:
                bureau.review.AssignExperts(rv.AssignExpertsRequest(call=call.name, assignments=[
                    rv.Assignment(application=first.name, experts=[e.name for e in experts[:5]])]))
                raise RuntimeError("an expert with a declared tie was assigned (R7.1)")
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                conflict = reason_of(err)
        assigned = bureau.review.AssignExperts(rv.AssignExpertsRequest(call=call.name))
        # Automatic assignment draws on the whole pool, earlier calls' and years' included.
        token = ""
        while True:
            page = self.city.review.ListExperts(rv.ListExpertsRequest(page_size=1000,
                                                                      page_token=token))
            self.experts.update({e.name: e for e in page.experts})
            token = page.next_page_token
            if not token:
                break
        by_name = self.experts
        quality = {a["code"]: r.uniform(0.55, 0.95) for a in applicants}
        code_of = {app.name: code for code, app in apps.items()}
        sheets = 0
        for asg in assigned.assignments:
            code = code_of[asg.application]
            for ename in asg.experts:
                who = self.c.as_("EXPERT", sub=by_name[ename].subject)
                for d in apps[code].directions:
                    q = min(1.0, max(0.0, quality[code] + r.uniform(-0.08, 0.08)))
                    who.review.SubmitExpertScores(rv.SubmitExpertScoresRequest(sheet=rv.ExpertScoreSheet(
                        application=asg.application, direction=d,
                        scores=[rv.CriterionScore(criterion="服务能力", score_hundredths=int(6000 * q)),
                                rv.CriterionScore(criterion="典型案例", score_hundredths=int(4000 * q))])))
                    sheets += 1
        bureau.review.SelectApplicants(rv.SelectApplicantsRequest(call=call.name))
        # The public notice: a week, calendar days; one objection, upheld.
        notice_day = self.d(month + 1, 1)
        self.at(notice_day)
        call = bureau.review.GetCall(rv.GetCallRequest(name=call.name))
        call = bureau.review.StartPublicNotice(
            rv.StartPublicNoticeRequest(name=call.name, version=call.version))
        notice = self.c.public().review.GetPublicNotice(rv.GetPublicNoticeRequest(call=call.name))
        objected = None
        if objection:
            target = [e for e in notice.entries if e.direction == common.CONSULTING][-1]
            self.at(notice_day + datetime.timedelta(days=2))
            obj = self.inst(applicants[3]["code"]).review.FileObjection(rv.FileObjectionRequest(
                parent=call.name, request_id=self.rid("objection", label),
                objection=rv.Objection(application=target.application,
                                       direction=common.CONSULTING,
                                       reason="其申报的典型案例实为合作方完成，非本单位业绩")))
            self.at(notice_day + datetime.timedelta(days=5))
            bureau.review.ResolveObjection(rv.ResolveObjectionRequest(
                name=obj.name, uphold=True, version=obj.version,
                resolution="经核实，典型案例合同主体非申报单位，异议成立"))
            objected = target.credit_code
        # FinishCall the day after the notice; the admissions travel through the outbox.
        self.at(notice_day + datetime.timedelta(days=7))
        return {"objected": objected, "submitted": len(apps), "apps": apps, "call": call,
                "scope": scope, "division": division,
                "refused": refused, "manual": manual, "sheets": sheets, "conflict": conflict,
                "failing": sum(1 for a in applicants if a["flaw"] in ("R5.2", "R5.3", "R5.4")),
                "notice": f"{text(notice.start_date)}..{text(notice.end_date)}"}

    def wait_admitted(self, call, admitted, scope, division, seconds=60):
        """Until the registry holds every admission (and the applications say so)."""
        want = {(code, d) for code, dirs in admitted.items() for d in dirs}
        deadline = time.time() + seconds
        while time.time() < deadline:
            entries = self.c.public().registry.ListDirectoryEntries(reg.ListDirectoryEntriesRequest(
                year=self.year, level=scope, division_code=division, page_size=1000)).entries
            have = {(e.credit_code, e.direction) for e in entries}
            if want <= have:
                return
            time.sleep(0.2)
        missing = sorted(want - have)
        raise RuntimeError(f"admissions of {call.name} not in the registry after {seconds}s: "
                           f"{missing[:5]}")

    def application(self, a, i):
        r = self.rng
        y = self.year
        p = reg.Institution(
            credit_code=a["code"], display_name=a["name"],
            legal_form=reg.BRANCH if a["flaw"] == "BRANCH" else reg.INDEPENDENT_LEGAL_PERSON,
            founded_date=D("2015-06-01"),
            registered_address=common.Address(province="浙江省", city="温州市",
                                               division_code=a["division"]),
            ownership=reg.PRIVATE, previous_year_revenue_fen=500_000_000,
            directions=a["directions"],
            contact=contact(r.choice(SURNAMES) + "工", f"139{r.randrange(10**8):08d}"),
            staff_resident_in_wenzhou=12, products_and_strengths="智能工厂诊断与方案设计")
        app = rv.Application(profile=p, directions=a["directions"],
                             letter=rv.ApplicationLetter(history="专注制造业智能化改造。"))
        cases = 1 if a["flaw"] == "R5.2" else 2 + r.randrange(3)
        for k in range(cases):
            app.track_record.add(kind=rv.PROJECT_CASE, title=f"智能化诊断项目{k + 1}",
                                 date=D(f"{y - 1}-0{3 + k % 6}-15"), successful=True)
            app.track_record.add(kind=rv.TRAINING_EVENT, title=f"技改培训{k + 1}",
                                 date=D(f"{y - 1}-0{3 + k % 6}-20"))
        staff = 2 if a["flaw"] == "R5.3" else 3 + r.randrange(4)
        for k in range(staff):
            app.staff.add(name=f"工程师{k + 1}", title=rv.INTERMEDIATE, title_in_related_field=True,
                          degree=rv.BACHELOR, degree_in_related_field=True,
                          work_start_date=D("2012-07-01"), resident_in_wenzhou=True)
        for aspect in (rv.QC_STAFF, rv.QC_SERVICE_PROCESS, rv.QC_SERVICE_STANDARDS,
                       rv.QC_DELIVERABLES):
            app.quality_control.add(aspect=aspect, description="质量管控制度")
        if a["flaw"] == "CONSORTIUM":
            partner = credit_code(a["division"], 900000 + self.seed * 1000 + i)
            app.consortium_members.add(credit_code=a["code"], display_name=a["name"],
                                       role=rv.ENGINEERING_SERVICE, lead=True)
            app.consortium_members.add(credit_code=partner, display_name="温州工业软件有限公司",
                                       role=rv.SOLUTION_SUPPLIER)
        return app

    def upload(self, who, parent, purpose, content, request_id):
        data = b"%PDF-1.7\n" + content[9:]
        header = rv.UploadDocumentRequest(header=rv.UploadHeader(
            parent=parent, request_id=request_id, size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            document=rv.Document(display_name=f"质量管控-{purpose}.pdf",
                                 content_type="application/pdf", purpose=purpose)))
        return who.review.UploadDocument(iter([header, rv.UploadDocumentRequest(chunk=data)]))

    # ----------------------------------------------------------------- enterprises, needs
    def enterprises_and_needs(self):
        self.at(self.d(5, 10))
        r = self.rng
        for i in range(self.scale.enterprises):
            div = COUNTIES[i % len(COUNTIES)]
            ind = INDUSTRIES[(i * 7 + r.randrange(3)) % len(INDUSTRIES)]
            code = credit_code(div, 500000 + self.seed * 10000 + i)
            name = f"温州{r.choice(FIRMS)}{TRADES[ind]}有限公司"
            try:
                self.ent(code).tracking.CreateEnterprise(tr.CreateEnterpriseRequest(
                    request_id=self.rid("ent", i),
                    enterprise=tr.Enterprise(credit_code=code, display_name=name,
                                             division_code=div, industry_code=ind,
                                             size=r.choice([tr.MEDIUM, tr.SMALL, tr.SMALL, tr.MICRO]))))
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.ALREADY_EXISTS:
                    raise
            self.enterprises.append({"code": code, "name": name, "division": div,
                                     "industry": ind})
        # Needs without an engagement; the county bureau assigns them (统筹调配, R12.2).
        cons = self.consultants()
        self.assigned_needs = []   # (need name, institution, enterprise)
        declined = 0
        for k in range(self.scale.needs):
            e = self.enterprises[(k * 13) % len(self.enterprises)]
            need = self.ent(e["code"]).tracking.CreateNeed(tr.CreateNeedRequest(
                request_id=self.rid("need", k),
                need=tr.Need(enterprise_credit_code=e["code"], service_kind=common.DIAGNOSIS,
                             description="希望对注塑车间开展智能化诊断，提出设备联网方案")))
            inst = cons[k % len(cons)]
            need = self.county(e["division"]).tracking.AssignNeed(tr.AssignNeedRequest(
                name=need.name, institution_credit_code=inst, version=need.version))
            accept = k % 5 != 4
            need = self.inst(inst).tracking.RespondToAssignment(tr.RespondToAssignmentRequest(
                name=need.name, accept=accept, version=need.version,
                decline_reason="" if accept else "本季度服务能力已满，建议改派"))
            if accept:
                self.assigned_needs.append((need.name, inst, e["code"]))
            else:
                declined += 1
        return (f"{len(self.enterprises)} enterprises in {len(COUNTIES)} divisions; "
                f"{self.scale.needs} needs assigned by county bureaus, {declined} declined")

    def consultants(self):
        return sorted(c for c, d in self.admitted.items()
                      if common.CONSULTING in d and c not in self.sanctioned)

    def trainers(self):
        return sorted(c for c, d in self.admitted.items()
                      if common.TRAINING in d and c not in self.sanctioned)

    # ----------------------------------------------------------------- the service months
    def service_months(self):
        r = self.rng
        cons = self.consultants()
        months = list(SERVICE_MONTHS)
        per_month = [self.scale.engagements // len(months)] * len(months)
        per_month[-1] += self.scale.engagements - sum(per_month)
        events_per_month = [self.scale.events // len(months)] * len(months)
        events_per_month[0] += self.scale.events - sum(events_per_month)
        pending_events = []   # events planned, to be held and reported later
        self.verdicts = {}
        self.event_refusals = {}
        self.eng_index = 0
        ratings = 0
        for mi, month in enumerate(months):
            # Day 3: engagements reported and started; training events planned and filed.
            self.at(self.d(month, 3))
            batch = []
            for _ in range(per_month[mi]):
                i = self.eng_index
                self.eng_index += 1
                inst = cons[i % len(cons)] if i < len(cons) else r.choice(cons)
                need = None
                if i < len(self.assigned_needs):
                    need, inst, ent_code = self.assigned_needs[i]
                    e = next(x for x in self.enterprises if x["code"] == ent_code)
                else:
                    e = r.choice(self.enterprises)
                batch.append(self.report_engagement(i, inst, e, month, need))
            start = sum(events_per_month[:mi])
            for k in range(events_per_month[mi]):
                planned = self.plan_event(start + k, month)
                if planned:
                    pending_events.append(planned)
            # A meeting in July (R9.1).
            if month == 7:
                self.meeting(0, self.d(7, 3))
            # Day 18: delivered; day 20: accepted by most enterprises; day 24: rated.
            self.at(self.d(month, 18))
            delivered = []
            for name, inst, ent_code, version in batch:
                who = self.inst(inst)
                eng = who.tracking.UpdateEngagementProgress(tr.UpdateEngagementProgressRequest(
                    name=name, state=tr.DELIVERED, version=version, note="已交付诊断报告"))
                delivered.append((name, inst, ent_code, eng.version))
            self.at(self.d(month, 20))
            for name, inst, ent_code, version in delivered:
                if r.random() < 0.8:
                    self.ent(ent_code).tracking.UpdateEngagementProgress(
                        tr.UpdateEngagementProgressRequest(name=name, state=tr.ENTERPRISE_ACCEPTED,
                                                           version=version, note="验收通过"))
                self.engs.append((name, inst, ent_code))
            self.at(self.d(month, 24))
            for name, inst, ent_code, _ in delivered:
                if r.random() < 0.4:
                    continue
                self.rate(name, inst, ent_code)
                ratings += 1
            # The events of earlier months that have taken place by day 28.
            self.at(self.d(month, 28))
            still = []
            for ev_ in pending_events:
                if ev_["date"] < self.d(month, 28):
                    self.hold_event(ev_)
                else:
                    still.append(ev_)
            pending_events = still
            self.out(f"        … {self.d(month, 1):%Y-%m}: {len(self.engs)} engagements, "
                     f"{ratings} ratings, events {sum(self.verdicts.values())} reported")
        self.at(self.d(12, 4))
        for ev_ in pending_events:
            self.hold_event(ev_)
        self.summary["engagements"] = len(self.engs)
        self.summary["ratings"] = ratings
        self.summary["training events"] = self.scale.events
        self.summary["subsidy verdicts"] = dict(sorted(self.verdicts.items()))
        refused = "; ".join(f"{k}: {v}" for k, v in sorted(self.event_refusals.items()))
        return (f"{len(self.engs)} engagements by {len(cons)} institutions, {ratings} ratings; "
                f"{self.scale.events} training events, subsidy reports "
                f"{dict(sorted(self.verdicts.items()))}"
                + (f"; refused: {refused}" if refused else ""))

    def report_engagement(self, i, inst, e, month, need=None):
        kind = self.rng.choice([common.DIAGNOSIS, common.DIAGNOSIS, common.SOLUTION_DESIGN])
        start = self.d(month, 3)
        who = self.inst(inst)
        eng = who.tracking.ReportEngagement(tr.ReportEngagementRequest(
            request_id=self.rid("eng", i),
            engagement=tr.Engagement(
                institution_credit_code=inst, enterprise_credit_code=e["code"],
                division_code=e["division"], kind=kind, start_date=D(start.isoformat()),
                planned_end_date=D((start + datetime.timedelta(days=15)).isoformat()),
                planned_deliverables=["智能化诊断报告" if kind == common.DIAGNOSIS
                                      else "智能化改造方案"],
                need=need or "",
                declares_no_product_push=True, declares_no_cost_to_enterprise=True)))
        eng = who.tracking.UpdateEngagementProgress(tr.UpdateEngagementProgressRequest(
            name=eng.name, state=tr.IN_PROGRESS, version=eng.version))
        return (eng.name, inst, e["code"], eng.version)

    def rate(self, name, inst, ent_code):
        r = self.rng
        levels = [fb.VERY_SATISFIED, fb.VERY_SATISFIED, fb.FAIRLY_SATISFIED, fb.FAIRLY_SATISFIED,
                  fb.AVERAGE, fb.UNSATISFIED]
        c, res = r.choice(levels), r.choice(levels)
        rating = self.ent(ent_code).feedback.RateEngagement(fb.RateEngagementRequest(
            engagement=name, content=c, results=res, request_id=self.rid("rate", name)))
        self.fact(inst)["ratings"][name] = (RATING_POINTS[c], RATING_POINTS[res])
        # Now and then the enterprise changes its mind within the change period (S2).
        if r.random() < 0.05:
            c2 = r.choice(levels)
            self.ent(ent_code).feedback.RateEngagement(fb.RateEngagementRequest(
                engagement=name, content=c2, results=res, version=rating.version,
                request_id=self.rid("rerate", name)))
            self.fact(inst)["ratings"][name] = (RATING_POINTS[c2], RATING_POINTS[res])

    # Events: a few are flawed on purpose, so that every R13 refusal is seen with its rule.
    EVENT_FLAWS = {4: "late", 9: "long", 14: "small", 19: "fee", 24: "unsatisfied",
                   7: "special_day", 12: "one_industry"}

    def plan_event(self, i, month):
        r = self.rng
        trainers = self.trainers()
        inst = trainers[i % len(trainers)]
        div = COUNTIES[i % len(COUNTIES)]
        flaw = self.EVENT_FLAWS.get(i % 25)
        today = self.today()
        # R13.4: filed at least 10 working days ahead; the late one is planned 8 days ahead.
        date = today + datetime.timedelta(days=8 if flaw == "late" else 20 + r.randrange(10))
        industry = INDUSTRIES[i % 10]
        event = tn.Event(
            institution_credit_code=inst, title=f"{TRADES[industry]}行业智能化技改培训",
            type=tn.TRAINING, date=D(date.isoformat()), start_time=HM("09:00"),
            end_time=HM("17:30" if flaw in ("long", "special_day") else "12:00"),
            venue=f"温州市{r.choice(FIRMS)}会议中心", division_code=div,
            industry_codes=[industry],
            expected_audience=20 if flaw == "small" else 60 + r.randrange(80),
            fee_fen=20000 if flaw == "fee" else 0, plan_document=f"plan-{i}",
            agenda_document=f"agenda-{i}", slides_documents=[f"slides-{i}"],
            special_reason="全天实操演练，需在产线现场完成" if flaw == "special_day" else "")
        who = self.inst(inst)
        try:
            e = who.training.CreateEvent(tn.CreateEventRequest(event=event,
                                                               request_id=self.rid("ev", i)))
        except grpc.RpcError as err:
            # A plan that charges participants is refused outright (R13.2).
            if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            reason = self.refused(err, "a training plan")
            self.event_refusals[f"plan {reason}"] = self.event_refusals.get(f"plan {reason}", 0) + 1
            return None
        e = who.training.SubmitEventForReview(tn.SubmitEventForReviewRequest(name=e.name))
        e = self.county(div).training.ReviewEvent(tn.ReviewEventRequest(
            name=e.name, decision=tn.APPROVE, approve_special_reason=flaw == "special_day"))
        try:
            who.training.FileEvent(tn.FileEventRequest(name=e.name))
        except grpc.RpcError as err:
            # Too late for R13.4, or a year the calendar does not hold: the event is kept.
            if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            reason = self.refused(err, "a training filing")
            self.event_refusals[f"filing {reason}"] = \
                self.event_refusals.get(f"filing {reason}", 0) + 1
        return {"name": e.name, "inst": inst, "date": date, "flaw": flaw, "industry": industry,
                "i": i}

    def hold_event(self, e):
        """After the event: attendance and trainee ratings, then the subsidy report."""
        r = self.rng
        who = self.inst(e["inst"])
        if e["flaw"] == "one_industry":
            # ≥ 10 enterprises of one industry with ≥ 30 participants (R13.2's alternative).
            same = [x for x in self.enterprises if x["industry"] == e["industry"]][:10]
            att = [tn.Attendance(enterprise_credit_code=x["code"], industry_code=x["industry"],
                                 people=3 + (k % 2)) for k, x in enumerate(same)]
        else:
            people = 20 if e["flaw"] == "small" else 55 + r.randrange(60)
            chosen = r.sample(self.enterprises, min(10, len(self.enterprises)))
            att = [tn.Attendance(enterprise_credit_code=x["code"], industry_code=x["industry"],
                                 people=max(1, people // len(chosen))) for x in chosen]
        satisfied_share = 0.6 if e["flaw"] == "unsatisfied" else 0.95
        who.training.RecordAttendance(tn.RecordAttendanceRequest(name=e["name"], attendance=att))
        who.training.RecordTraineeRatings(tn.RecordTraineeRatingsRequest(
            name=e["name"], ratings=[tn.TraineeRating(ballot_id=f"B{e['i']}-{k}",
                                                      satisfied=k < int(30 * satisfied_share))
                                     for k in range(30)]))
        try:
            rep = who.training.GetSubsidyReport(tn.GetSubsidyReportRequest(name=e["name"]))
            verdict = tn.Verdict.Name(rep.verdict)
            if rep.verdict == tn.NOT_ELIGIBLE:
                failed = sorted({f"{o.rule} {o.check}" for o in rep.outcomes
                                 if o.status == tn.FAIL})
                verdict += f" ({', '.join(failed)})"
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            verdict = "refused: " + self.refused(err, "a subsidy report")
        self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1

    def meeting(self, k, date):
        insts = sorted(self.admitted)
        m = self.city.training.CreateMeeting(tn.CreateMeetingRequest(
            request_id=self.rid("meeting", k),
            meeting=tn.Meeting(title=f"智能化技改服务交流会（第{k + 1}次）", date=D(date.isoformat()),
                               organiser="CITY", attendee_credit_codes=insts)))
        problems = 0
        for code in insts[k::5]:
            if code in self.sanctioned:
                continue
            p = self.inst(code).training.SubmitProblem(tn.SubmitProblemRequest(
                parent=m.name, request_id=self.rid("problem", k, code),
                problem=tn.Problem(credit_code=code, text="企业数据采集接口不统一，诊断周期偏长")))
            self.city.training.AnswerProblem(tn.AnswerProblemRequest(
                name=p.name, answer="市局将发布设备数据接口指引", version=p.version))
            problems += 1
        self.summary.setdefault("meeting problems", 0)
        self.summary["meeting problems"] += problems

    def second_meeting(self):
        self.at(self.d(12, 14))
        self.meeting(1, self.d(12, 14))
        report = self.city.training.GetMeetingReport(tn.GetMeetingReportRequest(
            first_year=self.year, last_year=self.year, organisers=["CITY"]))
        short = [s for s in report.shortfalls if s.organiser == "CITY"]
        if short:
            raise RuntimeError(f"the city is reported short of R9.1's two meetings: {short[0]}")
        return f"two city meetings held in {self.year}: no R9.1 shortfall reported for the city"

    # ----------------------------------------------------------------- complaints
    def complaints(self):
        """Three serious complaints from three enterprises against the consulting institution
        with most clients, verified on three days: barred from the third (R14.5), through the
        feedback service's outbox into the registry. Two more institutions get one complaint
        each, verified not serious / rejected. A county bureau follows up an unrated
        engagement by phone."""
        self.at(self.d(12, 5))
        clients = {}
        for name, inst, ent in self.engs:
            clients.setdefault(inst, {}).setdefault(ent, name)
        ordered = sorted(clients, key=lambda c: (-len(clients[c]), c))
        target = ordered[0]
        filed = []
        for k, (ent, eng) in enumerate(sorted(clients[target].items())[:3]):
            filed.append(self.ent(ent).feedback.FileComplaint(fb.FileComplaintRequest(
                request_id=self.rid("complaint", k),
                complaint=fb.Complaint(institution_credit_code=target, engagement=eng,
                                       description="诊断报告照搬模板，并强行推销其代理的软件产品",
                                       contact=common.Person(name="赵主任", phone="13957700001")))))
        for k, comp in enumerate(filed):
            day = self.d(12, 7 + 2 * k)
            self.at(day, hour=15)
            self.city.feedback.VerifyComplaint(fb.VerifyComplaintRequest(
                name=comp.name, outcome=fb.VERIFIED_SERIOUS, version=comp.version,
                reasons="经现场核实，造成企业停产整改，情节严重", verification_date=D(day.isoformat())))
            self.complaints_verified[target] = self.complaints_verified.get(target, 0) + 1
        self.bar_day = self.d(12, 11)
        for k, inst in enumerate(ordered[1:3]):
            ent, eng = sorted(clients[inst].items())[0]
            comp = self.ent(ent).feedback.FileComplaint(fb.FileComplaintRequest(
                request_id=self.rid("complaint-minor", k),
                complaint=fb.Complaint(institution_credit_code=inst, engagement=eng,
                                       description="服务人员多次更换，沟通不畅")))
            self.city.feedback.VerifyComplaint(fb.VerifyComplaintRequest(
                name=comp.name, outcome=fb.VERIFIED_NOT_SERIOUS if k == 0 else fb.REJECTED,
                version=comp.version, reasons="已约谈整改", verification_date=D(self.today().isoformat())))
            if k == 0:
                self.complaints_verified[inst] = self.complaints_verified.get(inst, 0) + 1
        self.barred = target
        self.sanctioned.add(target)
        started = time.time()
        deadline = time.time() + 60
        while time.time() < deadline:
            s = self.city.registry.ListSanctions(reg.ListSanctionsRequest(credit_code=target))
            bars = [x for x in s.sanctions if x.kind == reg.BAR]
            if bars:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the R14.5 bar did not reach the registry within 60s")
        bar = bars[0]
        # Issue 26: feedback decided and the registry timed the bar under the sanction rules in
        # force on its first day (data/sanction-rules.tsv has version 1 only), and says so.
        if bar.rule_version != 1:
            raise RuntimeError(f"the bar records sanction rules version {bar.rule_version}, not 1")
        # Phone follow-up (S2): a county bureau rates an unrated engagement for its enterprise.
        rated = {n for f in self.facts.values() for n in f["ratings"]}
        name, inst, ent = next((n, i, e) for n, i, e in self.engs
                               if n not in rated and i != target)
        div = next(x["division"] for x in self.enterprises if x["code"] == ent)
        self.county(div).feedback.RecordPhoneRating(fb.RecordPhoneRatingRequest(
            engagement=name, content=fb.FAIRLY_SATISFIED, results=fb.AVERAGE,
            comment="电话回访：企业对诊断内容基本满意", request_id=self.rid("phone", name)))
        self.fact(inst)["ratings"][name] = (RATING_POINTS[fb.FAIRLY_SATISFIED],
                                            RATING_POINTS[fb.AVERAGE])
        self.summary["barred"] = f"{target} from {text(bar.start_date)} to {text(bar.end_date)}"
        return (f"5 complaints verified; {target} barred {text(bar.start_date)}..{text(bar.end_date)} "
                f"(R14.5, sanction rules v{bar.rule_version}), in the registry "
                f"{time.time() - started:.1f}s after the third verification; "
                f"1 phone follow-up rating")

    # ----------------------------------------------------------------- the platform
    def push_projects(self):
        """The platform pushes the year's approved-project records in December (what S1.1 and
        S1.2 of the next round count), some of them again at a newer revision; and, in counts
        mode, last year's figures per institution (the other intake)."""
        self.at(self.d(12, 18))
        r = self.rng
        platform = self.c.as_("POLICY_PLATFORM", sub="policy-platform")
        cons = self.consultants() + sorted(self.county_admitted)
        rate = {c: r.choice([0.45, 0.55, 0.65, 0.75, 0.85, 0.95]) for c in cons}
        final = {}
        first, updates = [], []
        for i in range(self.scale.projects):
            inst = r.choice(cons)
            e = r.choice(self.enterprises)
            kind = r.choice([common.DIAGNOSIS, common.DIAGNOSIS, common.SOLUTION_DESIGN])
            decl = self.d(1, 10) + datetime.timedelta(days=r.randrange(0, 320))
            approved = r.random() < rate[inst]
            county_ok = approved or r.random() < 0.5
            rec = self.project(i, 1, inst, e, kind, decl, approved, county_ok)
            first.append(rec)
            final[rec.project_id] = rec
            if r.random() < 0.1:   # the county revises its outcome later
                rec2 = self.project(i, 2, inst, e, kind, decl, approved, not county_ok)
                updates.append(rec2)
                final[rec.project_id] = rec2
        counts = {"accepted": 0, "duplicate": 0}
        for records, label in ((first, "batch"), (updates, "update")):
            for b in range(0, len(records), 500):
                res = platform.tracking.BatchPushProjects(tr.BatchPushProjectsRequest(
                    batch_id=self.rid(label, b // 500), records=records[b:b + 500]))
                if res.counts.rejected:
                    bad = [x for x in res.results if x.outcome == tr.RECORD_REJECTED][:1]
                    raise RuntimeError(f"projects rejected: {bad}")
                counts["accepted"] += res.counts.accepted
        for rec in final.values():
            f = self.fact(rec.institution_credit_code)
            k = 0 if rec.kind == common.DIAGNOSIS else 1
            f["declared"][k] += 1
            if rec.city_outcome == tr.OUTCOME_APPROVED and rec.county_outcome == tr.OUTCOME_APPROVED:
                f["approved"][k] += 1
        # Counts mode for the year before (the platform's other intake, issue 12).
        prev = self.year - 1
        rows = [tr.ProjectCountsRow(year=prev, institution_credit_code=code, kind=common.DIAGNOSIS,
                                    declared=4, approved_by_both=3, revision=1)
                for code in cons[:5]]
        platform.tracking.BatchPushProjectCounts(tr.BatchPushProjectCountsRequest(rows=rows))
        self.summary["projects"] = len(final)
        return (f"{len(first)} records of {self.year} and {len(updates)} newer revisions "
                f"accepted ({counts['accepted']}); counts of {prev} for {len(rows)} institutions")

    def project(self, i, revision, inst, e, kind, decl, approved, county_ok):
        return tr.ProjectRecord(
            project_id=f"ZG-{self.tag}-{i:05d}", revision=revision, institution_credit_code=inst,
            enterprise_credit_code=e["code"], kind=kind, declaration_date=D(decl.isoformat()),
            city_outcome=tr.OUTCOME_APPROVED if approved else tr.OUTCOME_REJECTED,
            city_outcome_date=D((decl + datetime.timedelta(days=20)).isoformat()),
            county_outcome=tr.OUTCOME_APPROVED if county_ok else tr.OUTCOME_REJECTED,
            county_outcome_date=D((decl + datetime.timedelta(days=10)).isoformat()),
            subsidy_fen=(30_000_00 if kind == common.DIAGNOSIS else 80_000_00) if approved else 0)

    # ----------------------------------------------------------------- the next year
    def bureau_tests(self):
        """Two tests in January and February of Y+1 for every institution in the directory:
        one institution excused (accepted), one absent without excuse (scores 0, R8.1), one
        without a result when the second session is closed (an unexcused absence, R8.1
        Decision 2026-12). Both sessions are closed before the evaluation pulls."""
        r = self.rng
        insts = sorted(self.admitted)
        self.at(self.d(1, 5, 1))
        candidates = [c for c in insts if c not in self.sanctioned]
        self.unexcused, self.excused, self.no_result = candidates[1], candidates[2], candidates[3]
        for k, day in enumerate([self.d(1, 12, 1), self.d(2, 2, 1)]):
            s = self.city.training.CreateTestSession(tn.CreateTestSessionRequest(
                request_id=self.rid("test", k),
                session=tn.TestSession(title=f"{self.eval_year} 年服务机构业务测评（第{k + 1}场）",
                                       date=D(day.isoformat()), full_marks_hundredths=10000,
                                       expected_credit_codes=insts)))
            self.at(day + datetime.timedelta(days=1))
            for code in insts:
                if k == 0 and code == self.unexcused:
                    self.city.training.RecordTestResult(tn.RecordTestResultRequest(
                        session=s.name, credit_code=code, absence=tn.Absence()))
                    self.fact(code)["tests"].append(Fraction(0))
                    continue
                if k == 1 and code == self.excused:
                    self.city.training.RecordTestResult(tn.RecordTestResultRequest(
                        session=s.name, credit_code=code,
                        absence=tn.Absence(excuse="参加省经信厅组织的智能制造现场会")))
                    self.city.training.DecideAbsenceExcuse(tn.DecideAbsenceExcuseRequest(
                        session=s.name, credit_code=code, accept=True, note="理由充分，同意请假"))
                    continue   # an accepted excuse leaves the test out
                if k == 1 and code == self.no_result:
                    self.fact(code)["tests"].append(Fraction(0))
                    continue   # nothing recorded: the close makes it an absence
                score = 6000 + r.randrange(0, 4001)
                self.city.training.RecordTestResult(tn.RecordTestResultRequest(
                    session=s.name, credit_code=code, score_hundredths=score))
                self.fact(code)["tests"].append(Fraction(score, 10000) * 10)
            closed = self.city.training.CloseTestSession(tn.CloseTestSessionRequest(name=s.name))
            assert closed.state == tn.TEST_SESSION_CLOSED, closed
            self.test_sessions.append(closed.name)
        return (f"2 tests for {len(insts)} institutions, both closed; {self.excused} excused, "
                f"{self.unexcused} absent without excuse, {self.no_result} without a result "
                f"at the close (both score 0, R8.1)")

    def plagiarism(self):
        self.at(self.d(2, 10, 1))
        cons = [c for c in self.consultants() if c not in (self.barred, self.unexcused,
                                                          self.excused, self.no_result)]
        self.cancelled = cons[-1]
        self.sanctioned.add(self.cancelled)
        finding = self.city.feedback.RecordPlagiarismFinding(fb.RecordPlagiarismFindingRequest(
            request_id=self.rid("plagiarism"),
            finding=fb.PlagiarismFinding(
                institution_credit_code=self.cancelled, finding_date=D(self.today().isoformat()),
                description="诊断报告大段抄袭其他机构已公开的报告", evidence_document_ids=["evidence-1"])))
        deadline = time.time() + 60
        while time.time() < deadline:
            s = self.city.registry.ListSanctions(reg.ListSanctionsRequest(credit_code=self.cancelled))
            if any(x.kind == reg.CANCEL for x in s.sanctions):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the R14.4 cancellation did not reach the registry within 60s")
        return (f"{self.cancelled} cancelled {text(finding.finding_date)}..{text(finding.cancellation_last_day)} "
                f"(R14.4)")

    def evaluation(self):
        r = self.rng
        self.at(self.d(2, 24, 1))
        rnd = self.city.evaluation.CreateRound(ev.CreateRoundRequest(
            year=self.eval_year, include_previous_directory=True, request_id=self.rid("round")))
        self.round_name = rnd.name
        snap = self.city.evaluation.PullMetrics(ev.PullMetricsRequest(round=rnd.name))
        rnd = self.city.evaluation.GetRound(ev.GetRoundRequest(name=rnd.name))
        rnd = self.city.evaluation.FreezeSnapshot(ev.FreezeSnapshotRequest(round=rnd.name,
                                                                           version=rnd.version))
        self.at(self.d(2, 26, 1))
        entries = []
        # Not ranked: whoever is under a bar or cancellation on any day of the round's year.
        self.excluded = {x.credit_code for x in self.city.registry.ListSanctions(
            reg.ListSanctionsRequest(year=self.eval_year, page_size=1000)).sanctions
            if not x.lifted}
        for code in sorted(self.admitted):
            if code in self.excluded:
                continue
            # A panel of five around the institution's level, so that every S3 band occurs.
            level = r.randrange(5500, 9700)
            scores = [max(0, min(10000, level + r.randrange(-300, 301))) for _ in range(5)]
            entries.append(ev.DefenceEntry(credit_code=code, member_scores_hundredths=scores))
            self.fact(code)["defence"] = scores
        rnd = self.city.evaluation.RecordDefenceScores(
            ev.RecordDefenceScoresRequest(round=rnd.name, entries=entries))
        self.at(self.d(2, 27, 1))
        rnd = self.city.evaluation.ComputeRanking(ev.ComputeRankingRequest(
            round=rnd.name, version=rnd.version))
        self.at(self.d(2, 28, 1))
        rnd = self.city.evaluation.PublishRound(
            ev.PublishRoundRequest(round=rnd.name, version=rnd.version))
        self.round = rnd
        self.ranking = list(self.c.public().evaluation.ListRanking(
            ev.ListRankingRequest(parent=rnd.name, page_size=1000)).entries)
        excellent = sum(1 for e in self.ranking if e.excellent)
        return (f"round {rnd.name}: {snap.institution_count} institutions pulled from the four "
                f"sources ({snap.barred_count} barred), defence recorded for {len(entries)}, "
                f"published with {excellent} excellent institutions")

    def what_if(self):
        """Issue 26: the city bureau sees what a correction would change before deciding an
        objection, through the gateway; nothing is written."""
        ranked = [e for e in self.ranking if e.rank > 0]
        last = ranked[-1]
        before = self.city.evaluation.GetRound(ev.GetRoundRequest(name=self.round_name))
        correction = ev.InputCorrection(
            credit_code=last.credit_code,
            inputs=ev.ScoreInputs(defence_scores_hundredths=[10000] * 5),
            update_mask=field_mask_pb2.FieldMask(paths=["defence_scores_hundredths"]))
        fictitious = ev.HypotheticalInstitution(
            credit_code="FICTITIOUS-1", display_name="假设机构",
            inputs=ev.ScoreInputs(defence_scores_hundredths=[10000, 10000]))
        resp = self.city.evaluation.SimulateRanking(ev.SimulateRankingRequest(
            round=self.round_name, corrections=[correction]))
        lines = {x.sheet.credit_code: x for x in resp.sheets}
        # Without a round: the sheet of a fictitious institution, as an auditor would ask.
        alone = self.city.evaluation.SimulateRanking(ev.SimulateRankingRequest(
            hypothetical=[fictitious]))
        lines.update({x.sheet.credit_code: x for x in alone.sheets})
        mine = lines.get(last.credit_code)
        if mine is None or "items[S3].points" not in mine.changed_fields:
            raise RuntimeError(f"what-if: {last.credit_code}'s S3 correction is not marked: {mine}")
        if not (0 < mine.sheet.rank <= last.rank) or mine.recorded.rank != last.rank:
            raise RuntimeError(f"what-if: rank {mine.sheet.rank} for {last.credit_code}, "
                               f"recorded {mine.recorded.rank}, published {last.rank}")
        ghost = lines.get("FICTITIOUS-1")
        if ghost is None or not ghost.hypothetical or ghost.sheet.items[5].points != "30.00":
            raise RuntimeError(f"what-if: the fictitious institution's sheet is wrong: {ghost}")
        after = self.city.evaluation.GetRound(ev.GetRoundRequest(name=self.round_name))
        ranking = list(self.c.public().evaluation.ListRanking(
            ev.ListRankingRequest(parent=self.round_name, page_size=1000)).entries)
        if after.version != before.version or ranking != self.ranking:
            raise RuntimeError("what-if wrote to the published round")

        # The institution objects; the bureau upholds it with the simulated correction: a
        # corrected publication, the first kept and readable.
        objection = self.inst(last.credit_code).evaluation.FileRoundObjection(
            ev.FileRoundObjectionRequest(
                parent=self.round_name, request_id=self.rid("objection"),
                objection=ev.RoundObjection(credit_code=last.credit_code,
                                            reason="答辩成绩录入有误，请复核")))
        decided = self.city.evaluation.DecideRoundObjection(ev.DecideRoundObjectionRequest(
            name=objection.name, version=objection.version, upheld=True,
            decision_note="复核属实，予以更正", corrections=[correction]))
        current = list(self.c.public().evaluation.ListRanking(
            ev.ListRankingRequest(parent=self.round_name, page_size=1000)).entries)
        first = list(self.c.public().evaluation.ListRanking(
            ev.ListRankingRequest(parent=self.round_name, page_size=1000,
                                  publication=1)).entries)
        corrected = {e.credit_code: e for e in current}[last.credit_code]
        if (decided.round.publication != 2 or first != self.ranking
                or corrected.rank != mine.sheet.rank or corrected.total != mine.sheet.total):
            raise RuntimeError(f"corrected publication: {decided.round.publication}, "
                               f"first kept {first == self.ranking}, {corrected} vs {mine.sheet}")
        self.ranking = current
        self.fact(last.credit_code)["defence"] = [10000] * 5  # the hand computation follows
        return (f"{last.credit_code} at full defence marks: rank {last.rank} → {mine.sheet.rank}, "
                f"{resp.changed_count} line(s) would change; a fictitious institution scores "
                f"{ghost.sheet.total}; nothing written by the what-if; its objection upheld: "
                f"publication 2 matches the simulation, publication 1 kept as published")

    # ----------------------------------------------------------------- hand computation
    def expected_items(self, code):
        """Attachment 3 items of one institution computed from what was fed in (S1–S3)."""
        return attachment3_items(self.fact(code))

    def report(self):
        out = self.out
        out("")
        out(f"Year {self.year} played (seed {self.seed}); evaluation round {self.eval_year}.")
        for k, v in self.summary.items():
            out(f"  {k:<18} {v}")
        if self.refusals:
            out("")
            out("Refused by the rules (the services' own words):")
            for (reason, what), x in sorted(self.refusals.items()):
                out(f"  {x['count']:>3} × {reason} ({what}): {x['message']}")
        out("")
        out("Top 10 (优秀服务机构):")
        for e in [x for x in self.ranking if x.rank > 0][:10]:
            out(f"  {e.rank:>3}  {e.total:>6}  S1 {e.s1:>5}  S2 {e.s2:>5}  S3 {e.s3:>5}  "
                f"{e.display_name} ({e.credit_code}){'  ★' if e.excellent else ''}")
        for e in [e for e in self.ranking if e.exclusion.reason]:
            out(f"  not ranked: {e.display_name} ({e.credit_code}) — {e.exclusion.reason_zh}")


def reason_of(err):
    """The ErrorInfo reason of a gRPC error (google.rpc.Status in the trailers), or ""."""
    return error_details(err)[0]


def attachment3_items(f):
    """Attachment 3 items (S1–S3) from one institution's facts: {"declared": [diagnosis,
    solution design], "approved": [..], "tests": [scaled scores], "ratings": {key: (content
    points, results points)}, "defence": [member scores in hundredths]}."""
    s11 = min(30, f["approved"][0] + 2 * f["approved"][1])
    declared, approved = sum(f["declared"]), sum(f["approved"])
    if declared == 0 or approved * 100 < declared * 50:
        s12 = 0
    elif approved * 100 <= declared * 60:
        s12 = 2
    elif approved * 100 <= declared * 70:
        s12 = 4
    elif approved * 100 <= declared * 80:
        s12 = 6
    elif approved * 100 <= declared * 90:
        s12 = 8
    else:
        s12 = 10
    s13 = sum(f["tests"], Fraction(0)) / len(f["tests"]) if f["tests"] else Fraction(0)
    ratings = list(f["ratings"].values())
    s21 = Fraction(sum(c for c, _ in ratings), len(ratings)) if ratings else Fraction(0)
    s22 = Fraction(sum(x for _, x in ratings), len(ratings)) if ratings else Fraction(0)
    d = Fraction(sum(f["defence"]), 100 * len(f["defence"])) if f["defence"] else None
    if d is None or d < 60:
        s3 = 0
    elif d <= 70:
        s3 = 15
    elif d <= 80:
        s3 = 20
    elif d <= 90:
        s3 = 25
    else:
        s3 = 30
    return {"S1.1": Fraction(s11), "S1.2": Fraction(s12), "S1.3": s13, "S2.1": s21,
            "S2.2": s22, "S3": Fraction(s3)}
