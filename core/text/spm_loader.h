// Finds and loads the SentencePiece module (libpose_spm.so, see
// spm_module/spm_api.h for why it is a separate module) once per process.
#pragma once

#include <filesystem>
#include <vector>

#include "spm_module/spm_api.h"

namespace pose::text {

// Throws UserError listing the places searched when the module cannot be loaded.
const pose::spm::Api& spm_api();

// Where the module is looked for, in order: $POSE_SPM_MODULE, next to the executable
// (../lib/pose-studio, ../lib, the same directory), then the build tree.
std::vector<std::filesystem::path> spm_module_candidates();

}  // namespace pose::text
