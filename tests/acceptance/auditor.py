"""Issue 28: an auditor recomputes a published round from the source services' read methods
alone, through the gateway, and finds every sheet and the ranking equal. It never reads the
evaluation's snapshot (GetSnapshot); from the evaluation it reads only what is published or
recorded by people (the sheets, the ranking, the scope, the panel's defence scores).

What it reads, and what for:
- registry ListDirectoryEntries (city, Y and Y−1, each status) and ListSanctions (Y): the scope
  and the exclusions, compared with evaluation ListRoundScope and each sheet's exclusion;
- tracking ListProjectRecords (Y−1): S1.1 and S1.2, and the data state named on each sheet;
- training ListTestSessions (Y) and ListTestResults: S1.3, every session closed;
- feedback ListRatings (engagements of Y−1): S2.1 and S2.2; ListComplaints: the last tie-break;
- evaluation ListDefenceScores: S3;
and it runs every SourceQuery each sheet names, to show a point can be followed to its records.
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from google.protobuf import json_format

SATISFACTION_POINTS = {"VERY_SATISFIED": 10, "FAIRLY_SATISFIED": 8, "AVERAGE": 5,
                       "UNSATISFIED": 0}


def two_decimals(x):
    """RULES.md S4: two decimals, half away from zero (every figure here is >= 0)."""
    exact = Decimal(x.numerator) / Decimal(x.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ranking_of(items_by_code, complaints):
    """S4: the published figures decide (total, then S1, S3, S2, each to two decimals), then
    fewer verified complaints in Y−1; a tie on all of them shares the rank; every institution
    ranked 10th or better is excellent. [(code, rank, excellent)] best first."""
    rows = []
    for code, items in items_by_code.items():
        s1 = items["S1.1"] + items["S1.2"] + items["S1.3"]
        s2 = items["S2.1"] + items["S2.2"]
        s3 = items["S3"]
        rows.append((code, two_decimals(s1 + s2 + s3), two_decimals(s1), two_decimals(s3),
                     two_decimals(s2), complaints.get(code, 0)))
    key = lambda r: (-r[1], -r[2], -r[3], -r[4], r[5])  # noqa: E731
    rows.sort(key=lambda r: (key(r), r[0]))
    ranks, prev = {}, None
    for i, r in enumerate(rows):
        ranks[r[0]] = ranks[prev[0]] if prev is not None and key(prev) == key(r) else i + 1
        prev = r
    return [(r[0], ranks[r[0]], ranks[r[0]] <= 10) for r in rows]


def pages(method, request, field):
    """Every item of a paged list (AIP-158), following next_page_token."""
    out = []
    request.page_size = 1000
    while True:
        page = method(request)
        out.extend(getattr(page, field))
        if not page.next_page_token:
            return out
        request.page_token = page.next_page_token


class Auditor:
    def __init__(self, reader, check):
        """reader: an identity bound to the gateway (zhigai_client); check(cond, what)."""
        self.r, self.check = reader, check
        self.calls = 0

    def _list(self, service, method, request, field):
        bound = getattr(getattr(self.r, service), method)

        def counted(req):
            self.calls += 1
            return bound(req)
        return pages(counted, request, field)

    # ------------------------------------------------------------------------- the inputs
    def exclusions(self, year):
        """Bars and cancellations in force on some day of `year` (R14.4, R14.5): a sanction
        lifted with no lift date never applied; a bar outweighs a cancellation; among equals
        the first by name is named."""
        from zhigai.registry.v1 import registry_pb2 as reg
        out = {}
        for s in self._list("registry", "ListSanctions", reg.ListSanctionsRequest(year=year),
                            "sanctions"):
            if s.lifted and not s.HasField("lift_date"):
                continue
            kind = "BARRED" if s.kind == reg.BAR else "CANCELLED"
            cur = out.get(s.credit_code)
            if (cur is None or (kind == "BARRED" and cur[0] == "CANCELLED")
                    or (kind == cur[0] and s.name < cur[1])):
                out[s.credit_code] = (kind, s.name)
        return out

    def scope(self, year, include_previous, excluded):
        """{code: reason}: IN_DIRECTORY, REMOVED_BUT_SANCTIONED or REMOVED_FROM_DIRECTORY."""
        from zhigai.common.v1 import common_pb2 as common
        from zhigai.registry.v1 import registry_pb2 as reg
        statuses = defaultdict(set)
        for y in [year, year - 1] if include_previous else [year]:
            for status in (reg.ACTIVE, reg.SUSPENDED, reg.REMOVED):
                for e in self._list("registry", "ListDirectoryEntries",
                                    reg.ListDirectoryEntriesRequest(
                                        year=y, level=common.CITY, status=status), "entries"):
                    statuses[e.credit_code].add(reg.EntryStatus.Name(status))
        out = {}
        for code, seen in statuses.items():
            if seen != {"REMOVED"}:
                out[code] = "IN_DIRECTORY"
            else:
                out[code] = ("REMOVED_BUT_SANCTIONED" if code in excluded
                             else "REMOVED_FROM_DIRECTORY")
        return out

    def facts(self, year, codes, round_name):
        from zhigai.evaluation.v1 import evaluation_pb2 as ev
        from zhigai.feedback.v1 import feedback_pb2 as fb
        from zhigai.tracking.v1 import tracking_pb2 as tr
        from zhigai.training.v1 import training_pb2 as tn
        from zhigai.common.v1 import common_pb2 as common
        facts = {c: {"declared": [0, 0], "approved": [0, 0], "tests": [], "ratings": {},
                     "defence": []} for c in codes}
        # S1.1, S1.2: the records of Y−1 and the data state they form.
        request = tr.ListProjectRecordsRequest(year=year - 1, page_size=1000)
        records, revisions = [], set()
        while True:
            self.calls += 1
            page = self.r.tracking.ListProjectRecords(request)
            records.extend(page.projects)
            revisions.add(page.data_revision)
            if not page.next_page_token:
                break
            request.page_token = page.next_page_token
        self.check(len(revisions) == 1, f"auditor: one tracking data state while reading "
                                        f"the records of {year - 1} ({sorted(revisions)})")
        data_revision = min(revisions)
        for p in records:
            f = facts.get(p.record.institution_credit_code)
            if f is None:
                continue
            k = 0 if p.record.kind == common.DIAGNOSIS else 1
            f["declared"][k] += 1
            f["approved"][k] += int(p.approved_by_both)
        # S1.3: every session of Y, closed, and each expected institution's result.
        sessions = self._list("training", "ListTestSessions",
                              tn.ListTestSessionsRequest(year=year), "test_sessions")
        self.check(sessions and all(s.state == tn.TEST_SESSION_CLOSED for s in sessions),
                   f"auditor: the {len(sessions)} test sessions of {year} are closed (R8.1)")
        for s in sessions:
            full = Fraction(s.full_marks_hundredths)
            for t in self._list("training", "ListTestResults",
                                tn.ListTestResultsRequest(parent=s.name), "test_results"):
                f = facts.get(t.credit_code)
                if f is None or t.status == tn.EXCUSE_ACCEPTED:
                    continue  # an accepted excuse leaves the test out
                taken = t.status == tn.TAKEN
                f["tests"].append(Fraction(t.score_hundredths) / full * 10 if taken
                                  else Fraction(0))
        # S2: the ratings of Y−1 engagements.
        for x in self._list("feedback", "ListRatings",
                            fb.ListRatingsRequest(engagement_year=year - 1), "ratings"):
            f = facts.get(x.institution_credit_code)
            if f is not None:
                f["ratings"][x.engagement] = (
                    SATISFACTION_POINTS[fb.SatisfactionLevel.Name(x.content)],
                    SATISFACTION_POINTS[fb.SatisfactionLevel.Name(x.results)])
        # S3: the panel members' scores.
        for d in self._list("evaluation", "ListDefenceScores",
                            ev.ListDefenceScoresRequest(parent=round_name), "defences"):
            if d.entry.credit_code in facts:
                facts[d.entry.credit_code]["defence"] = list(d.entry.member_scores_hundredths)
        # S4's last tie-break: complaints verified in Y−1.
        complaints = defaultdict(int)
        for outcome in (fb.VERIFIED_SERIOUS, fb.VERIFIED_NOT_SERIOUS):
            for c in self._list("feedback", "ListComplaints",
                                fb.ListComplaintsRequest(outcome=outcome), "complaints"):
                if c.verification_date.year == year - 1:
                    complaints[c.institution_credit_code] += 1
        # Upheld objections correct the frozen figures of the current publication (issue 26),
        # in the order they were upheld.
        for o in self._list("evaluation", "ListRoundObjections",
                            ev.ListRoundObjectionsRequest(parent=round_name), "objections"):
            if o.state != ev.OBJECTION_UPHELD:
                continue
            for c in o.corrections:
                for path in c.update_mask.paths:
                    if path == "defence_scores_hundredths":
                        facts[c.credit_code]["defence"] = list(c.inputs.defence_scores_hundredths)
                    elif path == "verified_complaints":
                        complaints[c.credit_code] = c.inputs.verified_complaints
                    else:
                        self.check(False, f"auditor: cannot yet apply an upheld correction of "
                                          f"{path} ({o.name})")
        return facts, complaints, data_revision

    # ------------------------------------------------------------------------- the audit
    def run_source_queries(self, sheets):
        """Runs every read a sheet names for its items; each must answer."""
        failed, ran = [], 0
        for sheet in sheets.values():
            for item in sheet.items:
                for q in item.sources:
                    service_full, method = q.method.split("/")
                    service = service_full.split(".")[1]
                    stub = getattr(self.r, service)
                    request_type = _request_type(service_full, method)
                    request = json_format.Parse(q.request_json, request_type())
                    try:
                        getattr(stub, method)(request)
                        ran += 1
                    except Exception as err:  # noqa: BLE001
                        failed.append(f"{sheet.credit_code} {item.id} {q.method}: {err}")
        self.calls += ran
        self.check(ran > 0 and not failed,
                   f"auditor: the {ran} reads the sheets name as their sources all answer "
                   f"{failed[:3]}")

    def audit(self, round_name):
        import year as year_mod  # after zhigai_client.load_stubs
        from zhigai.evaluation.v1 import evaluation_pb2 as ev
        year = int(round_name.split("/")[1])
        rnd = self.r.evaluation.GetRound(ev.GetRoundRequest(name=round_name))
        self.check(rnd.state == ev.PUBLISHED, f"auditor: {round_name} is published")
        excluded = self.exclusions(year)
        scope = self.scope(year, rnd.include_previous_directory, excluded)
        published_scope = {d.credit_code: d for d in self._list(
            "evaluation", "ListRoundScope", ev.ListRoundScopeRequest(parent=round_name),
            "decisions")}
        self.check({c: d.reason for c, d in published_scope.items()} == scope,
                   f"auditor: the round's scope ({len(published_scope)} institutions, "
                   f"{sum(not d.in_scope for d in published_scope.values())} left out) is the "
                   f"directory's and the sanctions' (R10.1, S4)")
        in_scope = sorted(c for c, reason in scope.items() if reason != "REMOVED_FROM_DIRECTORY")
        sheets = {s.credit_code: s for s in self._list(
            "evaluation", "ListScoreSheets", ev.ListScoreSheetsRequest(parent=round_name),
            "score_sheets")}
        self.check(sorted(sheets) == in_scope,
                   f"auditor: one sheet per institution in scope ({len(sheets)})")
        facts, complaints, data_revision = self.facts(year, in_scope, round_name)
        items_by_code, mismatches = {}, []
        for code in in_scope:
            want = year_mod.attachment3_items(facts[code])
            items_by_code[code] = want
            sheet = sheets.get(code)
            if sheet is None:
                continue
            got = {i.id: Fraction(i.points_exact) for i in sheet.items}
            for item, value in want.items():
                if got.get(item) != value:
                    mismatches.append(f"{code} {item}: sheet {got.get(item)}, audit {value}")
            if sheet.total != str(two_decimals(sum(want.values()))):
                mismatches.append(f"{code} total {sheet.total}")
            kind, sanction = excluded.get(code, ("", ""))
            if sheet.exclusion.reason != kind or sheet.exclusion_sanction != sanction:
                mismatches.append(f"{code} exclusion {sheet.exclusion.reason} "
                                  f"{sheet.exclusion_sanction}, audit {kind} {sanction}")
            if sheet.project_source != data_revision:
                mismatches.append(f"{code} project source {sheet.project_source}, records "
                                  f"now {data_revision}")
            if sheet.verified_complaints != complaints.get(code, 0):
                mismatches.append(f"{code} complaints {sheet.verified_complaints}")
        self.check(not mismatches,
                   f"auditor: all {len(in_scope)} sheets equal the recomputation from the "
                   f"source reads, item by item, with totals, exclusions, the project data "
                   f"state ({data_revision}) and complaints {mismatches[:5]}")
        ranked = {c: items for c, items in items_by_code.items() if c not in excluded}
        want = ranking_of(ranked, complaints)
        published = [e for e in self._list("evaluation", "ListRanking",
                                           ev.ListRankingRequest(parent=round_name), "entries")]
        got = [(e.credit_code, e.rank, e.excellent) for e in published if e.rank > 0]
        self.check(got == want, f"auditor: the published ranking ({len(got)} ranked, "
                                f"{sum(x[2] for x in want)} excellent) is the recomputed one (S4)")
        not_ranked = sorted(e.credit_code for e in published if e.rank == 0)
        self.check(not_ranked == sorted(c for c in in_scope if c in excluded),
                   f"auditor: the institutions listed as not ranked are those barred or "
                   f"cancelled in {year} ({not_ranked})")
        self.run_source_queries(sheets)
        return {"sheets": len(sheets), "ranked": len(got), "calls": self.calls}


def _request_type(service_full, method):
    """The request message class of `package.Service/Method`, from the generated modules."""
    import importlib
    package = service_full.rsplit(".", 1)[0]          # zhigai.tracking.v1
    service_name = service_full.rsplit(".", 1)[1]     # TrackingService
    short = package.split(".")[1]                     # tracking
    pb2 = importlib.import_module(f"{package}.{short}_pb2")
    svc = pb2.DESCRIPTOR.services_by_name[service_name]
    return getattr(pb2, svc.methods_by_name[method].input_type.name)
