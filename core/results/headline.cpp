#include "results/headline.h"

#include <variant>

namespace pose::results {

namespace {

using Measured = std::optional<double> RunSummary::*;
using Whole = std::optional<int64_t> RunSummary::*;

struct Field {
  Headline headline;
  const char* key;
  std::variant<Measured, Whole> member;
};

const Field kFields[] = {
    {Headline::FinalLoss, "final_loss", &RunSummary::final_loss},
    {Headline::WallS, "wall_s", &RunSummary::wall_s},
    {Headline::TokensPerS, "tokens_per_s", &RunSummary::tokens_per_s},
    {Headline::PplAtLc, "ppl_at_lc", &RunSummary::ppl_at_lc},
    {Headline::PplAtLt, "ppl_at_lt", &RunSummary::ppl_at_lt},
    {Headline::MinPpl, "min_ppl", &RunSummary::min_ppl},
    {Headline::PasskeyAtLc, "passkey_at_lc", &RunSummary::passkey_at_lc},
    {Headline::PasskeyAtLt, "passkey_at_lt", &RunSummary::passkey_at_lt},
    {Headline::KvAtLt, "kv_at_lt", &RunSummary::kv_at_lt},
    {Headline::AttentionBeyondLc, "attention_beyond_lc", &RunSummary::attention_beyond_lc},
    {Headline::RulerAtLt, "ruler_at_lt", &RunSummary::ruler_at_lt},
    {Headline::RulerEffectiveLength, "ruler_effective_length", &RunSummary::ruler_effective_length},
    {Headline::OriginalPplAtLc, "original_ppl_at_lc", &RunSummary::original_ppl_at_lc},
    {Headline::PplRatio, "ppl_ratio", &RunSummary::ppl_ratio},
    {Headline::WorstPasskey, "worst_passkey", &RunSummary::worst_passkey},
};

const Field& field(Headline h) {
  for (const auto& f : kFields) {
    if (f.headline == h) return f;
  }
  return kFields[0];  // unreachable: every enumerator has a row
}

}  // namespace

const std::vector<Headline>& headlines() {
  static const std::vector<Headline> all = [] {
    std::vector<Headline> v;
    for (const auto& f : kFields) v.push_back(f.headline);
    return v;
  }();
  return all;
}

std::string_view headline_key(Headline h) { return field(h).key; }

bool headline_is_whole(Headline h) { return std::holds_alternative<Whole>(field(h).member); }

std::optional<double> headline_value(const RunSummary& summary, Headline h) {
  const auto& member = field(h).member;
  if (const auto* m = std::get_if<Measured>(&member)) return summary.*(*m);
  const auto& whole = summary.*std::get<Whole>(member);
  if (!whole) return std::nullopt;
  return static_cast<double>(*whole);
}

void write_headlines(const RunSummary& summary, nlohmann::json& j) {
  for (const auto& f : kFields) {
    std::visit(
        [&](auto member) {
          const auto& v = summary.*member;
          j[f.key] = v ? nlohmann::json(*v) : nlohmann::json();
        },
        f.member);
  }
}

void read_headlines(const nlohmann::json& j, RunSummary& summary) {
  for (const auto& f : kFields) {
    const auto it = j.find(f.key);
    if (it == j.end() || !it->is_number()) continue;
    if (const auto* m = std::get_if<Measured>(&f.member)) {
      summary.*(*m) = it->get<double>();
    } else {
      summary.*std::get<Whole>(f.member) = it->get<int64_t>();
    }
  }
}

}  // namespace pose::results
