// Deterministic text exports of a round's score sheets and ranking (ExportScoreSheets,
// publication). Hand-written so the bytes depend only on the inputs: fixed field order, UTF-8
// passed through unchanged, every score with exactly two decimals (half away from zero), no
// locale, no map iteration. The same sheets always give byte-identical output.
#pragma once

#include <string>

#include "absl/types/span.h"
#include "services/evaluation/domain/ranking.h"
#include "services/evaluation/domain/score_sheet.h"

namespace zhigai::evaluation {

// RFC 4180 CSV, CRLF line ends, a header line, then per institution (in the given order) one
// line per item S1.1 … S3 followed by the subtotals S1, S2 and TOTAL. Columns: credit_code,
// name, item, title_en, title_zh, inputs, applied_en, applied_zh, points, max_points,
// exclusion ("" or e.g. "BARRED R14.5").
std::string ScoreSheetsCsv(absl::Span<const ScoreSheet> sheets);

// {"score_sheets":[{"credit_code":…,"name":…,"exclusion":{…}|null,"items":[{"id":…,
// "title_en":…,"title_zh":…,"inputs":…,"applied_en":…,"applied_zh":…,"points":8.45,
// "max_points":10.00},…],"s1":…,"s2":…,"s3":…,"total":…,"verified_complaints":0},…]}
// Compact (no spaces), one trailing newline.
std::string ScoreSheetsJson(absl::Span<const ScoreSheet> sheets);

// CSV: rank, credit_code, name, total, s1, s3, s2, verified_complaints, excellent, decided_by;
// then the not-ranked institutions with rank "NOT_RANKED" and their reason in decided_by.
std::string RankingCsv(const Ranking& ranking);

// {"ranked":[{"rank":1,"credit_code":…,"name":…,"total":…,"s1":…,"s3":…,"s2":…,
// "verified_complaints":0,"excellent":true,"decided_by":"FIRST"},…],
// "not_ranked":[{"credit_code":…,"name":…,"reason":"BARRED","rule":"R14.5",
// "reason_en":…,"reason_zh":…},…]}
std::string RankingJson(const Ranking& ranking);

}  // namespace zhigai::evaluation
