// A custom long-document probe: the user's document, a question about it and
// the answer expected — "what is this paper's title?" asked after the whole
// paper. At each length the window holds BOS, the beginning of the document
// (as much as fits), a line break and the question; the model then answers.
//
// Scored two ways: greedy generation through the KV cache passes when the
// text contains the expected answer; teacher forcing gives the answer's mean
// NLL (a graded signal when generation fails) and whether its argmax matches
// every answer token.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/token_predictor.h"
#include "text/tokenizer.h"

namespace pose::eval {

struct ProbeSettings {
  std::string document;   // the long text
  std::string question;   // e.g. "Question: what is the title of this text? Answer:"
  std::string answer;     // the expected answer (a substring of a correct reply)
  std::vector<int64_t> lengths;
  int64_t max_new_tokens = 24;
  std::string source;     // where the document came from (a file name), recorded only
};

struct ProbePoint {
  int64_t length = 0;
  int64_t prompt_tokens = 0;    // BOS + document part + line break + question
  int64_t document_tokens = 0;  // of the document, in the window
  bool document_complete = false;  // the whole document fitted
  std::string generated;
  bool passed = false;          // generated contains the answer
  bool answer_exact = false;    // teacher-forced argmax equals every answer token
  double answer_nll = 0.0;      // mean NLL per answer token, teacher forced
  std::string skipped;          // why this length was not evaluated
};

std::vector<ProbePoint> evaluate_probe(TokenPredictor& predictor, const text::Tokenizer& tokenizer,
                                       const ProbeSettings& settings,
                                       const std::function<void(int64_t, int64_t)>& progress = {});

nlohmann::json to_json(const ProbeSettings& s);  // the document as its length and hash, not its text
nlohmann::json to_json(const std::vector<ProbePoint>& points);

}  // namespace pose::eval
