// The parameters of one RoPE scaling method, as one schema for every method
// (the names follow HF transformers' config keys where one exists).
//
// Where a window is missing we fall back the way HF transformers (v5,
// RotaryEmbeddingConfigMixin.standardize_rope_params) does:
//   - yarn, yarn-pose, llama3, longrope: the original (pre-extension) window is
//     original_max_position, else max_position.
//   - dynamic: HF uses max_position_embeddings only; we take max_position, else
//     original_max_position (so `pose rope --method dynamic --original-max L0`
//     works without repeating the window).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pose::rope {

enum class RopeMethod { None, Linear, Ntk, Dynamic, Yarn, YarnPose, Llama3, LongRope };

// "none", "linear", "ntk", "dynamic", "yarn", "yarn-pose", "llama3", "longrope".
std::string to_string(RopeMethod method);
// Throws UserError listing the valid names.
RopeMethod parse_rope_method(const std::string& name);
const std::vector<RopeMethod>& all_rope_methods();

struct RopeParams {
  RopeMethod method = RopeMethod::None;
  int head_dim = 128;
  double partial_rotary_factor = 1.0;  // fraction of head_dim that rotates
  double base = 10000.0;               // rope_theta
  double factor = 1.0;                 // s: target window / original window
  std::optional<int> original_max_position;  // L0, original_max_position_embeddings
  std::optional<int> max_position;           // max_position_embeddings
  std::optional<int> seq_len;                // current length (dynamic, longrope)

  // yarn, yarn-pose
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  bool truncate = true;  // HF `truncate`: floor/ceil the ramp bounds (gpt-oss sets false)
  std::optional<double> mscale;
  std::optional<double> mscale_all_dim;
  std::optional<double> attention_factor;  // explicit; overrides the derived one (yarn, longrope)

  // llama3
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;

  // longrope: one factor per rotary frequency (rotary_dim()/2 values each)
  std::vector<double> short_factors;
  std::vector<double> long_factors;

  // d in the formulas: the channels that rotate. HF: int(head_dim * partial_rotary_factor).
  int rotary_dim() const { return static_cast<int>(head_dim * partial_rotary_factor); }
};

// The window the method treats as "original" (see the fallbacks above), or
// nullopt when neither is set.
std::optional<int> original_window(const RopeParams& params);
// The window dynamic NTK compares seq_len against (max_position, else original).
std::optional<int> dynamic_window(const RopeParams& params);
// max_position / original_max_position when both are set. HF (v5) uses this
// ratio as yarn's and longrope's factor when a config gives no `factor`
// (Phi-3 configs, for one); callers that read such configs apply it.
std::optional<double> implied_factor(const RopeParams& params);

// Throws UserError naming the parameter and its valid range for every invalid
// combination. Parameters a method does not use are not judged.
void validate(const RopeParams& params);

}  // namespace pose::rope
