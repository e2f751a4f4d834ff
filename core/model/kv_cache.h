// Keys and values of the tokens seen so far, per layer, for decoding a few
// tokens after a long prompt without recomputing it.
//
// Keys are stored already rotated with the frequencies of the forward that
// produced them, as HF's DynamicCache does; with dynamic NTK this means a key
// keeps the base it was rotated with when later steps change the base (HF
// behaves the same way).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace pose::model {

struct LayerKvCache {
  torch::Tensor keys;    // [B, KV, T_cached, D], rotated; undefined while empty
  torch::Tensor values;  // [B, KV, T_cached, D]
};

struct KvCache {
  std::vector<LayerKvCache> layers;
  int64_t length = 0;  // tokens cached (token order, not position ids)
  // The next position id after the last cached token, per batch row [B] (int64):
  // where greedy decoding continues.
  torch::Tensor next_position;
};

}  // namespace pose::model
