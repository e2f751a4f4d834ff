# pose_enable_warnings(target): the project's warning set for its own code.
# Third-party headers come in as SYSTEM includes, so only our code is judged.
function(pose_enable_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
      -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual)
    if(POSE_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
