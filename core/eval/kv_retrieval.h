// Key-value retrieval (text/kv_prompt.h) as a format of the retrieval grid:
// the answer is the secret key's 4-hex-digit value.
#pragma once

#include "eval/retrieval_grid.h"
#include "text/tokenizer.h"

namespace pose::eval {

// The format reads `tokenizer` when prompts are built: keep it alive.
RetrievalFormat kv_retrieval_format(const text::Tokenizer& tokenizer);

}  // namespace pose::eval
