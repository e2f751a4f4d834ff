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

option(POSE_WITH_SENTENCEPIECE "Build the SentencePiece module libpose_spm.so (tokenizer training and encoding)" ON)
option(POSE_SPDLOG_HEADER_ONLY "Use spdlog and fmt header-only (no run-time libspdlog/libfmt)" OFF)

find_package(Torch REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(SQLite3 REQUIRED)

# PyTorch's pip wheels before 2.7 carry a LibTorch built with the pre-C++11
# std::string ABI, and TORCH_CXX_FLAGS puts -D_GLIBCXX_USE_CXX11_ABI=0 on all
# that links it. A distribution's compiled C++ libraries use the new ABI: spdlog
# and fmt are then taken header-only, and the SentencePiece module cannot be built
# (spm_api.h hands std::string between engine and module, and libsentencepiece's
# own interface is new-ABI).
set(POSE_TORCH_OLD_ABI OFF)
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  set(POSE_TORCH_OLD_ABI ON)
endif()

set(_pose_spdlog spdlog::spdlog)
if(POSE_SPDLOG_HEADER_ONLY OR POSE_TORCH_OLD_ABI)
  # spdlog's header-only target still links the compiled fmt: swap in fmt's header-only one.
  get_target_property(_pose_spdlog_links spdlog::spdlog_header_only INTERFACE_LINK_LIBRARIES)
  if(_pose_spdlog_links AND TARGET fmt::fmt-header-only)
    list(TRANSFORM _pose_spdlog_links REPLACE "^fmt::fmt$" "fmt::fmt-header-only")
    set_target_properties(spdlog::spdlog_header_only PROPERTIES INTERFACE_LINK_LIBRARIES "${_pose_spdlog_links}")
  endif()
  set(_pose_spdlog spdlog::spdlog_header_only)
  message(STATUS "spdlog and fmt: header-only")
endif()

if(POSE_WITH_SENTENCEPIECE)
  if(POSE_TORCH_OLD_ABI)
    message(FATAL_ERROR
      "POSE_WITH_SENTENCEPIECE: this LibTorch (${TORCH_INSTALL_PREFIX}) is built with the pre-C++11 "
      "std::string ABI (TORCH_CXX_FLAGS: ${TORCH_CXX_FLAGS}), which the SentencePiece module cannot share "
      "with libsentencepiece. Configure with -DPOSE_WITH_SENTENCEPIECE=OFF (the engine then reports the "
      "tokenizer as unavailable), or use a LibTorch built with the C++11 ABI.")
  endif()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
else()
  message(STATUS "SentencePiece module: not built (POSE_WITH_SENTENCEPIECE=OFF)")
endif()

# The torch include directories are marked SYSTEM so its headers do not drown our
# own warnings.
add_library(pose_torch INTERFACE)
target_link_libraries(pose_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(pose_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
separate_arguments(_pose_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(pose_torch INTERFACE ${_pose_torch_flags})

add_library(pose_engine_deps INTERFACE)
add_library(pose::engine_deps ALIAS pose_engine_deps)
# spdlog ahead of LibTorch: PyTorch's wheels ship fmt headers of their own, and
# the fmt that spdlog was made for must be the one found.
target_link_libraries(pose_engine_deps INTERFACE
  ${_pose_spdlog}
  pose_torch
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
