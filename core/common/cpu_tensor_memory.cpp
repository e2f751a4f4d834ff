#include "common/cpu_tensor_memory.h"

#include <atomic>
#include <cstddef>
#include <cstring>
#include <mutex>

#include <c10/core/CPUAllocator.h>
#include <torch/version.h>

namespace pose {

namespace {

// Each block carries its size in a header in front of the data, so the
// deleter needs no lookup table and the data pointer stays the context (the
// raw allocate/deallocate interface that parts of LibTorch use keeps
// working). The header is as wide as LibTorch's CPU alignment, so the data
// stays aligned as LibTorch aligns it.
constexpr std::size_t kHeader = 64;

std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};
c10::Allocator* g_inner = nullptr;
c10::DeleterFnPtr g_inner_delete = nullptr;

void raise_peak(int64_t now) {
  int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

void counted_delete(void* data) {
  if (!data) return;
  char* base = static_cast<char*>(data) - kHeader;
  int64_t size = 0;
  std::memcpy(&size, base, sizeof size);
  g_live.fetch_sub(size, std::memory_order_relaxed);
  g_inner_delete(base);
}

// LibTorch 2.3 made Allocator::allocate non-const and added copy_data.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define POSE_ALLOCATE_CONST
#else
#define POSE_ALLOCATE_CONST const
#endif

struct CountingAllocator final : public c10::Allocator {
  c10::DataPtr allocate(std::size_t n) POSE_ALLOCATE_CONST override {
    c10::DataPtr inner = g_inner->allocate(n + kHeader);
    // The inner allocator's context is its data pointer (it has a raw
    // deleter); from here on counted_delete owns the block.
    void* base = inner.release_context();
    const auto size = static_cast<int64_t>(n);
    std::memcpy(base, &size, sizeof size);
    raise_peak(g_live.fetch_add(size, std::memory_order_relaxed) + size);
    void* data = static_cast<char*>(base) + kHeader;
    return {data, data, &counted_delete, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &counted_delete; }
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }
#endif
};

std::once_flag g_once;
std::atomic<bool> g_installed{false};

}  // namespace

void CpuTensorMemory::install() {
  std::call_once(g_once, [] {
    g_inner = c10::GetDefaultCPUAllocator();
    g_inner_delete = g_inner->raw_deleter();
    if (!g_inner_delete) return;  // an allocator without a raw deleter: nothing is counted
    static CountingAllocator counting;
    c10::SetCPUAllocator(&counting, /*priority=*/100);
    g_installed = true;
  });
}

bool CpuTensorMemory::installed() { return g_installed.load(); }

int64_t CpuTensorMemory::live_bytes() { return g_live.load(std::memory_order_relaxed); }

int64_t CpuTensorMemory::peak_bytes() { return g_peak.load(std::memory_order_relaxed); }

void CpuTensorMemory::reset_peak() { g_peak.store(g_live.load(std::memory_order_relaxed), std::memory_order_relaxed); }

}  // namespace pose
