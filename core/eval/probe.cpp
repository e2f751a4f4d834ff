#include "eval/probe.h"

#include <algorithm>

#include "common/error.h"
#include "store/experiment_store.h"

namespace pose::eval {

namespace {
void append(std::vector<int32_t>& out, const std::vector<int32_t>& part) { out.insert(out.end(), part.begin(), part.end()); }
}  // namespace

std::vector<ProbePoint> evaluate_probe(TokenPredictor& predictor, const text::Tokenizer& tokenizer,
                                       const ProbeSettings& s, const std::function<void(int64_t, int64_t)>& progress) {
  if (s.document.empty()) throw UserError("probe: the document is empty", "give a document file with text in it");
  if (s.question.empty() || s.answer.empty()) {
    throw UserError("probe: the question or the expected answer is empty", "give both, e.g. --probe-question "
                    "\"What is the title?\" --probe-answer \"Genesis\"");
  }
  if (s.lengths.empty()) throw UserError("probe: no lengths", "give lengths, e.g. 256,512,1024");
  const auto document = tokenizer.encode(s.document);
  auto newline = tokenizer.encode("\n");
  if (newline.empty()) newline = tokenizer.encode(" ");
  const auto question = tokenizer.encode(s.question);
  const auto answer = tokenizer.encode(" " + s.answer);
  const auto fixed = static_cast<int64_t>(1 + newline.size() + question.size() + answer.size());

  std::vector<ProbePoint> points;
  for (const int64_t L : s.lengths) {
    ProbePoint p;
    p.length = L;
    if (L < fixed + 1) {
      p.skipped = "length " + std::to_string(L) + " cannot hold the question and the answer (" +
                  std::to_string(fixed) + " tokens) and any of the document";
      points.push_back(std::move(p));
      if (progress) progress(static_cast<int64_t>(points.size()), static_cast<int64_t>(s.lengths.size()));
      continue;
    }
    p.document_tokens = std::min<int64_t>(L - fixed, static_cast<int64_t>(document.size()));
    p.document_complete = p.document_tokens == static_cast<int64_t>(document.size());
    std::vector<int32_t> tokens{tokenizer.bos_id()};
    tokens.insert(tokens.end(), document.begin(), document.begin() + p.document_tokens);
    append(tokens, newline);
    append(tokens, question);
    p.prompt_tokens = static_cast<int64_t>(tokens.size());
    const std::vector<int32_t> prompt = tokens;
    append(tokens, answer);

    auto ids = torch::zeros({1, static_cast<int64_t>(tokens.size())}, torch::kInt64);
    auto ia = ids.accessor<int64_t, 2>();
    for (std::size_t t = 0; t < tokens.size(); ++t) ia[0][static_cast<int64_t>(t)] = tokens[t];
    const int64_t begin = p.prompt_tokens - 1, end = static_cast<int64_t>(tokens.size()) - 1;
    const auto pred = predictor.predict(ids, {Span{begin, end}}).front();
    p.answer_nll = pred.nll_sum / static_cast<double>(end - begin);
    p.answer_exact = std::equal(pred.argmax.begin(), pred.argmax.end(), answer.begin(), answer.end());
    p.generated = tokenizer.decode(predictor.generate(prompt, s.max_new_tokens));
    p.passed = p.generated.find(s.answer) != std::string::npos;
    points.push_back(std::move(p));
    if (progress) progress(static_cast<int64_t>(points.size()), static_cast<int64_t>(s.lengths.size()));
  }
  return points;
}

nlohmann::json to_json(const ProbeSettings& s) {
  return {{"source", s.source},
          {"document_bytes", s.document.size()},
          {"document_sha256", store::sha256_hex(s.document.data(), s.document.size())},
          {"question", s.question},
          {"answer", s.answer},
          {"lengths", s.lengths},
          {"max_new_tokens", s.max_new_tokens},
          {"window", "BOS + the document's first tokens + line break + question"},
          {"scoring", "greedy generation contains the answer; teacher-forced answer NLL and exact match"}};
}

nlohmann::json to_json(const std::vector<ProbePoint>& points) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : points) {
    nlohmann::json j = {{"length", p.length}};
    if (!p.skipped.empty()) {
      j["skipped"] = p.skipped;
    } else {
      j.update({{"prompt_tokens", p.prompt_tokens},
                {"document_tokens", p.document_tokens},
                {"document_complete", p.document_complete},
                {"generated", p.generated},
                {"passed", p.passed},
                {"answer_exact", p.answer_exact},
                {"answer_nll", p.answer_nll}});
    }
    rows.push_back(std::move(j));
  }
  return rows;
}

}  // namespace pose::eval
