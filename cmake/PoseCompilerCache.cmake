# Use ccache when it is installed: rebuilds of torch-heavy translation units drop
# from ~12 s to well under a second when nothing they include changed.
#
# ccache's settings reach it through "cmake -E env" on every compilation, not
# through CMake's own environment, which the compilations ninja starts later
# never see:
# - sloppiness: without pch_defines and time_macros ccache refuses every unit
#   that includes the precompiled header ("could not use precompiled header"),
#   i.e. nearly all of them.
# - base_dir: paths under the source tree are hashed relative to it, so a second
#   clone of the project (another folder, a CI checkout, a copy in a Debian 13
#   root) hits the same cache entries.
find_program(POSE_CCACHE ccache)
if(POSE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      "${CMAKE_COMMAND}" -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}"
      "${POSE_CCACHE}")
  message(STATUS "ccache: ${POSE_CCACHE} (base_dir ${CMAKE_SOURCE_DIR})")
endif()
