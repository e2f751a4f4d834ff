# POSE_BUILD_FUZZ: the whole build tree is compiled with libFuzzer's coverage
# instrumentation, AddressSanitizer and UndefinedBehaviorSanitizer (the targets
# in tests/fuzz add libFuzzer itself when they link). Tree-wide rather than on
# pose_core alone because pose_cli reuses pose_core's precompiled header, and
# clang refuses a PCH built with other sanitizer flags. UB aborts instead of
# printing and carrying on, so that libFuzzer records it as a crash.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "POSE_BUILD_FUZZ needs clang (libFuzzer): configure with `cmake --preset fuzz` "
                      "or -DCMAKE_CXX_COMPILER=clang++")
endif()
set(POSE_FUZZ_SANITIZERS "address,undefined" CACHE STRING "Sanitizers of the fuzz build (-fsanitize=...)")
add_compile_options(-fsanitize=fuzzer-no-link,${POSE_FUZZ_SANITIZERS} -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=${POSE_FUZZ_SANITIZERS})
message(STATUS "fuzz build: -fsanitize=fuzzer-no-link,${POSE_FUZZ_SANITIZERS}")
