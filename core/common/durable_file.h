// Making a freshly written file durable and visible in one step: fsync the
// temporary file, rename it over the destination, fsync the directory. A crash
// (or SIGKILL) at any moment leaves either the old file or the new one, never
// a torn one — what checkpoints and exports rely on.
#pragma once

#include <filesystem>

namespace pose {

// `tmp` must be a complete file in the same directory as `path`. Throws
// UserError naming `path` when any step fails (the temporary file is removed).
void commit_file(const std::filesystem::path& tmp, const std::filesystem::path& path);

// The temporary name commit_file expects for `path`: "path.tmp".
std::filesystem::path temporary_path_for(const std::filesystem::path& path);

}  // namespace pose
