// Helpers shared by the benches: timing, the LLaMA shapes they measure, and
// running the Python peer (bench/python/llama_peer.py) in the same command.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model_config.h"

#ifndef POSE_SOURCE_DIR
#define POSE_SOURCE_DIR "."
#endif

namespace pose::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Shape {
  std::string name;
  int64_t hidden, intermediate, layers, heads, kv_heads, vocab;
};

// The default experiment's model (experiments/micro-pose.json) and a ~6M variant.
inline std::vector<Shape> standard_shapes() {
  return {{"default", 64, 176, 2, 4, 2, 1024}, {"6m", 256, 688, 6, 8, 4, 4096}};
}

inline model::ModelConfig config_of(const Shape& s, int64_t max_positions, bool tied_embeddings = true) {
  nlohmann::json cfg = {{"model_type", "llama"},
                        {"vocab_size", s.vocab},
                        {"hidden_size", s.hidden},
                        {"intermediate_size", s.intermediate},
                        {"num_hidden_layers", s.layers},
                        {"num_attention_heads", s.heads},
                        {"num_key_value_heads", s.kv_heads},
                        {"max_position_embeddings", max_positions},
                        {"rms_norm_eps", 1e-5},
                        {"rope_theta", 10000.0},
                        {"tie_word_embeddings", tied_embeddings}};
  return model::config_from_hf_json(cfg);
}

// Runs the Python peer for `s` with extra arguments and environment; its JSON
// line, or an empty object when it did not run (no python3-torch, say).
inline nlohmann::json run_python_peer(const std::string& python, const Shape& s, int threads,
                                      const std::string& env, const std::string& extra_args) {
  const std::string cmd = env + " OMP_NUM_THREADS=" + std::to_string(threads) + " " + python + " " +
                          POSE_SOURCE_DIR "/bench/python/llama_peer.py" + " --hidden " + std::to_string(s.hidden) +
                          " --intermediate " + std::to_string(s.intermediate) + " --layers " +
                          std::to_string(s.layers) + " --heads " + std::to_string(s.heads) + " --kv-heads " +
                          std::to_string(s.kv_heads) + " --vocab " + std::to_string(s.vocab) + " --threads " +
                          std::to_string(threads) + " " + extra_args;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  if (!pipe) return nlohmann::json::object();
  std::string text;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe.get())) text += buffer;
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

}  // namespace pose::bench
