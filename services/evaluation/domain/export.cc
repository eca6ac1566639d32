#include "services/evaluation/domain/export.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/json_text.h"

namespace zhigai::evaluation {
namespace {

// ---- CSV ----

// Quotes a field only when it must be (RFC 4180): comma, quote, CR or LF inside.
void AppendCsvField(std::string& out, absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out.append(field.data(), field.size());
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvRow(std::string& out, std::initializer_list<absl::string_view> fields) {
  bool first = true;
  for (absl::string_view f : fields) {
    if (!first) out.push_back(',');
    first = false;
    AppendCsvField(out, f);
  }
  out.append("\r\n");
}

std::string ExclusionLabel(Exclusion exclusion) {
  const ExclusionText& text = DescribeExclusion(exclusion);
  return text.reason.empty() ? std::string() : absl::StrCat(text.reason, " ", text.rule);
}

std::string Points(int64_t whole) { return FormatHundredths(whole * 100); }

// ---- JSON ----

using core::AppendJsonString;

// Writes "key": and leaves the value to the caller; the comma goes before every key but the
// first of its object.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_.push_back('{'); }
  ~JsonObject() { out_.push_back('}'); }
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  std::string& Key(absl::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    AppendJsonString(out_, key);
    out_.push_back(':');
    return out_;
  }
  void String(absl::string_view key, absl::string_view value) { AppendJsonString(Key(key), value); }
  // Scores: a JSON number with exactly two decimals.
  void Score(absl::string_view key, const Rational& value) { Key(key).append(value.ToFixed2()); }
  void Integer(absl::string_view key, int64_t value) { absl::StrAppend(&Key(key), value); }
  void Bool(absl::string_view key, bool value) { Key(key).append(value ? "true" : "false"); }

 private:
  std::string& out_;
  bool first_ = true;
};

void AppendSheetJson(std::string& out, const ScoreSheet& sheet) {
  JsonObject o(out);
  o.String("credit_code", sheet.credit_code);
  o.String("name", sheet.name);
  const ExclusionText& ex = DescribeExclusion(sheet.exclusion);
  if (ex.reason.empty()) {
    o.Key("exclusion").append("null");
  } else {
    JsonObject e(o.Key("exclusion"));
    e.String("reason", ex.reason);
    e.String("rule", ex.rule);
    e.String("reason_en", ex.english);
    e.String("reason_zh", ex.chinese);
  }
  o.Key("items").push_back('[');
  for (std::size_t i = 0; i < sheet.items.size(); ++i) {
    if (i > 0) out.push_back(',');
    const ScoreItem& item = sheet.items[i];
    JsonObject j(out);
    j.String("id", item.id);
    j.String("title_en", item.title_english);
    j.String("title_zh", item.title_chinese);
    j.String("inputs", item.inputs);
    j.String("applied_en", item.applied_english);
    j.String("applied_zh", item.applied_chinese);
    j.Score("points", item.points);
    j.Score("max_points", Rational::Integer(item.max_points));
  }
  out.push_back(']');
  o.Score("s1", sheet.s1);
  o.Score("s2", sheet.s2);
  o.Score("s3", sheet.s3);
  o.Score("total", sheet.total);
  o.Integer("verified_complaints", sheet.verified_complaints);
}

}  // namespace

std::string ScoreSheetsCsv(absl::Span<const ScoreSheet> sheets) {
  std::string out;
  AppendCsvRow(out, {"credit_code", "name", "item", "title_en", "title_zh", "inputs", "applied_en",
                     "applied_zh", "points", "max_points", "exclusion"});
  for (const ScoreSheet& s : sheets) {
    const std::string exclusion = ExclusionLabel(s.exclusion);
    for (const ScoreItem& item : s.items) {
      AppendCsvRow(out, {s.credit_code, s.name, item.id, item.title_english, item.title_chinese,
                         item.inputs, item.applied_english, item.applied_chinese,
                         item.points.ToFixed2(), Points(item.max_points), exclusion});
    }
    const std::string s1 = s.s1.ToFixed2(), s2 = s.s2.ToFixed2(), total = s.total.ToFixed2();
    AppendCsvRow(out, {s.credit_code, s.name, "S1", "Business performance", "业务绩效", "",
                       "S1.1 + S1.2 + S1.3 (unrounded)", "S1.1 + S1.2 + S1.3（未四舍五入）", s1,
                       Points(50), exclusion});
    AppendCsvRow(
        out, {s.credit_code, s.name, "S2", "Enterprise evaluation", "企业评价", "",
              "S2.1 + S2.2 (unrounded)", "S2.1 + S2.2（未四舍五入）", s2, Points(20), exclusion});
    AppendCsvRow(out,
                 {s.credit_code, s.name, "TOTAL", "Total", "合计", "", "S1 + S2 + S3 (unrounded)",
                  "S1 + S2 + S3（未四舍五入）", total, Points(100), exclusion});
  }
  return out;
}

std::string ScoreSheetsJson(absl::Span<const ScoreSheet> sheets) {
  std::string out;
  {
    JsonObject root(out);
    root.Key("score_sheets").push_back('[');
    for (std::size_t i = 0; i < sheets.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendSheetJson(out, sheets[i]);
    }
    out.push_back(']');
  }
  out.push_back('\n');
  return out;
}

// Columns after the total follow the S4 tie-break order (S1, S3, S2, complaints), so a reader
// sees why two equal totals rank as they do.
std::string RankingCsv(const Ranking& ranking) {
  std::string out;
  AppendCsvRow(out, {"rank", "credit_code", "name", "total", "s1", "s3", "s2",
                     "verified_complaints", "excellent", "decided_by"});
  for (const RankedInstitution& r : ranking.ranked) {
    AppendCsvRow(out,
                 {absl::StrCat(r.rank), r.credit_code, r.name, r.total.ToFixed2(), r.s1.ToFixed2(),
                  r.s3.ToFixed2(), r.s2.ToFixed2(), absl::StrCat(r.verified_complaints),
                  r.excellent ? "true" : "false", DecidedByName(r.decided_by)});
  }
  for (const UnrankedInstitution& u : ranking.not_ranked) {
    AppendCsvRow(out, {"NOT_RANKED", u.credit_code, u.name, "", "", "", "", "", "false",
                       ExclusionLabel(u.exclusion)});
  }
  return out;
}

std::string RankingJson(const Ranking& ranking) {
  std::string out;
  {
    JsonObject root(out);
    root.Key("ranked").push_back('[');
    for (std::size_t i = 0; i < ranking.ranked.size(); ++i) {
      if (i > 0) out.push_back(',');
      const RankedInstitution& r = ranking.ranked[i];
      JsonObject o(out);
      o.Integer("rank", r.rank);
      o.String("credit_code", r.credit_code);
      o.String("name", r.name);
      o.Score("total", r.total);
      o.Score("s1", r.s1);
      o.Score("s3", r.s3);
      o.Score("s2", r.s2);
      o.Integer("verified_complaints", r.verified_complaints);
      o.Bool("excellent", r.excellent);
      o.String("decided_by", DecidedByName(r.decided_by));
    }
    out.push_back(']');
    root.Key("not_ranked").push_back('[');
    for (std::size_t i = 0; i < ranking.not_ranked.size(); ++i) {
      if (i > 0) out.push_back(',');
      const UnrankedInstitution& u = ranking.not_ranked[i];
      const ExclusionText& ex = DescribeExclusion(u.exclusion);
      JsonObject o(out);
      o.String("credit_code", u.credit_code);
      o.String("name", u.name);
      o.String("reason", ex.reason);
      o.String("rule", ex.rule);
      o.String("reason_en", ex.english);
      o.String("reason_zh", ex.chinese);
    }
    out.push_back(']');
  }
  out.push_back('\n');
  return out;
}

}  // namespace zhigai::evaluation
