#include "run_colors.h"

#include <array>

namespace pose::widgets {

QColor run_color(int index) {
  // Tableau 10 (2016 revision).
  static constexpr std::array<QRgb, 10> kPalette = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                                    0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
  const int n = static_cast<int>(kPalette.size());
  return QColor(kPalette[static_cast<std::size_t>(((index % n) + n) % n)]);
}

}  // namespace pose::widgets
