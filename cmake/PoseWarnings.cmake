# pose_enable_warnings(target): the project's warning set for its own code.
# Third-party headers come in as SYSTEM includes, so only our code is judged.
function(pose_enable_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # GCC can warn about locals shadowing locals only; clang has no such variant
    # (its -Wshadow also flags fields and globals) and rejects -Wshadow=local.
    # Clang's -Wpedantic also flags Qt Test's QTEST_*_MAIN macros (a variadic
    # macro given no variadic argument), in every test.
    set(compiler_specific "")
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      set(compiler_specific -Wshadow=local)
      # GCC 14 (Debian 13) reports -Warray-bounds and -Wmaybe-uninitialized
      # inside libstdc++'s own containers (std::vector<bool>, std::map, tuple)
      # once they are inlined into our code at -O2/-O3: shown, not fatal.
      if(CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 14)
        list(APPEND compiler_specific -Wno-error=array-bounds -Wno-error=maybe-uninitialized)
      endif()
    else()
      set(compiler_specific -Wno-gnu-zero-variadic-macro-arguments)
    endif()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic ${compiler_specific}
      -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual)
    if(POSE_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
