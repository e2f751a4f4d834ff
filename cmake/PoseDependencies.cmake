# Every third-party dependency is found here, once, and exposed as a target.
#
# SentencePiece is deliberately NOT part of pose::engine_deps. Debian's
# libsentencepiece embeds its own protobuf (3.14) with every symbol exported, while
# LibTorch links the system libprotobuf (3.21). Linked into one process they share
# one flat symbol namespace: either start-up crashes in protobuf's static
# initialisation, or, when libprotobuf is forced first, protobuf's version check
# aborts as soon as a tokenizer model is parsed. SentencePiece therefore lives in
# its own module, libpose_spm.so (core/spm_module), which the engine loads with
# dlopen(RTLD_LOCAL | RTLD_DEEPBIND) so that each library binds to its own protobuf.

find_package(Torch REQUIRED)
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
target_link_libraries(pose_engine_deps INTERFACE
  pose_torch
  spdlog::spdlog
  nlohmann_json::nlohmann_json
  SQLite::SQLite3
  ${CMAKE_DL_LIBS})

if(POSE_BUILD_GUI)
  find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets PrintSupport Svg Test LinguistTools)
  find_package(QCustomPlotQt6 REQUIRED)
  qt_standard_project_setup()
elseif(POSE_BUILD_TESTS)
  find_package(Qt6 REQUIRED COMPONENTS Core Test)
  qt_standard_project_setup()
endif()
