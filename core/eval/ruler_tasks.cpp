#include "eval/ruler_tasks.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "common/error.h"
#include "common/suggest.h"
#include "positions/random_stream.h"
#include "text/passkey_prompt.h"

namespace pose::eval {

namespace {

using Tokens = std::vector<int32_t>;
using positions::RandomStream;

// ---------------------------------------------------------------------------
// The tasks and RULER's configuration of each.

enum class Family { Niah, VariableTracking, CommonWords, FrequentWords };
enum class HaystackKind { Noise, Essay, Needles };
enum class ItemKind { Word, Number, Uuid };

struct NiahConfig {
  HaystackKind haystack = HaystackKind::Noise;
  ItemKind key = ItemKind::Word;
  ItemKind value = ItemKind::Number;
  int keys = 1;     // needles with distinct keys
  int values = 1;   // values per key (one needle each)
  int queries = 1;  // keys asked
};

struct TaskSpec {
  RulerTaskInfo info;
  Family family;
  NiahConfig niah;
};

// RULER's generation budgets (tokens_to_generate) per task family.
constexpr int64_t kNiahNewTokens = 128;
constexpr int64_t kVtNewTokens = 30;
constexpr int64_t kCweNewTokens = 120;
constexpr int64_t kFweNewTokens = 50;

// Variable tracking: one chain of 4 hops (5 variables), RULER's default.
constexpr int kVtHops = 4;
constexpr int kVtNameLetters = 5;         // RULER's variable names: 5 capital letters
constexpr int kVtExampleNameLetters = 3;  // ... and 3 in the worked example

// Common words: 10 words to find. RULER repeats them 30 times among words
// repeated 3 times, or 6 among once below 4,096 tokens, where a worked example
// of 20 words (3 / 1) replaces the one of 40 (10 / 3).
constexpr int kCommonWords = 10;
constexpr int64_t kCweLongFrom = 4096;

// Frequent words: coded words of 6 letters with Zipf counts (alpha 2), one
// vocabulary word per 50 tokens of length; the most frequent is the noise
// "..." and the next three are the answer.
constexpr int kCodedWordLetters = 6;
constexpr int64_t kFweTokensPerVocabularyWord = 50;
constexpr int kFweAnswers = 3;
constexpr double kZeta2 = 1.6449340668482264;  // pi^2 / 6: the Zipf(2) normaliser

constexpr int kNumberDigits = 7;  // RULER's needle values: 7-digit numbers
constexpr std::size_t kUuidBytes = 36;

const std::vector<TaskSpec>& specs() {
  static const std::vector<TaskSpec> list = [] {
    auto niah = [](std::string name, std::string description, std::string configuration, NiahConfig c) {
      RulerTaskInfo info{std::move(name), std::move(description), true, RulerScoring::All, kNiahNewTokens,
                         c.haystack == HaystackKind::Essay, std::move(configuration)};
      return TaskSpec{std::move(info), Family::Niah, c};
    };
    using H = HaystackKind;
    using I = ItemKind;
    std::vector<TaskSpec> v;
    v.push_back(niah("niah_single_1", "one needle (word key, 7-digit number) in a haystack of repeated noise sentences",
                     "haystack noise; key words; value numbers; 1 key, 1 value, 1 query",
                     {H::Noise, I::Word, I::Number, 1, 1, 1}));
    v.push_back(niah("niah_single_2", "one needle (word key, 7-digit number) in essay text",
                     "haystack essay; key words; value numbers; 1 key, 1 value, 1 query",
                     {H::Essay, I::Word, I::Number, 1, 1, 1}));
    v.push_back(niah("niah_single_3", "one needle (word key, UUID value) in essay text",
                     "haystack essay; key words; value uuids; 1 key, 1 value, 1 query",
                     {H::Essay, I::Word, I::Uuid, 1, 1, 1}));
    v.push_back(niah("niah_multikey_1", "four needles with distinct keys in essay text; one key is asked",
                     "haystack essay; key words; value numbers; 4 keys, 1 value, 1 query",
                     {H::Essay, I::Word, I::Number, 4, 1, 1}));
    v.push_back(niah("niah_multikey_2", "one needle in a haystack made of other word-key needles",
                     "haystack needles; key words; value numbers; 1 key, 1 value, 1 query",
                     {H::Needles, I::Word, I::Number, 1, 1, 1}));
    v.push_back(niah("niah_multikey_3", "one needle in a haystack of other needles, UUID keys and values",
                     "haystack needles; key uuids; value uuids; 1 key, 1 value, 1 query",
                     {H::Needles, I::Uuid, I::Uuid, 1, 1, 1}));
    v.push_back(niah("niah_multivalue", "four numbers hidden for one key in essay text; all four are asked",
                     "haystack essay; key words; value numbers; 1 key, 4 values, 1 query",
                     {H::Essay, I::Word, I::Number, 1, 4, 1}));
    v.push_back(niah("niah_multiquery", "four needles in essay text; all four keys are asked",
                     "haystack essay; key words; value numbers; 4 keys, 1 value, 4 queries",
                     {H::Essay, I::Word, I::Number, 4, 1, 4}));
    v.push_back({{"vt", "variable tracking: name every variable of a 4-hop assignment chain hidden in noise", false,
                  RulerScoring::All, kVtNewTokens, false,
                  "haystack noise; 1 chain, 4 hops; one worked example"},
                 Family::VariableTracking,
                 {}});
    v.push_back({{"cwe", "common words: the 10 most frequent words of a numbered word list", false, RulerScoring::All,
                  kCweNewTokens, false,
                  "10 common words; repeats 30 / 3 (6 / 1 below 4096 tokens); one worked example"},
                 Family::CommonWords,
                 {}});
    v.push_back({{"fwe", "frequent words: the 3 most frequent coded words of a Zipf-distributed text", false,
                  RulerScoring::All, kFweNewTokens, false,
                  "coded words of 6 letters; Zipf alpha 2; vocabulary length/50; most frequent is noise"},
                 Family::FrequentWords,
                 {}});
    return v;
  }();
  return list;
}

const TaskSpec& spec_of(const RulerTaskInfo& task) {
  for (const auto& s : specs()) {
    if (s.info.name == task.name) return s;
  }
  return specs().at(0);  // unreachable for infos from ruler_tasks(); ruler_task() rejects others
}

// ---------------------------------------------------------------------------
// Words. A built-in list rather than words of the run's documents: the tasks
// stay the same whatever corpus a run holds out (code, another language, a
// corpus too small to give thousands of distinct words), noise-haystack tasks
// have no documents at all, and scores of runs on different corpora stay
// comparable. Keys are adjective-noun pairs, as RULER's are.

const char* const kAdjectives[] = {
    "amber",  "ancient", "bitter",  "bold",    "brave",   "bright",  "brisk",   "calm",    "careful", "cheerful",
    "clever", "crimson", "curious", "distant", "eager",   "elegant", "empty",   "fancy",   "fierce",  "fragile",
    "gentle", "giant",   "golden",  "hollow",  "humble",  "hungry",  "jolly",   "lively",  "lonely",  "lucky",
    "massive", "mellow", "modern",  "narrow",  "noble",   "orange",  "patient", "polite",  "proud",   "quiet",
    "rapid",  "royal",   "rusty",   "shiny",   "silent",  "silver",  "sleepy",  "smooth",  "solid",   "spicy",
    "steady", "sturdy",  "swift",   "tender",  "tidy",    "vivid",   "wild",    "yellow",  "young",   "frosty"};

const char* const kNouns[] = {
    "anchor",  "apple",    "arrow",   "badge",   "basket",  "beacon",  "blanket", "bottle",  "bridge",   "bucket",
    "butter",  "cabin",    "camera",  "candle",  "canyon",  "carpet",  "castle",  "cellar",  "cherry",   "circle",
    "cloud",   "comet",    "copper",  "cottage", "crayon",  "crystal", "desert",  "diamond", "dragon",   "eagle",
    "engine",  "falcon",   "feather", "forest",  "fountain", "garden", "glacier", "guitar",  "hammer",   "harbor",
    "helmet",  "island",   "jacket",  "jungle",  "kettle",  "ladder",  "lantern", "lemon",   "magnet",   "marble",
    "meadow",  "mirror",   "monkey",  "mountain", "orchard", "otter",  "packet",  "paddle",  "palace",   "panther",
    "parrot",  "pebble",   "pencil",  "pepper",  "pillow",  "planet",  "pocket",  "puzzle",  "rabbit",   "ribbon",
    "river",   "rocket",   "saddle",  "sailor",  "shadow",  "shelter", "spider",  "sponge",  "statue",   "sunset",
    "temple",  "throne",   "tiger",   "tower",   "trumpet", "tunnel",  "turtle",  "valley",  "velvet",   "violin",
    "wagon",   "walnut",   "whistle", "window",  "wizard",  "zebra",   "biscuit", "compass", "harvest",  "kitten"};

const char* const kVerbs[] = {
    "admire",  "borrow",  "breathe", "build",   "carry",   "chase",   "climb",   "collect", "deliver", "discover",
    "dream",   "drift",   "explore", "fetch",   "gather",  "giggle",  "glide",   "greet",   "guard",   "hover",
    "imagine", "invent",  "juggle",  "kneel",   "launch",  "listen",  "mend",    "murmur",  "observe", "paint",
    "polish",  "praise",  "quarrel", "reckon",  "rescue",  "scatter", "shiver",  "sketch",  "sparkle", "stumble",
    "swallow", "travel",  "tumble",  "wander",  "whisper", "wobble",  "yawn",    "sprint",  "stitch",  "thunder"};

// Drops every word that contains another word of the list, so that a
// case-insensitive substring test (RULER's scoring) never credits a word for
// a longer one that holds it ("arrow" inside "narrow").
std::vector<std::string> without_containing(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::vector<std::string> kept;
  for (const auto& w : words) {
    const bool holds_other = std::any_of(words.begin(), words.end(), [&](const std::string& o) {
      return o != w && w.find(o) != std::string::npos;
    });
    if (!holds_other) kept.push_back(w);
  }
  return kept;
}

struct WordLists {
  std::vector<std::string> adjectives, nouns, all;
};

const WordLists& word_lists() {
  static const WordLists lists = [] {
    std::vector<std::string> every;
    for (const char* w : kAdjectives) every.emplace_back(w);
    for (const char* w : kNouns) every.emplace_back(w);
    for (const char* w : kVerbs) every.emplace_back(w);
    WordLists l;
    l.all = without_containing(every);
    const std::set<std::string> kept(l.all.begin(), l.all.end());
    for (const char* w : kAdjectives) {
      if (kept.count(w)) l.adjectives.emplace_back(w);
    }
    for (const char* w : kNouns) {
      if (kept.count(w)) l.nouns.emplace_back(w);
    }
    return l;
  }();
  return lists;
}

std::size_t longest(const std::vector<std::string>& words) {
  std::size_t n = 0;
  for (const auto& w : words) n = std::max(n, w.size());
  return n;
}

// ---------------------------------------------------------------------------
// Random draws, all from one stream per sample.

uint64_t task_salt(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: a stable hash of the task's name
  for (const unsigned char c : name) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

template <typename T>
void shuffle(std::vector<T>& v, RandomStream& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    std::swap(v[i - 1], v[static_cast<std::size_t>(rng.below(i))]);
  }
}

double draw_depth(RandomStream& rng) { return static_cast<double>(rng.below(1001)) / 1000.0; }

std::string draw_letters(RandomStream& rng, int count, char first) {
  std::string s;
  for (int i = 0; i < count; ++i) s += static_cast<char>(first + static_cast<int>(rng.below(26)));
  return s;
}

std::string draw_uuid(RandomStream& rng) {
  // A version-4 UUID: 122 random bits, the version nibble 4 and the variant bits 10.
  static const char* hex = "0123456789abcdef";
  std::string s;
  const uint64_t hi = rng.next(), lo = rng.next();
  for (int i = 0; i < 32; ++i) {
    const uint64_t word = i < 16 ? hi : lo;
    int nibble = static_cast<int>((word >> (4 * (15 - i % 16))) & 0xF);
    if (i == 12) nibble = 4;
    if (i == 16) nibble = 8 | (nibble & 3);
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += hex[nibble];
  }
  return s;
}

std::string draw_item(ItemKind kind, RandomStream& rng) {
  switch (kind) {
    case ItemKind::Word: {
      const auto& l = word_lists();
      return l.adjectives[rng.below(l.adjectives.size())] + "-" + l.nouns[rng.below(l.nouns.size())];
    }
    case ItemKind::Number: return std::to_string(rng.between(1000000, 9999999));
    case ItemKind::Uuid: return draw_uuid(rng);
  }
  return {};
}

std::size_t max_item_bytes(ItemKind kind) {
  switch (kind) {
    case ItemKind::Word: return longest(word_lists().adjectives) + 1 + longest(word_lists().nouns);
    case ItemKind::Number: return kNumberDigits;
    case ItemKind::Uuid: return kUuidBytes;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Tokens. Text of the template is tokenized exactly. A drawn item (key, value,
// name) is tokenized on its own too; when only the bound is wanted
// (ruler_minimum_length) it counts as its longest byte length + 1 tokens:
// every SentencePiece piece covers at least one byte, and the dummy-prefix
// space is one more, so no draw can take more.

constexpr int32_t kPlaceholder = 0;

class Encoder {
 public:
  Encoder(const text::Tokenizer& tokenizer, bool bound) : tokenizer_(tokenizer), bound_(bound) {
    newline_ = tokenizer.encode("\n");
    // SentencePiece may normalise a lone "\n" away; parts still start with a space piece.
    if (newline_.empty()) newline_ = tokenizer.encode(" ");
  }
  bool bound() const { return bound_; }
  const text::Tokenizer& tokenizer() const { return tokenizer_; }
  Tokens text(const std::string& s) const { return tokenizer_.encode(s); }
  Tokens item(const std::string& s, std::size_t max_bytes) const {
    return bound_ ? Tokens(max_bytes + 1, kPlaceholder) : tokenizer_.encode(s);
  }
  const Tokens& newline() const { return newline_; }

 private:
  const text::Tokenizer& tokenizer_;
  bool bound_;
  Tokens newline_;
};

void append(Tokens& out, const Tokens& part) { out.insert(out.end(), part.begin(), part.end()); }

int64_t size_of(const Tokens& t) { return static_cast<int64_t>(t.size()); }

// The noise haystack: RULER's five filler sentences (the passkey filler) on
// lines of one round each. Tokenized per sentence so it fills to a sentence.
const std::vector<std::string>& noise_sentences() {
  static const std::vector<std::string> sentences = [] {
    std::vector<std::string> out;
    const std::string all = text::kPasskeyFiller;
    std::size_t start = 0;
    while (start < all.size()) {
      auto end = all.find(". ", start);
      end = end == std::string::npos ? all.size() : end + 1;
      out.push_back(all.substr(start, end - start));
      start = end;
      while (start < all.size() && all[start] == ' ') ++start;
    }
    return out;
  }();
  return sentences;
}

// A haystack and the token offsets where something may be inserted (line or
// sentence starts; sorted, the end included).
struct Haystack {
  Tokens tokens;
  std::vector<int64_t> boundaries{0};
  void mark() {
    if (boundaries.back() != size_of(tokens)) boundaries.push_back(size_of(tokens));
  }
};

// Lines of noise until `budget`; the last line may stop after any sentence.
void add_noise_lines(Haystack& h, const Encoder& enc, int64_t budget) {
  std::vector<Tokens> sentences;
  Tokens round;
  for (const auto& s : noise_sentences()) {
    sentences.push_back(enc.text(s));
    append(round, sentences.back());
  }
  append(round, enc.newline());
  const int64_t end = size_of(h.tokens) + budget;
  while (size_of(h.tokens) + size_of(round) <= end) {
    append(h.tokens, round);
    h.mark();
  }
  std::size_t used = 0;
  int64_t partial = 0;
  while (used < sentences.size() &&
         size_of(h.tokens) + partial + size_of(sentences[used]) + size_of(enc.newline()) <= end) {
    partial += size_of(sentences[used++]);
  }
  if (used > 0) {
    for (std::size_t i = 0; i < used; ++i) append(h.tokens, sentences[i]);
    append(h.tokens, enc.newline());
    h.mark();
  }
}

// Essay text: the documents' tokens in order from a drawn document, separated
// by line breaks and repeated when short, cut at exactly `budget` tokens; BOS
// and EOS ids in them are dropped (the haystack is one text). The caller has
// checked that some document holds other tokens.
// Insertions go at sentence starts (a word start after ".", "!" or "?" or a
// line break), or at word starts in text without sentences.
Haystack essay_haystack(const Encoder& enc, const std::vector<Tokens>& documents, int64_t budget, RandomStream& rng) {
  Haystack h;
  const auto& tok = enc.tokenizer();
  const std::size_t first = static_cast<std::size_t>(rng.below(documents.size()));
  for (std::size_t k = 0; size_of(h.tokens) < budget; ++k) {
    const Tokens& d = documents[(first + k) % documents.size()];
    bool started = false;
    for (const int32_t id : d) {
      if (id == tok.bos_id() || id == tok.eos_id()) continue;
      if (!started && !h.tokens.empty()) append(h.tokens, enc.newline());
      started = true;
      h.tokens.push_back(id);
      if (size_of(h.tokens) >= budget) break;
    }
  }
  h.tokens.resize(static_cast<std::size_t>(budget));

  const std::string space = "\xE2\x96\x81";  // SentencePiece's word-start mark
  std::unordered_map<int32_t, std::pair<bool, bool>> kinds;  // id -> (starts a word, ends a sentence)
  auto kind = [&](int32_t id) {
    auto it = kinds.find(id);
    if (it != kinds.end()) return it->second;
    const std::string p = tok.piece(id);
    const bool word_start = p.rfind(space, 0) == 0;
    const bool sentence_end = p == "<0x0A>" || (!p.empty() && (p.back() == '.' || p.back() == '!' || p.back() == '?'));
    return kinds[id] = {word_start, sentence_end};
  };
  std::vector<int64_t> sentences, words;
  for (int64_t i = 1; i < size_of(h.tokens); ++i) {
    if (!kind(h.tokens[static_cast<std::size_t>(i)]).first) continue;
    words.push_back(i);
    if (kind(h.tokens[static_cast<std::size_t>(i - 1)]).second) sentences.push_back(i);
  }
  const auto& starts = sentences.size() >= 2 ? sentences : words;
  h.boundaries.insert(h.boundaries.end(), starts.begin(), starts.end());
  h.mark();
  return h;
}

struct Insertion {
  double depth = 0.0;
  Tokens tokens;
  bool answer = false;  // the needle whose position the sample reports
};

struct Context {
  Tokens tokens;
  int64_t answer_offset = -1;
};

// Puts each insertion at the boundary nearest to its depth of the haystack;
// insertions at the same boundary keep their order.
Context insert(const Haystack& h, const std::vector<Insertion>& insertions) {
  std::vector<std::pair<int64_t, std::size_t>> at;  // (boundary, insertion)
  const auto n = static_cast<double>(h.tokens.size());
  for (std::size_t i = 0; i < insertions.size(); ++i) {
    const double d = std::min(1.0, std::max(0.0, insertions[i].depth));
    const auto target = static_cast<int64_t>(std::llround(d * n));
    auto it = std::lower_bound(h.boundaries.begin(), h.boundaries.end(), target);
    if (it == h.boundaries.end()) --it;
    if (it != h.boundaries.begin() && target - *(it - 1) < *it - target) --it;
    at.emplace_back(*it, i);
  }
  std::stable_sort(at.begin(), at.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Context c;
  c.tokens.reserve(h.tokens.size());
  int64_t copied = 0;
  for (const auto& [pos, i] : at) {
    c.tokens.insert(c.tokens.end(), h.tokens.begin() + copied, h.tokens.begin() + pos);
    copied = pos;
    if (insertions[i].answer && c.answer_offset < 0) c.answer_offset = size_of(c.tokens);
    append(c.tokens, insertions[i].tokens);
  }
  c.tokens.insert(c.tokens.end(), h.tokens.begin() + copied, h.tokens.end());
  return c;
}

// A sample under construction: the prompt around the context, and what the
// task needs besides filler.
struct Draft {
  Tokens head;  // BOS and everything before the context
  Tokens tail;  // everything after the context, ending in the answer prefix
  int64_t fixed = 0;
};

UserError too_short(const RulerTaskInfo& task, int64_t length, int64_t fixed) {
  return UserError("RULER " + task.name + ": length " + std::to_string(length) + " cannot hold the prompt (" +
                       std::to_string(fixed) + " tokens without filler)",
                   "use lengths of at least " + std::to_string(fixed) + " tokens for " + task.name);
}

RulerSample assemble(const Draft& d, const Context& c, std::vector<std::string> expected) {
  RulerSample s;
  s.prompt.reserve(d.head.size() + c.tokens.size() + d.tail.size());
  append(s.prompt, d.head);
  s.context_begin = size_of(s.prompt);
  append(s.prompt, c.tokens);
  s.context_end = size_of(s.prompt);
  append(s.prompt, d.tail);
  if (c.answer_offset >= 0) s.needle_begin = s.context_begin + c.answer_offset;
  s.expected = std::move(expected);
  return s;
}

Tokens bos(const Encoder& enc) { return {static_cast<int32_t>(enc.tokenizer().bos_id())}; }

// ---------------------------------------------------------------------------
// Needle in a haystack.

std::string join_query(const std::vector<std::string>& keys) {
  if (keys.size() == 1) return keys[0];
  if (keys.size() == 2) return keys[0] + " and " + keys[1];
  std::string s;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) s += keys[i] + ", ";
  return s + "and " + keys.back();
}

struct Built {
  RulerSample sample;
  int64_t fixed = 0;  // tokens without filler (all the bound mode computes)
};

Built build_niah(const TaskSpec& spec, const Encoder& enc, const std::vector<Tokens>& documents, int64_t length,
                 double depth, RandomStream& rng) {
  const NiahConfig& c = spec.niah;
  const bool plural = c.queries * c.values > 1;
  const std::string kind = c.value == ItemKind::Uuid ? "UUID" : "number";
  const std::string kinds = kind + "s";
  const std::string asked = plural ? kinds : kind;
  const std::size_t key_bytes = max_item_bytes(c.key), value_bytes = max_item_bytes(c.value);

  // Keys distinct, values distinct; the asked keys in a drawn order.
  std::vector<std::string> keys;
  std::set<std::string> used;
  while (static_cast<int>(keys.size()) < c.keys) {
    auto k = draw_item(c.key, rng);
    if (used.insert(k).second) keys.push_back(std::move(k));
  }
  std::vector<std::vector<std::string>> values_of(keys.size());
  for (auto& vs : values_of) {
    while (static_cast<int>(vs.size()) < c.values) {
      auto v = draw_item(c.value, rng);
      if (used.insert(v).second) vs.push_back(std::move(v));
    }
  }
  std::vector<std::size_t> order(keys.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  shuffle(order, rng);
  order.resize(static_cast<std::size_t>(c.queries));
  std::vector<std::string> queried, expected;
  for (const auto i : order) {
    queried.push_back(keys[i]);
    for (const auto& v : values_of[i]) expected.push_back(v);
  }
  const std::string query = join_query(queried);
  const std::size_t query_bytes = queried.size() * (key_bytes + 2) + 4;  // ", " between, "and "

  const bool lines = c.haystack != HaystackKind::Essay;
  auto needle = [&](const std::string& key, const std::string& value) {
    Tokens t = enc.text("A special " + kind + " for");
    append(t, enc.item(key, key_bytes));
    append(t, enc.text("is"));
    append(t, enc.item(value + ".", value_bytes + 1));
    if (lines) append(t, enc.newline());
    return t;
  };

  // The answer needle (first asked key, its first value) at `depth`; the rest at drawn depths.
  std::vector<Insertion> needles;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    for (std::size_t j = 0; j < values_of[k].size(); ++j) {
      const bool answer = k == order[0] && j == 0;
      const double d = draw_depth(rng);
      needles.push_back({answer ? depth : d, needle(keys[k], values_of[k][j]), answer});
    }
  }

  Draft draft;
  draft.head = bos(enc);
  append(draft.head, enc.text(plural ? "The text below hides special " + kinds + ". Read it carefully and keep the " +
                                           kinds + " in mind: a question about them follows the text."
                                     : "The text below hides a special " + kind + ". Read it carefully and keep the " +
                                           kind + " in mind: a question about it follows the text."));
  append(draft.head, enc.newline());
  if (!lines) append(draft.tail, enc.newline());
  append(draft.tail, enc.text("Question: which special " + asked + " for"));
  append(draft.tail, enc.item(query, query_bytes));
  append(draft.tail, enc.text("does the text above give?"));
  append(draft.tail, enc.text("Answer: the special " + asked + " for"));
  append(draft.tail, enc.item(query, query_bytes));
  append(draft.tail, enc.text(plural ? "are" : "is"));
  draft.fixed = size_of(draft.head) + size_of(draft.tail);
  for (const auto& n : needles) draft.fixed += size_of(n.tokens);
  if (enc.bound()) return {{}, draft.fixed};
  if (draft.fixed > length) throw too_short(spec.info, length, draft.fixed);

  const int64_t budget = length - draft.fixed;
  Haystack h;
  if (c.haystack == HaystackKind::Noise) {
    add_noise_lines(h, enc, budget);
  } else if (c.haystack == HaystackKind::Essay) {
    h = essay_haystack(enc, documents, budget, rng);
  } else {
    // Other needles, keys never one of the sample's own; noise sentences fill
    // what is left below one needle line.
    for (;;) {
      std::string k = draw_item(c.key, rng);
      if (used.count(k)) continue;
      const Tokens line = needle(k, draw_item(c.value, rng));
      if (size_of(h.tokens) + size_of(line) > budget) break;
      append(h.tokens, line);
      h.mark();
    }
    add_noise_lines(h, enc, budget - size_of(h.tokens));
  }
  return {assemble(draft, insert(h, needles), std::move(expected)), draft.fixed};
}

// ---------------------------------------------------------------------------
// Variable tracking.

std::vector<std::string> draw_names(RandomStream& rng, int count, int letters) {
  std::vector<std::string> names;
  while (static_cast<int>(names.size()) < count) {
    auto n = draw_letters(rng, letters, 'A');
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(std::move(n));
  }
  return names;
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : separator) + w;
  return s;
}

Built build_vt(const TaskSpec& spec, const Encoder& enc, int64_t length, RandomStream& rng) {
  constexpr int kVariables = kVtHops + 1;
  const std::size_t value_bytes = 5;
  auto statement = [&](const std::string& name, const std::string& rhs, std::size_t name_bytes) {
    Tokens t = enc.text("VAR");
    append(t, enc.item(name, name_bytes));
    append(t, enc.text("="));
    append(t, enc.item(rhs, std::max(value_bytes, name_bytes + 4)));  // "12345" or "VAR NAME"
    append(t, enc.newline());
    return t;
  };
  // The chain: the first variable gets the value, each next one the previous variable.
  auto chain = [&](const std::vector<std::string>& names, const std::string& value, std::size_t name_bytes) {
    std::vector<Tokens> out{statement(names[0], value, name_bytes)};
    for (std::size_t i = 1; i < names.size(); ++i) out.push_back(statement(names[i], "VAR " + names[i - 1], name_bytes));
    return out;
  };
  const std::string intro =
      "The text below hides a chain of variable assignments. Follow it from variable to variable.";
  auto question = [&](const std::string& value) {
    Tokens t = enc.text("Question: which variables hold the value");
    append(t, enc.item(value, value_bytes));
    append(t, enc.text("in the text above?"));
    append(t, enc.text("Answer: following the assignments in the text above, " + std::to_string(kVariables) +
                       " variables hold the value"));
    append(t, enc.item(value + ";", value_bytes + 1));
    append(t, enc.text("they are:"));
    return t;
  };

  const auto names = draw_names(rng, kVariables, kVtNameLetters);
  const auto example_names = draw_names(rng, kVariables, kVtExampleNameLetters);
  const std::string value = std::to_string(rng.between(10000, 99999));
  std::string example_value = value;
  while (example_value == value) example_value = std::to_string(rng.between(10000, 99999));

  // RULER shows one solved example first; here its chain sits between two noise lines.
  Draft draft;
  draft.head = bos(enc);
  append(draft.head, enc.text(intro));
  append(draft.head, enc.newline());
  Tokens round;
  for (const auto& s : noise_sentences()) append(round, enc.text(s));
  append(round, enc.newline());
  const auto example = chain(example_names, example_value, kVtExampleNameLetters);
  append(draft.head, round);
  for (std::size_t i = 0; i < example.size(); ++i) {
    if (i == 2) append(draft.head, round);
    append(draft.head, example[i]);
  }
  append(draft.head, question(example_value));
  append(draft.head, enc.item(" " + join(example_names, " "), kVariables * (kVtExampleNameLetters + 1)));
  append(draft.head, enc.newline());
  append(draft.head, enc.text(intro));
  append(draft.head, enc.newline());
  draft.tail = question(value);

  std::vector<Insertion> statements;
  std::vector<double> depths;
  for (int i = 0; i < kVariables; ++i) depths.push_back(draw_depth(rng));
  std::sort(depths.begin(), depths.end());  // in chain order through the text, as RULER places them
  const auto main_chain = chain(names, value, kVtNameLetters);
  for (std::size_t i = 0; i < main_chain.size(); ++i) statements.push_back({depths[i], main_chain[i], false});

  draft.fixed = size_of(draft.head) + size_of(draft.tail);
  for (const auto& s : statements) draft.fixed += size_of(s.tokens);
  if (enc.bound()) return {{}, draft.fixed};
  if (draft.fixed > length) throw too_short(spec.info, length, draft.fixed);

  Haystack h;
  add_noise_lines(h, enc, length - draft.fixed);
  return {assemble(draft, insert(h, statements), names), draft.fixed};
}

// ---------------------------------------------------------------------------
// Common words extraction.

struct CweShape {
  int example_words, example_common_repeats, example_rare_repeats, common_repeats, rare_repeats;
};

CweShape cwe_shape(int64_t length) {
  return length < kCweLongFrom ? CweShape{20, 3, 1, 6, 1} : CweShape{40, 10, 3, 30, 3};
}

// Labels "1.", "2.", ... tokenized once each.
class Labels {
 public:
  explicit Labels(const Encoder& enc) : enc_(enc) {}
  const Tokens& operator()(std::size_t i) {  // 1-based
    while (cache_.size() < i) cache_.push_back(enc_.text(std::to_string(cache_.size() + 1) + "."));
    return cache_[i - 1];
  }

 private:
  const Encoder& enc_;
  std::vector<Tokens> cache_;
};

Built build_cwe(const TaskSpec& spec, const Encoder& enc, int64_t length, RandomStream& rng) {
  const auto shape = cwe_shape(length);
  const auto& all = word_lists().all;
  // Bound mode counts every listed word at the most tokens any of them takes.
  int64_t longest_word = 0;
  if (enc.bound()) {
    for (const auto& w : all) longest_word = std::max(longest_word, size_of(enc.text(w)));
  }
  auto word_tokens = [&](const std::string& w) {
    return enc.bound() ? Tokens(static_cast<std::size_t>(longest_word), kPlaceholder) : enc.text(w);
  };
  Labels labels(enc);

  const std::string intro =
      "Below is a numbered list of words. Some words occur many times, the others rarely. Keep track of the ones "
      "that occur most often.";
  const std::string question = "Question: which " + std::to_string(kCommonWords) + " words occur most often in the list above?";
  const std::string prefix = "Answer: the " + std::to_string(kCommonWords) + " words that occur most often in the list above are:";

  auto numbered = [&](const std::vector<std::size_t>& entries, const std::vector<Tokens>& words) {
    Tokens t;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      append(t, labels(i + 1));
      append(t, words[entries[i]]);
    }
    return t;
  };
  // `count` distinct words of the list in a drawn order; the first 10 are common.
  auto draw_words = [&](std::size_t count) {
    std::vector<std::size_t> idx(all.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    shuffle(idx, rng);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < std::min(count, idx.size()); ++i) out.push_back(all[idx[i]]);
    return out;
  };
  auto entries_of = [&](std::size_t words, int common_repeats, int rare_repeats) {
    std::vector<std::size_t> e;
    for (std::size_t w = 0; w < words; ++w) {
      const int r = w < static_cast<std::size_t>(kCommonWords) ? common_repeats : rare_repeats;
      for (int k = 0; k < r; ++k) e.push_back(w);
    }
    shuffle(e, rng);
    return e;
  };

  // The worked example, with its answer.
  const auto example_words = draw_words(static_cast<std::size_t>(shape.example_words));
  std::vector<Tokens> example_tokens;
  for (const auto& w : example_words) example_tokens.push_back(word_tokens(w));
  const auto example_entries =
      entries_of(example_words.size(), shape.example_common_repeats, shape.example_rare_repeats);
  Draft draft;
  draft.head = bos(enc);
  append(draft.head, enc.text(intro));
  append(draft.head, enc.newline());
  append(draft.head, numbered(example_entries, example_tokens));
  append(draft.head, enc.newline());
  append(draft.head, enc.text(question));
  append(draft.head, enc.text(prefix));
  for (int i = 0; i < kCommonWords; ++i) {
    append(draft.head, labels(static_cast<std::size_t>(i) + 1));
    append(draft.head, example_tokens[static_cast<std::size_t>(i)]);
  }
  append(draft.head, enc.newline());
  append(draft.head, enc.text(intro));
  append(draft.head, enc.newline());
  append(draft.tail, enc.newline());
  append(draft.tail, enc.text(question));
  append(draft.tail, enc.text(prefix));

  // The list: the common words first, then rare words while they fit.
  auto words = draw_words(all.size());
  std::vector<std::string> common(words.begin(), words.begin() + kCommonWords);
  std::vector<Tokens> tokens;
  for (const auto& w : common) tokens.push_back(word_tokens(w));
  std::size_t entry_count = 0;
  int64_t list_tokens = 0;
  for (std::size_t w = 0; w < common.size(); ++w) {
    for (int k = 0; k < shape.common_repeats; ++k) list_tokens += size_of(labels(++entry_count)) + size_of(tokens[w]);
  }
  draft.fixed = size_of(draft.head) + size_of(draft.tail) + list_tokens;
  if (enc.bound()) return {{}, draft.fixed};
  if (draft.fixed > length) throw too_short(spec.info, length, draft.fixed);

  // Rare words: the rest of the list, then (for long contexts) pairs of them
  // joined by "-", never holding a common word.
  std::set<std::string> seen(words.begin(), words.end());
  std::vector<std::string> rare(words.begin() + kCommonWords, words.end());
  std::size_t next_rare = 0;
  int64_t budget = length - draft.fixed;
  std::size_t word_count = common.size();
  for (;;) {
    std::string w;
    if (next_rare < rare.size()) {
      w = rare[next_rare++];
    } else {
      do {
        w = rare[rng.below(rare.size())] + "-" + rare[rng.below(rare.size())];
      } while (seen.count(w));
      seen.insert(w);
    }
    Tokens t = word_tokens(w);
    int64_t cost = 0;
    for (int k = 1; k <= shape.rare_repeats; ++k) cost += size_of(labels(entry_count + static_cast<std::size_t>(k))) + size_of(t);
    if (cost > budget) break;
    budget -= cost;
    entry_count += static_cast<std::size_t>(shape.rare_repeats);
    tokens.push_back(std::move(t));
    ++word_count;
  }
  Context c;
  c.tokens = numbered(entries_of(word_count, shape.common_repeats, shape.rare_repeats), tokens);
  return {assemble(draft, c, common), draft.fixed};
}

// ---------------------------------------------------------------------------
// Frequent words extraction.

// Zipf counts: word k (1-based) occurs floor(n k^-2 / zeta(2)) times.
std::vector<int64_t> zipf_counts(int64_t n, std::size_t vocabulary) {
  std::vector<int64_t> counts(vocabulary);
  for (std::size_t k = 0; k < vocabulary; ++k) {
    const double r = static_cast<double>(k + 1);
    counts[k] = static_cast<int64_t>(std::floor(static_cast<double>(n) / (kZeta2 * r * r)));
  }
  return counts;
}

// The answer is unambiguous when the last answer word occurs more often than the next word.
bool zipf_answer_clear(const std::vector<int64_t>& counts) {
  return counts[kFweAnswers] > 0 && counts[kFweAnswers] > counts[kFweAnswers + 1];
}

Built build_fwe(const TaskSpec& spec, const Encoder& enc, int64_t length, RandomStream& rng) {
  const auto vocabulary = static_cast<std::size_t>(std::max<int64_t>(kFweAnswers + 2, length / kFweTokensPerVocabularyWord));
  std::vector<std::string> vocab{"..."};  // the most frequent "word" is noise the question says to ignore
  std::set<std::string> seen;
  while (vocab.size() < vocabulary) {
    auto w = draw_letters(rng, kCodedWordLetters, 'a');
    if (seen.insert(w).second) vocab.push_back(std::move(w));
  }
  std::vector<int64_t> word_tokens(vocabulary);
  for (std::size_t k = 0; k < vocabulary; ++k) {
    word_tokens[k] = size_of(k == 0 ? enc.text(vocab[k]) : enc.item(vocab[k], kCodedWordLetters));
  }
  auto cost = [&](int64_t n) {
    const auto counts = zipf_counts(n, vocabulary);
    int64_t c = 0;
    for (std::size_t k = 0; k < vocabulary; ++k) c += counts[k] * word_tokens[k];
    return c;
  };
  int64_t least = 1;  // the fewest words with a clear answer
  while (!zipf_answer_clear(zipf_counts(least, vocabulary))) ++least;

  Draft draft;
  draft.head = bos(enc);
  append(draft.head, enc.text("Read the coded text below and count how often each coded word occurs. Find the three "
                              "coded words that occur most often."));
  append(draft.head, enc.newline());
  append(draft.tail, enc.newline());
  append(draft.tail, enc.text("Question: answer without explanation, and ignore the dots '....'. Which three coded "
                              "words occur most often in the coded text above?"));
  append(draft.tail, enc.text("Answer: the three coded words that occur most often in the coded text above are:"));
  draft.fixed = size_of(draft.head) + size_of(draft.tail) + cost(least);
  if (enc.bound()) return {{}, draft.fixed};
  if (draft.fixed > length) throw too_short(spec.info, length, draft.fixed);

  // The most words that fit (the cost grows with n), then back to a clear answer.
  const int64_t budget = length - size_of(draft.head) - size_of(draft.tail);
  int64_t lo = least, hi = least;
  while (cost(hi * 2) <= budget) hi *= 2;
  lo = hi;
  hi *= 2;  // cost(lo) <= budget < cost(hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (cost(mid) <= budget ? lo : hi) = mid;
  }
  while (!zipf_answer_clear(zipf_counts(lo, vocabulary))) --lo;

  const auto counts = zipf_counts(lo, vocabulary);
  std::vector<std::size_t> text;
  for (std::size_t k = 0; k < vocabulary; ++k) text.insert(text.end(), static_cast<std::size_t>(counts[k]), k);
  shuffle(text, rng);
  std::vector<Tokens> tokens(vocabulary);
  for (std::size_t k = 0; k < vocabulary; ++k) tokens[k] = enc.text(vocab[k]);
  Context c;
  for (const auto k : text) append(c.tokens, tokens[k]);
  return {assemble(draft, c, {vocab.begin() + 1, vocab.begin() + 1 + kFweAnswers}), draft.fixed};
}

// ---------------------------------------------------------------------------

Built build(const RulerTaskInfo& task, const Encoder& enc, const std::vector<Tokens>& documents, int64_t length,
            double depth, uint64_t seed, uint64_t index) {
  const TaskSpec& spec = spec_of(task);
  auto rng = RandomStream::for_sample(seed ^ task_salt(task.name), index);
  switch (spec.family) {
    case Family::Niah: return build_niah(spec, enc, documents, length, depth, rng);
    case Family::VariableTracking: return build_vt(spec, enc, length, rng);
    case Family::CommonWords: return build_cwe(spec, enc, length, rng);
    case Family::FrequentWords: return build_fwe(spec, enc, length, rng);
  }
  return {};
}

}  // namespace

const std::vector<RulerTaskInfo>& ruler_tasks() {
  static const std::vector<RulerTaskInfo> infos = [] {
    std::vector<RulerTaskInfo> v;
    for (const auto& s : specs()) v.push_back(s.info);
    return v;
  }();
  return infos;
}

const RulerTaskInfo& ruler_task(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& t : ruler_tasks()) {
    if (t.name == name) return t;
    names.push_back(t.name);
  }
  const std::string near = closest_match(name, names);
  const bool qa = name == "qa_1" || name == "qa_2";
  throw UserError("unknown RULER task \"" + name + "\"" +
                      (qa ? " (RULER's QA tasks need SQuAD and HotpotQA, which are not shipped)" : ""),
                  near.empty() ? "the tasks are " + join_names(names) : "did you mean \"" + near + "\"?");
}

std::vector<std::string> parse_ruler_tasks(const std::string& comma_list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= comma_list.size()) {
    auto end = comma_list.find(',', start);
    if (end == std::string::npos) end = comma_list.size();
    std::string name = comma_list.substr(start, end - start);
    const auto b = name.find_first_not_of(" \t");
    name = b == std::string::npos ? std::string() : name.substr(b, name.find_last_not_of(" \t") - b + 1);
    start = end + 1;
    if (name.empty()) continue;
    if (name == "all") {
      for (const auto& t : ruler_tasks()) {
        if (std::find(out.begin(), out.end(), t.name) == out.end()) out.push_back(t.name);
      }
      continue;
    }
    const auto& t = ruler_task(name);
    if (std::find(out.begin(), out.end(), t.name) == out.end()) out.push_back(t.name);
  }
  if (out.empty()) {
    for (const auto& t : ruler_tasks()) out.push_back(t.name);
  }
  return out;
}

std::string ruler_scoring_name(RulerScoring scoring) { return scoring == RulerScoring::All ? "all" : "part"; }

RulerSample build_ruler_sample(const RulerTaskInfo& task, const text::Tokenizer& tokenizer,
                               const std::vector<std::vector<int32_t>>& haystack_documents, int64_t length,
                               double depth, uint64_t seed, uint64_t index) {
  const auto& known = ruler_task(task.name);
  if (known.needs_documents) {
    const bool any = std::any_of(haystack_documents.begin(), haystack_documents.end(), [&](const Tokens& d) {
      return std::any_of(d.begin(), d.end(),
                         [&](int32_t id) { return id != tokenizer.bos_id() && id != tokenizer.eos_id(); });
    });
    if (!any) {
      throw UserError("RULER " + known.name + ": its essay haystack needs documents and none were given",
                      "pass the run's held-out documents, or choose tasks with a noise haystack "
                      "(niah_single_1, niah_multikey_2, niah_multikey_3, vt, cwe, fwe)");
    }
  }
  const Encoder enc(tokenizer, false);
  return build(known, enc, haystack_documents, length, depth, seed, index).sample;
}

int64_t ruler_minimum_length(const RulerTaskInfo& task, const text::Tokenizer& tokenizer, int64_t length) {
  const Encoder enc(tokenizer, true);
  return build(ruler_task(task.name), enc, {}, length, 0.5, 0, 0).fixed;
}

const std::vector<std::string>& ruler_words() { return word_lists().all; }

}  // namespace pose::eval
