#pragma once

#include <string>

#include "services/evaluation/domain/score_rules.h"
#include "services/evaluation/sources.h"
#include "services/evaluation/store.h"
#include "zhigai/evaluation/v1/evaluation.grpc.pb.h"

namespace zhigai::evaluation {

// Translates gRPC calls: who is calling, is the request well formed, may this caller see or
// do it, then the sources, the domain and the store; errors leave as gRPC codes with details.
class EvaluationHandlers final : public v1::EvaluationService::Service {
 public:
  // `rules`: every version of the score-sheet rules (LoadScoreRules), in version order; it must
  // outlive the handlers.
  EvaluationHandlers(EvaluationStore& store, MetricSources& sources,
                     const std::vector<ScoreRules>& rules, std::string internal_proof)
      : store_(store), sources_(sources), rules_(rules), proof_(std::move(internal_proof)) {}

  grpc::Status CreateRound(grpc::ServerContext*, const v1::CreateRoundRequest*,
                           v1::Round*) override;
  grpc::Status GetRound(grpc::ServerContext*, const v1::GetRoundRequest*, v1::Round*) override;
  grpc::Status PullMetrics(grpc::ServerContext*, const v1::PullMetricsRequest*,
                           v1::Snapshot*) override;
  grpc::Status GetSnapshot(grpc::ServerContext*, const v1::GetSnapshotRequest*,
                           v1::Snapshot*) override;
  grpc::Status FreezeSnapshot(grpc::ServerContext*, const v1::FreezeSnapshotRequest*,
                              v1::Round*) override;
  grpc::Status RecordDefenceScores(grpc::ServerContext*, const v1::RecordDefenceScoresRequest*,
                                   v1::Round*) override;
  grpc::Status ComputeRanking(grpc::ServerContext*, const v1::ComputeRankingRequest*,
                              v1::Round*) override;
  grpc::Status PublishRound(grpc::ServerContext*, const v1::PublishRoundRequest*,
                            v1::Round*) override;
  grpc::Status GetScoreSheet(grpc::ServerContext*, const v1::GetScoreSheetRequest*,
                             v1::ScoreSheet*) override;
  grpc::Status ListRoundScope(grpc::ServerContext*, const v1::ListRoundScopeRequest*,
                              v1::ListRoundScopeResponse*) override;
  grpc::Status ListDefenceScores(grpc::ServerContext*, const v1::ListDefenceScoresRequest*,
                                 v1::ListDefenceScoresResponse*) override;
  grpc::Status ListScoreSheets(grpc::ServerContext*, const v1::ListScoreSheetsRequest*,
                               v1::ListScoreSheetsResponse*) override;
  grpc::Status ListRanking(grpc::ServerContext*, const v1::ListRankingRequest*,
                           v1::ListRankingResponse*) override;
  grpc::Status FileRoundObjection(grpc::ServerContext*, const v1::FileRoundObjectionRequest*,
                                  v1::RoundObjection*) override;
  grpc::Status GetRoundObjection(grpc::ServerContext*, const v1::GetRoundObjectionRequest*,
                                 v1::RoundObjection*) override;
  grpc::Status ListRoundObjections(grpc::ServerContext*, const v1::ListRoundObjectionsRequest*,
                                   v1::ListRoundObjectionsResponse*) override;
  grpc::Status DecideRoundObjection(grpc::ServerContext*, const v1::DecideRoundObjectionRequest*,
                                    v1::DecideRoundObjectionResponse*) override;
  grpc::Status SimulateRanking(grpc::ServerContext*, const v1::SimulateRankingRequest*,
                               v1::SimulateRankingResponse*) override;
  grpc::Status ExportScoreSheets(grpc::ServerContext*, const v1::ExportScoreSheetsRequest*,
                                 grpc::ServerWriter<v1::ExportChunk>*) override;

 private:
  EvaluationStore& store_;
  MetricSources& sources_;
  const std::vector<ScoreRules>& rules_;
  std::string proof_;
};

}  // namespace zhigai::evaluation
