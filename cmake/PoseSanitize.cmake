# POSE_SANITIZE: build everything (engine, module, CLI, workbench, tests) with the
# given sanitizers, e.g. "address,undefined" (the `asan` preset). GCC links the
# shared runtime (libasan.so), which matters for the SentencePiece module: it is
# loaded with RTLD_DEEPBIND (see PoseDependencies.cmake), and libasan.so as its
# first dependency keeps its malloc/new the same as everyone else's (see
# core/text/spm_loader.cpp). Any UB aborts the test that hit it rather than
# printing and carrying on, so a clean ctest run means none was hit. The preset
# builds Debug at -O1: assertions on, and much quicker to compile than -O2.
set(POSE_SANITIZE "" CACHE STRING "Sanitizers for the whole build (-fsanitize=...), e.g. address,undefined")
if(POSE_SANITIZE)
  if(POSE_BUILD_FUZZ)
    message(FATAL_ERROR "POSE_SANITIZE and POSE_BUILD_FUZZ both set: the fuzz build sets its own sanitizers")
  endif()
  add_compile_options(-fsanitize=${POSE_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  # GCC's flow analysis misreads sanitizer-instrumented code (std::regex's
  # std::function members, for one) as maybe-uninitialized: a known false positive.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  add_link_options(-fsanitize=${POSE_SANITIZE})
  add_compile_definitions(POSE_SANITIZED_BUILD=1)
  message(STATUS "sanitized build: -fsanitize=${POSE_SANITIZE}")
endif()
