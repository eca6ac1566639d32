#include "services/evaluation/public_change.h"

#include "absl/strings/str_cat.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::evaluation {

outbox::Command RankingPublishedCommand(int year, int64_t round_version, int publication) {
  registry::v1::RecordPublicChangeRequest req;
  const std::string id = absl::StrCat("ranking:", year, ":", round_version);
  req.set_command_id(id);
  registry::v1::PublicChange* change = req.mutable_change();
  change->set_kind(registry::v1::RANKING_PUBLISHED);
  change->set_resource(absl::StrCat("rounds/", year));
  change->set_source_service("evaluation");
  change->set_year(year);
  change->set_reason(publication <= 1
                         ? absl::StrCat("score sheets and ranking of ", year,
                                        " published (round version ", round_version, ")")
                         : absl::StrCat("corrected publication ", publication,
                                        " of the score sheets and ranking of ", year,
                                        " after an upheld objection (round version ", round_version,
                                        ")"));
  return {id, kRegistryTarget, "/zhigai.registry.v1.RegistryService/RecordPublicChange",
          req.SerializeAsString()};
}

}  // namespace zhigai::evaluation
