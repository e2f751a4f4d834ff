# Every third-party dependency is found here, once, and exposed as a target.
#
# LibTorch and libsentencepiece each carry some of protobuf's symbols. A process
# linking both crashes at start-up (during static initialisation of the protobuf
# descriptors) unless libprotobuf itself is a direct dependency that comes first in
# the executable's DT_NEEDED list, so that its copy wins symbol resolution.
# CMake orders libraries by their dependency graph (libtorch before the protobuf it
# depends on) and --as-needed drops a library nobody calls directly, so
# pose::engine_deps passes libprotobuf as a link *option*: it lands ahead of every
# object and library on the command line, with --no-as-needed. Every target that
# links the engine inherits it.

find_package(Torch REQUIRED)
find_package(Protobuf REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)

# The torch include directories are marked SYSTEM so its headers do not drown our
# own warnings.
add_library(pose_torch INTERFACE)
target_link_libraries(pose_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(pose_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
separate_arguments(_pose_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(pose_torch INTERFACE ${_pose_torch_flags})

add_library(pose_engine_deps INTERFACE)
add_library(pose::engine_deps ALIAS pose_engine_deps)
target_link_options(pose_engine_deps INTERFACE
  "LINKER:--no-as-needed" "${Protobuf_LIBRARY}" "LINKER:--as-needed")
target_link_libraries(pose_engine_deps INTERFACE
  protobuf::libprotobuf
  pose_torch
  PkgConfig::SENTENCEPIECE
  spdlog::spdlog
  nlohmann_json::nlohmann_json
  SQLite::SQLite3)

if(POSE_BUILD_GUI)
  find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets PrintSupport Test LinguistTools)
  find_package(QCustomPlotQt6 REQUIRED)
  qt_standard_project_setup()
elseif(POSE_BUILD_TESTS)
  find_package(Qt6 REQUIRED COMPONENTS Core Test)
  qt_standard_project_setup()
endif()
