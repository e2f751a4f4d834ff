#include "text/spm_loader.h"

#include "common/error.h"

#include <pose/build_info.h>

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <system_error>

namespace pose::text {

std::vector<std::filesystem::path> spm_module_candidates() {
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("POSE_SPM_MODULE"); env && *env) out.emplace_back(env);
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto dir = exe.parent_path();
    out.push_back(dir / ".." / "lib" / "pose-studio" / "libpose_spm.so");
    out.push_back(dir / ".." / "lib" / "libpose_spm.so");
    out.push_back(dir / "libpose_spm.so");
  }
  out.emplace_back(POSE_SPM_MODULE_BUILD_PATH);
  out.emplace_back(POSE_SPM_MODULE_INSTALL_PATH);
  return out;
}

namespace {
using DlopenFn = void* (*)(const char*, int);

// The C library's own dlopen. Under AddressSanitizer the global `dlopen` is the
// sanitizer's interceptor, which refuses RTLD_DEEPBIND outright: a deep-bound
// library would normally find the C library's malloc before the sanitizer's.
// The sanitized build links libasan.so as the module's first dependency, so its
// deep-bound malloc/new ARE the sanitizer's and the refusal does not apply; the
// C library's dlopen is looked up inside libc.so.6 itself, past the interceptor.
DlopenFn module_dlopen() {
#ifdef POSE_SANITIZED_BUILD
  if (void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD))
    if (void* own = dlsym(libc, "dlopen")) return reinterpret_cast<DlopenFn>(own);
#endif
  return &dlopen;
}

const pose::spm::Api* load_module(std::string* problems) {
  for (const auto& candidate : spm_module_candidates()) {
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) continue;
    // RTLD_DEEPBIND: SentencePiece resolves its own embedded protobuf first.
    // RTLD_LOCAL: nothing loaded later (LibTorch's protobuf users) binds to it.
    void* handle = module_dlopen()(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
      *problems += "\n  " + candidate.string() + ": " + dlerror();
      continue;
    }
    auto entry = reinterpret_cast<const pose::spm::Api* (*)()>(dlsym(handle, "pose_spm_api"));
    const pose::spm::Api* api = entry ? entry() : nullptr;
    if (!api || api->version != pose::spm::kApiVersion) {
      *problems += "\n  " + candidate.string() + ": not a matching libpose_spm.so";
      dlclose(handle);
      continue;
    }
    return api;  // kept loaded for the life of the process
  }
  return nullptr;
}
}  // namespace

const pose::spm::Api& spm_api() {
  static std::once_flag once;
  static const pose::spm::Api* api = nullptr;
  static std::string problems;
  std::call_once(once, [] { api = load_module(&problems); });
  if (!api) {
    std::string searched;
    for (const auto& c : spm_module_candidates()) searched += "\n  " + c.string();
    throw UserError("the SentencePiece module libpose_spm.so could not be loaded" +
                        (problems.empty() ? "; searched:" + searched : ":" + problems),
                    "rebuild PoSE Studio (it builds the module next to the programs), or set POSE_SPM_MODULE to its path");
  }
  return *api;
}

}  // namespace pose::text
