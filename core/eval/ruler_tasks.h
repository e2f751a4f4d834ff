// RULER's synthetic tasks (Hsieh et al. 2024, "RULER: What's the Real Context
// Size of Your Long-Context Language Models?") as prompt generators: needle in
// a haystack in eight variants, variable tracking, common-word and
// frequent-word extraction. The task names, their configurations (haystack,
// key and value kinds, counts), generation budgets and scoring rules are
// RULER's; the wording of the prompts is this project's own.
//
// Left out: RULER's qa_1 and qa_2 need SQuAD and HotpotQA, which this project
// does not ship; an evaluation without them is RULER's synthetic subset.
//
// Prompts are built for base models (RULER's "base" template: no chat
// markup). Every part is tokenized on its own and the token lists are
// concatenated, so a prompt's length in tokens is exact, and each random
// choice is drawn from (seed, task, index), so a sample is reproducible alone.
//
// Length: a prompt holds BOS, the task's text, the haystack and the answer
// prefix in at most `length` tokens, filled up to the last haystack unit that
// fits (a sentence of noise, a needle line, a word of the list; the essay
// haystack is cut to the token). RULER instead counts the generation budget
// inside its sequence length; here generated tokens come after `length`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "text/tokenizer.h"

namespace pose::eval {

// RULER's string_match_all (the share of expected strings the output contains)
// and string_match_part (1 when it contains any of them).
enum class RulerScoring { All, Part };

struct RulerTaskInfo {
  std::string name;           // RULER's name: niah_single_1, ..., vt, cwe, fwe
  std::string description;    // one line for --help and the GUI
  bool uses_depth = false;    // needle tasks: the answer needle is placed at the requested depth
  RulerScoring scoring = RulerScoring::All;
  int64_t max_new_tokens = 0; // RULER's generation budget for the task
  bool needs_documents = false;  // the haystack is essay text from held-out documents
  std::string configuration;  // RULER's settings in words, stored with results
};

// Every task, in RULER's order.
const std::vector<RulerTaskInfo>& ruler_tasks();
// Throws UserError naming the unknown task, with a did-you-mean when one is close.
const RulerTaskInfo& ruler_task(const std::string& name);
// "niah_single_1, vt" -> names in the order given (repeats dropped); "" or "all" -> every task.
std::vector<std::string> parse_ruler_tasks(const std::string& comma_list);
std::string ruler_scoring_name(RulerScoring scoring);  // "all", "part"

struct RulerSample {
  std::vector<int32_t> prompt;        // BOS + prompt ending in the answer prefix; prompt.size() <= length
  std::vector<std::string> expected;  // the strings the output must contain
  int64_t context_begin = 0;          // prompt[context_begin, context_end) is the haystack with its needles
  int64_t context_end = 0;
  int64_t needle_begin = -1;          // needle tasks: where the needle holding the first answer starts
};

// The sample `index` of `task` at `length` tokens; `depth` in [0, 1] places the
// answer needle (needle tasks; other tasks ignore it). `haystack_documents` are
// token ids of held-out documents (BOS and EOS ids in them are dropped), used
// by the essay haystack in document order from a drawn starting document and
// repeated when short; other tasks do not read them. Throws UserError when
// `length` cannot hold the prompt without filler, or when an essay task gets
// no document tokens.
RulerSample build_ruler_sample(const RulerTaskInfo& task, const text::Tokenizer& tokenizer,
                               const std::vector<std::vector<int32_t>>& haystack_documents, int64_t length,
                               double depth, uint64_t seed, uint64_t index);

// Tokens `task` needs at `length` without filler, an upper bound over every
// draw (drawn keys, values and names counted at their longest): any length at
// or above it builds. `length` matters to cwe, whose word counts follow RULER's
// switch at 4,096 tokens.
int64_t ruler_minimum_length(const RulerTaskInfo& task, const text::Tokenizer& tokenizer, int64_t length);

// The built-in word list that keys and cwe's words come from, sorted, no word
// inside another (so a substring match never credits the wrong word).
const std::vector<std::string>& ruler_words();

}  // namespace pose::eval
