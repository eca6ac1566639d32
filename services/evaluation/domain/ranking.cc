#include "services/evaluation/domain/ranking.h"

#include <algorithm>
#include <compare>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::evaluation {
namespace {

// RULES.md S4 Decision (2026-12): the ranking compares the published figures, so anyone can
// check it by hand: the total, then the tie-breakers of the version (version 1: S1, then S3,
// then S2, higher first, each computed exactly from the unrounded items and then rounded to two
// decimals half away from zero; then fewer verified complaints in Y−1). Two institutions shown
// as 66.67 are tied on total. Returns less when `a` ranks ahead of `b`.
std::strong_ordering CompareForRank(const ScoreSheet& a, const ScoreSheet& b,
                                    absl::Span<const TieBreaker> tie_break, DecidedBy* level) {
  auto shown = [](const Rational& r) { return r.RoundedHundredths(); };
  auto decided = [&](DecidedBy by, std::strong_ordering order) {
    if (level != nullptr) *level = by;
    return order;
  };
  if (auto order = shown(b.total) <=> shown(a.total); order != 0) {
    return decided(DecidedBy::kTotal, order);
  }
  for (TieBreaker criterion : tie_break) {
    std::strong_ordering order = std::strong_ordering::equal;
    DecidedBy by = DecidedBy::kSharedRank;
    switch (criterion) {
      case TieBreaker::kS1:
        order = shown(b.s1) <=> shown(a.s1), by = DecidedBy::kS1;
        break;
      case TieBreaker::kS3:
        order = shown(b.s3) <=> shown(a.s3), by = DecidedBy::kS3;
        break;
      case TieBreaker::kS2:
        order = shown(b.s2) <=> shown(a.s2), by = DecidedBy::kS2;
        break;
      case TieBreaker::kComplaints:
        order = a.verified_complaints <=> b.verified_complaints, by = DecidedBy::kComplaints;
        break;
    }
    if (order != 0) return decided(by, order);
  }
  return decided(DecidedBy::kSharedRank, std::strong_ordering::equal);
}

}  // namespace

absl::string_view DecidedByName(DecidedBy decided_by) {
  switch (decided_by) {
    case DecidedBy::kFirst:
      return "FIRST";
    case DecidedBy::kTotal:
      return "TOTAL";
    case DecidedBy::kS1:
      return "S1";
    case DecidedBy::kS3:
      return "S3";
    case DecidedBy::kS2:
      return "S2";
    case DecidedBy::kComplaints:
      return "COMPLAINTS";
    case DecidedBy::kSharedRank:
      return "SHARED_RANK";
  }
  return "";
}

absl::StatusOr<Ranking> RankInstitutions(absl::Span<const ScoreSheet> sheets,
                                         const ScoreRules& rules) {
  std::vector<const ScoreSheet*> ranked;
  std::vector<const ScoreSheet*> excluded;
  for (const ScoreSheet& sheet : sheets) {
    (sheet.exclusion == Exclusion::kNone ? ranked : excluded).push_back(&sheet);
  }

  std::vector<absl::string_view> codes;
  codes.reserve(sheets.size());
  for (const ScoreSheet& sheet : sheets) codes.push_back(sheet.credit_code);
  std::sort(codes.begin(), codes.end());
  auto duplicate = std::adjacent_find(codes.begin(), codes.end());
  if (duplicate != codes.end()) {
    return InvalidField("score_sheets.credit_code", "S4",
                        absl::StrCat("credit code ", *duplicate, " appears more than once"),
                        "同一统一社会信用代码重复出现");
  }

  // The credit code orders a shared rank only for a stable, reproducible listing.
  std::sort(ranked.begin(), ranked.end(), [&](const ScoreSheet* a, const ScoreSheet* b) {
    std::strong_ordering order = CompareForRank(*a, *b, rules.tie_break, nullptr);
    return order != 0 ? order < 0 : a->credit_code < b->credit_code;
  });
  auto by_code = [](const ScoreSheet* a, const ScoreSheet* b) {
    return a->credit_code < b->credit_code;
  };
  std::sort(excluded.begin(), excluded.end(), by_code);

  Ranking out;
  out.ranked.reserve(ranked.size());
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const ScoreSheet& s = *ranked[i];
    RankedInstitution r;
    r.credit_code = s.credit_code;
    r.name = s.name;
    if (i == 0) {
      r.decided_by = DecidedBy::kFirst;
      r.rank = 1;
    } else {
      CompareForRank(*ranked[i - 1], s, rules.tie_break, &r.decided_by);
      r.rank = r.decided_by == DecidedBy::kSharedRank ? out.ranked.back().rank
                                                      : static_cast<int64_t>(i) + 1;
    }
    r.excellent = r.rank <= rules.excellent_places;
    r.total = s.total;
    r.s1 = s.s1;
    r.s2 = s.s2;
    r.s3 = s.s3;
    r.verified_complaints = s.verified_complaints;
    out.ranked.push_back(std::move(r));
  }
  out.not_ranked.reserve(excluded.size());
  for (const ScoreSheet* s : excluded) {
    out.not_ranked.push_back({s->credit_code, s->name, s->exclusion});
  }
  return out;
}

}  // namespace zhigai::evaluation
