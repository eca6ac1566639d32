"""Plays one programme year through the gateway only, as real clients would: the call and its
review, the directory, enterprises and engagements, the policy platform's projects, training
events, the bureau's tests and meetings, ratings, complaints (one bar), the evaluation round
and the published ranking. Deterministic per seed (names, codes, scores, choices); dates are
placed around today because the services use the real clock (submission windows, R13.4
filing deadlines, verification dates).

It also keeps, per institution, what it fed in, so that the acceptance test can compute the
Attachment 3 items by hand (expected_items)."""
import datetime
import random
import time
from fractions import Fraction

import business_date
import grpc
from credit_codes import credit_code
from zhigai.common.v1 import common_pb2 as common
from zhigai.evaluation.v1 import evaluation_pb2 as ev
from zhigai.feedback.v1 import feedback_pb2 as fb
from zhigai.registry.v1 import registry_pb2 as reg
from zhigai.review.v1 import review_pb2 as rv
from zhigai.tracking.v1 import tracking_pb2 as tr
from zhigai.training.v1 import training_pb2 as tn

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
RATING_POINTS = {fb.VERY_SATISFIED: 10, fb.FAIRLY_SATISFIED: 8, fb.AVERAGE: 5, 4: 0}


class Scale:
    def __init__(self, applicants=40, enterprises=600, engagements=2000, projects=3000,
                 events=60):
        self.applicants, self.enterprises = applicants, enterprises
        self.engagements, self.projects, self.events = engagements, projects, events

    @staticmethod
    def small():
        return Scale(applicants=16, enterprises=40, engagements=80, projects=150, events=8)


class Year:
    def __init__(self, client, seed=1, scale=None, out=print, today=None):
        self.c, self.seed, self.scale, self.out = client, seed, scale or Scale(), out
        self.rng = random.Random(seed)
        self.today = today or business_date.today()
        self.year = self.today.year        # the call's year: the directory the year runs on
        self.eval_year = self.year + 1     # evaluation round Y: projects of Y−1 = self.year
        self.city = client.as_("CITY_BUREAU", sub="city-officer", div="330300")
        self.tag = f"s{seed}-{self.today.isoformat()}-{random.Random().getrandbits(24):06x}"
        self.applicants = []   # dicts: code, name, division, directions, flaw
        self.admitted = {}     # code → {directions}
        self.enterprises = []  # dicts: code, name, division, industry
        self.facts = {}        # code → what was fed in for Attachment 3
        self.summary = {}
        self.barred = None
        self.phase_no = 0

    # ----------------------------------------------------------------- helpers
    def inst(self, code):
        return self.c.as_("INSTITUTION", sub="inst-" + code, code=code)

    def ent(self, code):
        return self.c.as_("ENTERPRISE", sub="ent-" + code, code=code)

    def county(self, div):
        return self.c.as_("COUNTY_BUREAU", sub="county-" + div, div=div)

    def rid(self, *parts):
        return ("-".join(str(p) for p in (self.tag,) + parts))[-64:]

    def day(self, offset):
        return (self.today + datetime.timedelta(days=offset)).isoformat()

    def fact(self, code):
        return self.facts.setdefault(code, {"declared": [0, 0], "approved": [0, 0],
                                            "tests": [], "content": [], "results": [],
                                            "defence": []})

    def phase(self, title, fn, total_phases=13):
        self.phase_no += 1
        start = time.time()
        self.out(f"[{self.phase_no:2d}/{total_phases}] {title} …")
        note = fn()
        self.out(f"        {note}  ({time.time() - start:.1f}s)")

    def run(self):
        self.phase("Institutions register (Attachment 1)", self.register_institutions)
        self.phase("City call: applications, R5 checks, manual decision", self.call_and_apply)
        self.phase("Expert review and selection", self.review_and_select)
        self.phase("Public notice, objection, directory", self.notice_and_directory)
        self.phase("Enterprises across the twelve divisions", self.create_enterprises)
        self.phase("Engagements reported, delivered, accepted", self.engagements)
        self.phase("Policy platform pushes projects", self.push_projects)
        self.phase("Training events (R13 checks)", self.training_events)
        self.phase("Bureau tests and exchange meetings", self.tests_and_meetings)
        self.phase("Enterprise ratings", self.ratings)
        self.phase("Complaints (one bar, R14.5)", self.complaints)
        self.phase("Evaluation round: pull, freeze, defence", self.evaluation)
        self.phase("Ranking computed and published", self.publish)
        return self

    # ----------------------------------------------------------------- phases
    def register_institutions(self):
        r = self.rng
        n = self.scale.applicants
        used = set()
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
            flaw = None
            # A few deliberate failures and special cases (R5.1–R5.4).
            if i == 3:
                flaw = "R5.3"       # too few qualified staff
            elif i == 7:
                flaw = "R5.2"       # one successful case only
            elif i == 11:
                flaw = "R5.4"       # no deliverables QC document
            elif i == 5:
                flaw = "BRANCH"     # not a legal person: manual decision (passes)
            elif i == 9 and n > 12:
                flaw = "CONSORTIUM"
            self.applicants.append({"code": code, "name": name, "division": div,
                                    "directions": dirs, "flaw": flaw})
            inst = reg.Institution(
                credit_code=code, display_name=name,
                legal_form=reg.BRANCH if flaw == "BRANCH" else reg.INDEPENDENT_LEGAL_PERSON,
                founded_date=f"{2005 + r.randrange(15)}-0{1 + r.randrange(9)}-1{r.randrange(9)}",
                registered_address=common.Address(province="浙江省", city="温州市",
                                                   division_code=div,
                                                   street=f"{r.randrange(1, 300)}号"),
                ownership=reg.PRIVATE, previous_year_revenue_fen=r.randrange(1, 50) * 100_000_000,
                directions=dirs,
                contact=common.Person(name=r.choice(SURNAMES) + "经理",
                                      phone=f"139{r.randrange(10**8):08d}"),
                staff_resident_in_wenzhou=r.randrange(5, 60),
                products_and_strengths="智能工厂诊断、数字化车间方案设计与技改培训",
                key_industry_codes=r.sample(INDUSTRIES, 2))
            self.inst(code).registry.CreateInstitution(
                reg.CreateInstitutionRequest(institution=inst, request_id=self.rid("inst", i)))
        return f"{n} institutions registered"

    def call_and_apply(self):
        r = self.rng
        call = rv.Call(
            display_name=f"{self.year} 年温州市智能化技改服务机构征集遴选", year=self.year,
            scope=common.CITY,
            directions=[rv.CallDirection(direction=common.CONSULTING, selection_mode=rv.QUOTA,
                                         quota=max(2, self.scale.applicants * 18 // 40)),
                        rv.CallDirection(direction=common.TRAINING, selection_mode=rv.QUOTA,
                                         quota=max(2, self.scale.applicants * 13 // 40))],
            opening_date=self.day(-20), closing_date=self.day(0), notice_period_days=5,
            experts_per_application=5,
            criteria=[rv.Criterion(name="服务能力", weight_hundredths=100,
                                   full_marks_hundredths=6000),
                      rv.Criterion(name="典型案例", weight_hundredths=100,
                                   full_marks_hundredths=4000)],
            tie_policy=rv.ALL_IN)
        self.call = self.city.review.CreateCall(
            rv.CreateCallRequest(call=call, request_id=self.rid("call")))
        self.call = self.city.review.OpenCall(
            rv.OpenCallRequest(name=self.call.name, version=self.call.version))
        self.apps = {}
        for i, a in enumerate(self.applicants):
            app = self.application(a, i)
            who = self.inst(a["code"])
            created = who.review.CreateApplication(rv.CreateApplicationRequest(
                parent=self.call.name, application=app, request_id=self.rid("app", i)))
            purposes = [rv.QC_STAFF_DOCUMENT, rv.QC_SERVICE_PROCESS_DOCUMENT,
                        rv.QC_SERVICE_STANDARDS_DOCUMENT, rv.QC_DELIVERABLES_DOCUMENT]
            if a["flaw"] == "R5.4":
                purposes = purposes[:3]
            for k, p in enumerate(purposes):
                self.upload(who, created.name, p, r.randbytes(1500), self.rid("doc", i, k))
            created = who.review.GetApplication(rv.GetApplicationRequest(name=created.name))
            submitted = who.review.SubmitApplication(
                rv.SubmitApplicationRequest(name=created.name, version=created.version))
            self.apps[a["code"]] = submitted
        # The branch needs the city bureau's manual decision (R5.1).
        decided = 0
        for a in self.applicants:
            if a["flaw"] != "BRANCH":
                continue
            name = self.apps[a["code"]].name + "/checklist"
            cl = self.city.review.GetEligibilityChecklist(
                rv.GetEligibilityChecklistRequest(name=name))
            self.city.review.DecideChecklistItem(rv.DecideChecklistItemRequest(
                name=name, rule_id="R5.1", version=cl.version, reason="分支机构经总公司授权，具备独立承接服务能力",
                **{"pass": True}))
            decided += 1
        self.call = self.city.review.GetCall(rv.GetCallRequest(name=self.call.name))
        self.call = self.city.review.CloseCall(
            rv.CloseCallRequest(name=self.call.name, version=self.call.version))
        flaws = sum(1 for a in self.applicants if a["flaw"] in ("R5.2", "R5.3", "R5.4"))
        return (f"{len(self.apps)} applications submitted, {flaws} failing R5 checks, "
                f"{decided} manual decision (R5.1)")

    def application(self, a, i):
        r = self.rng
        y = self.year
        p = reg.Institution(
            credit_code=a["code"], display_name=a["name"],
            legal_form=reg.BRANCH if a["flaw"] == "BRANCH" else reg.INDEPENDENT_LEGAL_PERSON,
            founded_date="2015-06-01",
            registered_address=common.Address(province="浙江省", city="温州市",
                                               division_code=a["division"]),
            ownership=reg.PRIVATE, previous_year_revenue_fen=500_000_000,
            directions=a["directions"],
            contact=common.Person(name=r.choice(SURNAMES) + "工", phone=f"139{r.randrange(10**8):08d}"),
            staff_resident_in_wenzhou=12, products_and_strengths="智能工厂诊断与方案设计")
        app = rv.Application(profile=p, directions=a["directions"],
                             letter=rv.ApplicationLetter(history="专注制造业智能化改造。"))
        cases = 1 if a["flaw"] == "R5.2" else 2 + r.randrange(3)
        for k in range(cases):
            app.track_record.add(kind=rv.PROJECT_CASE, title=f"智能化诊断项目{k + 1}",
                                 date=f"{y - 1}-0{3 + k % 6}-15", successful=True)
            app.track_record.add(kind=rv.TRAINING_EVENT, title=f"技改培训{k + 1}",
                                 date=f"{y - 1}-0{3 + k % 6}-20")
        staff = 2 if a["flaw"] == "R5.3" else 3 + r.randrange(4)
        for k in range(staff):
            app.staff.add(name=f"工程师{k + 1}", title=rv.INTERMEDIATE, title_in_related_field=True,
                          degree=rv.BACHELOR, degree_in_related_field=True,
                          work_start_date="2012-07-01", resident_in_wenzhou=True)
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
        import hashlib
        header = rv.UploadDocumentRequest(header=rv.UploadHeader(
            parent=parent, request_id=request_id, size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            document=rv.Document(display_name=f"质量管控-{purpose}.pdf",
                                 content_type="application/pdf", purpose=purpose)))
        data = b"%PDF-1.7\n" + content[9:] if len(content) > 9 else content
        header.header.sha256 = hashlib.sha256(data).hexdigest()
        header.header.size_bytes = len(data)
        return who.review.UploadDocument(iter([header, rv.UploadDocumentRequest(chunk=data)]))

    def review_and_select(self):
        r = self.rng
        self.call = self.city.review.StartReview(
            rv.StartReviewRequest(name=self.call.name, version=self.call.version))
        self.experts = []
        for k in range(8):
            e = self.city.review.CreateExpert(rv.CreateExpertRequest(
                expert=rv.Expert(display_name=r.choice(SURNAMES) + "教授",
                                 subject=f"expert-{self.tag}-{k}", fields=["智能制造"],
                                 phone=f"137{r.randrange(10**8):08d}"),
                request_id=self.rid("expert", k)))
            self.experts.append(e)
        assigned = self.city.review.AssignExperts(rv.AssignExpertsRequest(call=self.call.name))
        by_name = {e.name: e for e in self.experts}
        sheets = 0
        # Each applicant has a quality q; each expert scores around it.
        quality = {a["code"]: r.uniform(0.55, 0.95) for a in self.applicants}
        code_of = {app.name: code for code, app in self.apps.items()}
        for asg in assigned.assignments:
            code = code_of[asg.application]
            app = self.apps[code]
            for ename in asg.experts:
                e = by_name[ename]
                who = self.c.as_("EXPERT", sub=e.subject)
                for d in app.directions:
                    q = min(1.0, max(0.0, quality[code] + r.uniform(-0.08, 0.08)))
                    who.review.SubmitExpertScores(rv.SubmitExpertScoresRequest(sheet=rv.ExpertScoreSheet(
                        application=asg.application, direction=d,
                        scores=[rv.CriterionScore(criterion="服务能力", score_hundredths=int(6000 * q)),
                                rv.CriterionScore(criterion="典型案例", score_hundredths=int(4000 * q))])))
                    sheets += 1
        self.selection = self.city.review.SelectApplicants(
            rv.SelectApplicantsRequest(call=self.call.name))
        chosen = sum(d.selected_count for d in self.selection.directions)
        return f"{len(self.experts)} experts, {sheets} score sheets, {chosen} selections"

    def notice_and_directory(self):
        self.call = self.city.review.GetCall(rv.GetCallRequest(name=self.call.name))
        self.call = self.city.review.StartPublicNotice(
            rv.StartPublicNoticeRequest(name=self.call.name, version=self.call.version))
        notice = self.c.public().review.GetPublicNotice(rv.GetPublicNoticeRequest(call=self.call.name))
        # One objection from a competitor against the last selected consulting applicant,
        # upheld by the bureau (a typical case turned out not to be the applicant's own).
        target = [e for e in notice.entries if e.direction == common.CONSULTING][-1]
        filer = self.applicants[3]["code"]
        obj = self.inst(filer).review.FileObjection(rv.FileObjectionRequest(
            parent=self.call.name, request_id=self.rid("objection"),
            objection=rv.Objection(application=target.application, direction=common.CONSULTING,
                                   reason="其申报的典型案例实为合作方完成，非本单位业绩")))
        self.city.review.ResolveObjection(rv.ResolveObjectionRequest(
            name=obj.name, uphold=True, version=obj.version,
            resolution="经核实，典型案例合同主体非申报单位，异议成立"))
        # The notice runs on the real calendar, so FinishCall can only admit after its end
        # date; until then the city bureau enters the notice's selections itself (R4.1),
        # with the same command ids as the review service's outbox, so a later FinishCall
        # is a no-op for them.
        finished = False
        try:
            self.call = self.city.review.GetCall(rv.GetCallRequest(name=self.call.name))
            res = self.city.review.FinishCall(
                rv.FinishCallRequest(name=self.call.name, version=self.call.version))
            for adm in res.admissions:
                self.admitted.setdefault(adm.credit_code, set()).add(adm.direction)
            finished = True
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
        if not finished:
            for e in notice.entries:
                if e.application == target.application and e.direction == common.CONSULTING:
                    continue
                self.city.registry.AdmitToDirectory(reg.AdmitToDirectoryRequest(
                    command_id=f"admit:{self.call.name}:{e.credit_code}:"
                               f"{common.Direction.Name(e.direction)}",
                    year=self.year, level=common.CITY, credit_code=e.credit_code,
                    direction=e.direction, source=e.application))
                self.admitted.setdefault(e.credit_code, set()).add(e.direction)
        self.excluded_by_objection = target.credit_code
        self.summary["admitted"] = len(self.admitted)
        return (f"notice {notice.start_date}..{notice.end_date} with {len(notice.entries)} "
                f"entries, 1 objection upheld, {len(self.admitted)} institutions admitted"
                + ("" if finished else " (notice still running: admitted by the bureau)"))

    def create_enterprises(self):
        r = self.rng
        for i in range(self.scale.enterprises):
            div = COUNTIES[i % len(COUNTIES)]
            ind = INDUSTRIES[(i * 7 + r.randrange(3)) % len(INDUSTRIES)]
            code = credit_code(div, 500000 + self.seed * 10000 + i)
            name = f"温州{r.choice(FIRMS)}{TRADES[ind]}有限公司"
            self.ent(code).tracking.CreateEnterprise(tr.CreateEnterpriseRequest(
                request_id=self.rid("ent", i),
                enterprise=tr.Enterprise(credit_code=code, display_name=name, division_code=div,
                                         industry_code=ind,
                                         size=r.choice([tr.MEDIUM, tr.SMALL, tr.SMALL, tr.MICRO]))))
            self.enterprises.append({"code": code, "name": name, "division": div,
                                     "industry": ind})
        return f"{len(self.enterprises)} enterprises in {len(COUNTIES)} divisions"

    def consultants(self):
        return sorted(c for c, d in self.admitted.items() if common.CONSULTING in d)

    def trainers(self):
        return sorted(c for c, d in self.admitted.items() if common.TRAINING in d)

    def engagements(self):
        r = self.rng
        self.engs = []
        cons = self.consultants()
        for i in range(self.scale.engagements):
            inst = cons[i % len(cons)] if i < len(cons) else r.choice(cons)
            e = r.choice(self.enterprises)
            start = self.today - datetime.timedelta(days=r.randrange(20, 200))
            if start.year != self.today.year:
                start = datetime.date(self.today.year, 1, 15)
            kind = r.choice([common.DIAGNOSIS, common.DIAGNOSIS, common.SOLUTION_DESIGN])
            who = self.inst(inst)
            eng = who.tracking.ReportEngagement(tr.ReportEngagementRequest(
                request_id=self.rid("eng", i),
                engagement=tr.Engagement(
                    institution_credit_code=inst, enterprise_credit_code=e["code"],
                    division_code=e["division"], kind=kind, start_date=start.isoformat(),
                    planned_end_date=(start + datetime.timedelta(days=15)).isoformat(),
                    planned_deliverables=["智能化诊断报告" if kind == common.DIAGNOSIS
                                          else "智能化改造方案"],
                    declares_no_product_push=True, declares_no_cost_to_enterprise=True)))
            eng = who.tracking.UpdateEngagementProgress(tr.UpdateEngagementProgressRequest(
                name=eng.name, state=tr.IN_PROGRESS, version=eng.version))
            eng = who.tracking.UpdateEngagementProgress(tr.UpdateEngagementProgressRequest(
                name=eng.name, state=tr.DELIVERED, version=eng.version, note="已交付"))
            if r.random() < 0.8:
                eng = self.ent(e["code"]).tracking.UpdateEngagementProgress(
                    tr.UpdateEngagementProgressRequest(name=eng.name, state=tr.ENTERPRISE_ACCEPTED,
                                                       version=eng.version, note="验收通过"))
            self.engs.append((eng.name, inst, e["code"]))
            if (i + 1) % 500 == 0:
                self.out(f"        … {i + 1} engagements")
        self.summary["engagements"] = len(self.engs)
        return f"{len(self.engs)} engagements by {len(cons)} consulting institutions"

    def push_projects(self):
        r = self.rng
        platform = self.c.as_("POLICY_PLATFORM", sub="policy-platform")
        cons = self.consultants()
        # Each institution has its own approval rate so that S1.2's bands are exercised.
        rate = {c: r.choice([0.45, 0.55, 0.65, 0.75, 0.85, 0.95]) for c in cons}
        records, counts = [], {"accepted": 0, "rejected": 0}
        for i in range(self.scale.projects):
            inst = r.choice(cons)
            e = r.choice(self.enterprises)
            kind = r.choice([common.DIAGNOSIS, common.DIAGNOSIS, common.SOLUTION_DESIGN])
            decl = datetime.date(self.year, 1, 1) + datetime.timedelta(days=r.randrange(0, 300))
            if decl >= self.today:
                decl = self.today - datetime.timedelta(days=1)
            approved = r.random() < rate[inst]
            county_ok = approved or r.random() < 0.5
            rec = tr.ProjectRecord(
                project_id=f"ZG-{self.tag}-{i:05d}", revision=1, institution_credit_code=inst,
                enterprise_credit_code=e["code"], kind=kind, declaration_date=decl.isoformat(),
                city_outcome=tr.OUTCOME_APPROVED if approved else tr.OUTCOME_REJECTED,
                city_outcome_date=(decl + datetime.timedelta(days=1)).isoformat()
                if decl + datetime.timedelta(days=1) < self.today else decl.isoformat(),
                county_outcome=tr.OUTCOME_APPROVED if county_ok else tr.OUTCOME_REJECTED,
                county_outcome_date=decl.isoformat(),
                subsidy_fen=(30_000_00 if kind == common.DIAGNOSIS else 80_000_00) if approved else 0)
            records.append(rec)
            f = self.fact(inst)
            k = 0 if kind == common.DIAGNOSIS else 1
            f["declared"][k] += 1
            if approved and county_ok:
                f["approved"][k] += 1
        for b in range(0, len(records), 500):
            res = platform.tracking.BatchPushProjects(tr.BatchPushProjectsRequest(
                batch_id=self.rid("batch", b // 500), records=records[b:b + 500]))
            counts["accepted"] += res.counts.accepted
            counts["rejected"] += res.counts.rejected
            if res.counts.rejected:
                bad = [x for x in res.results if x.outcome == tr.RECORD_REJECTED][:1]
                raise RuntimeError(f"projects rejected: {bad}")
        self.summary["projects"] = counts["accepted"]
        return f"{counts['accepted']} projects accepted in {(len(records) + 499) // 500} batches"

    def training_events(self):
        r = self.rng
        trainers = self.trainers()
        policy = self.city.training.GetYearPolicy(tn.GetYearPolicyRequest(year=self.year))
        if not policy.has_training_subsidy:
            self.city.training.SetYearPolicy(tn.SetYearPolicyRequest(
                year=self.year, has_training_subsidy=True, version=policy.version))
        verdicts, plans_refused, filed, filings_refused = {}, 0, 0, 0
        for i in range(self.scale.events):
            inst = trainers[i % len(trainers)]
            div = COUNTIES[i % len(COUNTIES)]
            # Events after the R13.4 filing deadline need three weeks' notice; a few are
            # planned too late, too long, too small or charge a fee (R13.1–R13.4).
            flaw = ["late", "long", "small", "fee"][i % 4] if i % 5 == 4 else None
            offset = 8 if flaw == "late" else 21 + r.randrange(14)
            date = self.today + datetime.timedelta(days=offset)
            ev_ = tn.Event(
                institution_credit_code=inst, title=f"{TRADES[INDUSTRIES[i % 10]]}行业智能化技改培训",
                type=tn.TRAINING, date=date.isoformat(), start_time="09:00",
                end_time="17:30" if flaw == "long" else "12:00",
                venue=f"温州市{r.choice(FIRMS)}会议中心", division_code=div,
                industry_codes=[INDUSTRIES[i % 10]],
                expected_audience=20 if flaw == "small" else 60 + r.randrange(80),
                fee_fen=20000 if flaw == "fee" else 0, plan_document=f"plan-{i}",
                agenda_document=f"agenda-{i}", slides_documents=[f"slides-{i}"])
            who = self.inst(inst)
            try:
                e = who.training.CreateEvent(
                    tn.CreateEventRequest(event=ev_, request_id=self.rid("ev", i)))
            except grpc.RpcError as err:
                # A plan that charges participants is refused outright (R13.2).
                if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                plans_refused += 1
                continue
            e = who.training.SubmitEventForReview(tn.SubmitEventForReviewRequest(name=e.name))
            e = self.county(div).training.ReviewEvent(
                tn.ReviewEventRequest(name=e.name, decision=tn.APPROVE))
            try:
                e = who.training.FileEvent(tn.FileEventRequest(name=e.name))
                filed += 1
            except grpc.RpcError as err:
                # Too late for R13.4: the city bureau refuses the filing; the event is kept.
                if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                filings_refused += 1
            people = 20 if flaw == "small" else 55 + r.randrange(60)
            att = [tn.Attendance(enterprise_credit_code=x["code"], industry_code=x["industry"],
                                 people=max(1, people // 10)) for x in r.sample(self.enterprises, min(10, len(self.enterprises)))]
            try:
                who.training.RecordAttendance(tn.RecordAttendanceRequest(name=e.name, attendance=att))
                who.training.RecordTraineeRatings(tn.RecordTraineeRatingsRequest(
                    name=e.name, ratings=[tn.TraineeRating(ballot_id=f"B{i}-{k}",
                                                           satisfied=r.random() < 0.9)
                                          for k in range(30)]))
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
            rep = who.training.GetSubsidyReport(tn.GetSubsidyReportRequest(name=e.name))
            verdicts[tn.Verdict.Name(rep.verdict)] = verdicts.get(tn.Verdict.Name(rep.verdict), 0) + 1
        self.summary["events"] = self.scale.events
        # The services use the real clock and the events lie 1-5 weeks ahead: attendance and
        # ratings are recorded only afterwards (R13.2), so no report can be ELIGIBLE yet.
        planned = self.scale.events - plans_refused
        return (f"{self.scale.events} events planned: {plans_refused} refused as charging a fee "
                f"(R13.2), {planned} approved by the counties, {filed} filed with the city, "
                f"{filings_refused} filings refused as late (R13.4); subsidy reports {verdicts} "
                f"(the events are still ahead: attendance and ratings come afterwards, R13.2)")

    def tests_and_meetings(self):
        r = self.rng
        insts = sorted(self.admitted)
        sessions = 0
        # Results are recorded only after a test has taken place (R8.1) and the services use
        # the real clock, so the tests are this year's: they count for the round of this
        # year, not for the round played below (Y = next year, whose tests lie ahead).
        counts_for_round = self.year == self.eval_year
        for k, date in enumerate([self.day(-200), self.day(-60)]):
            s = self.city.training.CreateTestSession(tn.CreateTestSessionRequest(
                request_id=self.rid("test", k),
                session=tn.TestSession(title=f"{self.year} 年服务机构业务测评（第{k + 1}场）",
                                       date=date, full_marks_hundredths=10000,
                                       expected_credit_codes=insts)))
            sessions += 1
            for j, code in enumerate(insts):
                if (j + k) % 17 == 5:   # an unexcused absence scores 0 (R8.1)
                    self.city.training.RecordTestResult(tn.RecordTestResultRequest(
                        session=s.name, credit_code=code, absence=tn.Absence()))
                    if counts_for_round:
                        self.fact(code)["tests"].append(Fraction(0))
                    continue
                score = 6000 + r.randrange(0, 4001)
                self.city.training.RecordTestResult(tn.RecordTestResultRequest(
                    session=s.name, credit_code=code, score_hundredths=score))
                if counts_for_round:
                    self.fact(code)["tests"].append(Fraction(score, 10000) * 10)
        problems = 0
        for k, date in enumerate([self.day(-120), self.day(-30)]):
            m = self.city.training.CreateMeeting(tn.CreateMeetingRequest(
                request_id=self.rid("meeting", k),
                meeting=tn.Meeting(title=f"智能化技改服务交流会（第{k + 1}次）", date=date,
                                   organiser="CITY", attendee_credit_codes=insts)))
            for code in insts[k::5]:
                p = self.inst(code).training.SubmitProblem(tn.SubmitProblemRequest(
                    parent=m.name, request_id=self.rid("problem", k, code),
                    problem=tn.Problem(credit_code=code, text="企业数据采集接口不统一，诊断周期偏长")))
                self.city.training.AnswerProblem(tn.AnswerProblemRequest(
                    name=p.name, answer="市局将发布设备数据接口指引", version=p.version))
                problems += 1
        return f"{sessions} tests for {len(insts)} institutions; 2 meetings, {problems} problems answered"

    def ratings(self):
        r = self.rng
        n = 0
        levels = [fb.VERY_SATISFIED, fb.VERY_SATISFIED, fb.FAIRLY_SATISFIED, fb.FAIRLY_SATISFIED,
                  fb.AVERAGE, 4]
        for name, inst, ent in self.engs:
            if r.random() < 0.4:
                continue
            c, res = r.choice(levels), r.choice(levels)
            self.ent(ent).feedback.RateEngagement(fb.RateEngagementRequest(
                engagement=name, content=c, results=res, request_id=self.rid("rate", name)))
            f = self.fact(inst)
            f["content"].append(RATING_POINTS[c])
            f["results"].append(RATING_POINTS[res])
            n += 1
        self.summary["ratings"] = n
        return f"{n} ratings"

    def complaints(self):
        # The consulting institution with most distinct clients gets three serious complaints
        # from three enterprises: barred (R14.5). Two more institutions get one complaint
        # each, verified not serious / rejected.
        clients = {}
        for name, inst, ent in self.engs:
            clients.setdefault(inst, {}).setdefault(ent, name)
        ordered = sorted(clients, key=lambda c: (-len(clients[c]), c))
        target = ordered[0]
        filed = 0
        for k, (ent, eng) in enumerate(sorted(clients[target].items())[:3]):
            comp = self.ent(ent).feedback.FileComplaint(fb.FileComplaintRequest(
                request_id=self.rid("complaint", k),
                complaint=fb.Complaint(institution_credit_code=target, engagement=eng,
                                       description="诊断报告照搬模板，并强行推销其代理的软件产品",
                                       contact=common.Person(name="赵主任",
                                                             phone="13957700001"))))
            self.city.feedback.VerifyComplaint(fb.VerifyComplaintRequest(
                name=comp.name, outcome=fb.VERIFIED_SERIOUS, version=comp.version,
                reasons="经现场核实，造成企业停产整改，情节严重", verification_date=self.day(0)))
            filed += 1
        for k, inst in enumerate(ordered[1:3]):
            ent, eng = sorted(clients[inst].items())[0]
            comp = self.ent(ent).feedback.FileComplaint(fb.FileComplaintRequest(
                request_id=self.rid("complaint-minor", k),
                complaint=fb.Complaint(institution_credit_code=inst, engagement=eng,
                                       description="服务人员多次更换，沟通不畅")))
            self.city.feedback.VerifyComplaint(fb.VerifyComplaintRequest(
                name=comp.name, outcome=fb.VERIFIED_NOT_SERIOUS if k == 0 else fb.REJECTED,
                version=comp.version, reasons="已约谈整改", verification_date=self.day(0)))
            filed += 1
        self.barred = target
        # The bar reaches the registry through the feedback service's outbox.
        deadline = time.time() + 30
        while time.time() < deadline:
            s = self.city.registry.ListSanctions(reg.ListSanctionsRequest(credit_code=target))
            if any(x.kind == reg.BAR for x in s.sanctions):
                break
            time.sleep(0.3)
        else:
            raise RuntimeError("the R14.5 bar did not reach the registry within 30s")
        return f"{filed} complaints verified; {target} barred for three years (R14.5)"

    def evaluation(self):
        r = self.rng
        rnd = self.city.evaluation.CreateRound(ev.CreateRoundRequest(
            year=self.eval_year, include_previous_directory=True, request_id=self.rid("round")))
        self.round_name = rnd.name
        snap = self.city.evaluation.PullMetrics(ev.PullMetricsRequest(round=rnd.name))
        rnd = self.city.evaluation.GetRound(ev.GetRoundRequest(name=rnd.name))
        rnd = self.city.evaluation.FreezeSnapshot(ev.FreezeSnapshotRequest(round=rnd.name,
                                                                           version=rnd.version))
        entries = []
        for code in sorted(self.admitted):
            if code == self.barred:
                continue
            # A panel of five around the institution's level, so that every S3 band occurs.
            level = r.randrange(5500, 9700)
            scores = [max(0, min(10000, level + r.randrange(-300, 301))) for _ in range(5)]
            entries.append(ev.DefenceEntry(credit_code=code, member_scores_hundredths=scores))
            self.fact(code)["defence"] = scores
        rnd = self.city.evaluation.RecordDefenceScores(
            ev.RecordDefenceScoresRequest(round=rnd.name, entries=entries))
        self.round = rnd
        return (f"round {rnd.name}: {snap.institution_count} institutions pulled "
                f"({snap.barred_count} barred), defence recorded for {len(entries)}")

    def publish(self):
        rnd = self.city.evaluation.ComputeRanking(ev.ComputeRankingRequest(
            round=self.round.name, version=self.round.version))
        rnd = self.city.evaluation.PublishRound(
            ev.PublishRoundRequest(round=rnd.name, version=rnd.version))
        self.ranking = list(self.c.public().evaluation.ListRanking(
            ev.ListRankingRequest(parent=rnd.name, page_size=1000)).entries)
        excellent = sum(1 for e in self.ranking if e.excellent)
        return f"published: {len(self.ranking)} lines, {excellent} excellent institutions"

    # ----------------------------------------------------------------- hand computation
    def expected_items(self, code):
        """Attachment 3 items of one institution computed from what was fed in (S1–S3)."""
        f = self.fact(code)
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
        s21 = Fraction(sum(f["content"]), len(f["content"])) if f["content"] else Fraction(0)
        s22 = Fraction(sum(f["results"]), len(f["results"])) if f["results"] else Fraction(0)
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

    def report(self):
        out = self.out
        out("")
        out(f"Year {self.year} played (seed {self.seed}); evaluation round {self.eval_year}.")
        for k, v in self.summary.items():
            out(f"  {k:<12} {v}")
        out("")
        out("Top 10 (优秀服务机构):")
        for e in [x for x in self.ranking if x.rank > 0][:10]:
            out(f"  {e.rank:>3}  {e.total:>6}  S1 {e.s1:>5}  S2 {e.s2:>5}  S3 {e.s3:>5}  "
                f"{e.display_name} ({e.credit_code}){'  ★' if e.excellent else ''}")
        barred = [e for e in self.ranking if e.exclusion.reason]
        for e in barred:
            out(f"  not ranked: {e.display_name} ({e.credit_code}) — {e.exclusion.reason_zh}")
