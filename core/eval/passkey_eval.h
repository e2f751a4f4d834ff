// Passkey retrieval (Mohtashami & Jaggi's format, as PoSE and YaRN evaluate
// it) as a format of the retrieval grid: the key is a number drawn uniformly
// from 1..50000 per trial, the answer is " <key>".
#pragma once

#include "eval/retrieval_grid.h"
#include "model/llama_model.h"
#include "text/tokenizer.h"

namespace pose::eval {

using PasskeySettings = RetrievalSettings;
using PasskeyCell = RetrievalCell;

// The format reads `tokenizer` when prompts are built: keep it alive.
RetrievalFormat passkey_format(const text::Tokenizer& tokenizer);

std::vector<RetrievalCell> evaluate_passkey(model::LlamaForCausalLM& model, const text::Tokenizer& tokenizer,
                                            const RetrievalSettings& settings, const RetrievalProgress& progress = {});

}  // namespace pose::eval
