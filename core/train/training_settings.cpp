#include "train/training_settings.h"

namespace pose::train {

std::string to_string(Schedule s) {
  switch (s) {
    case Schedule::Constant: return "constant";
    case Schedule::Linear: return "linear";
    case Schedule::Cosine: return "cosine";
  }
  return "linear";
}

std::string to_string(Precision p) {
  switch (p) {
    case Precision::Auto: return "auto";
    case Precision::Fp32: return "fp32";
    case Precision::Bf16: return "bf16";
  }
  return "auto";
}

}  // namespace pose::train
