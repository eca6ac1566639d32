// Reference data loaded at start-up: the "5+5" industries (R13.3) and Wenzhou's divisions.
#pragma once

#include <set>
#include <string>

#include "libs/core/refdata.h"

namespace zhigai::training {

struct ReferenceData {
  core::IndustryCatalog industries;
  core::DivisionCatalog divisions;
  std::set<std::string> five_plus_five_codes;  // every code of industries.tsv

  static ReferenceData From(core::IndustryCatalog industries, core::DivisionCatalog divisions) {
    ReferenceData ref{std::move(industries), std::move(divisions), {}};
    for (const auto& industry : ref.industries.all())
      ref.five_plus_five_codes.insert(industry.code);
    return ref;
  }
};

}  // namespace zhigai::training
