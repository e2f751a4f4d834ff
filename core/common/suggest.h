// "Did you mean" hints for names a user typed: JSON keys, preset names, enum
// values. A hint is only given for a plausible typo, so that an unrelated name
// is not offered as if it were what the user meant.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pose {

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `word` when it is at most two edits away and fewer
// edits than `word` has characters; the first such candidate on ties. Empty
// when there is none.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// "a, b, c": candidates for a message.
std::string join_names(const std::vector<std::string>& names, const std::string& quote = "");

}  // namespace pose
