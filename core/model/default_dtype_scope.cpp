#include "model/default_dtype_scope.h"

#include "common/error.h"

#include <string>

namespace pose::model {

DefaultDtypeScope::DefaultDtypeScope(torch::ScalarType dtype) {
  if (!c10::isFloatingType(dtype)) {
    throw UserError(std::string("a model cannot be built in ") + c10::toString(dtype),
                    "use float32, bfloat16 or float16");
  }
  caffe2::TypeMeta current = c10::get_default_dtype();  // toScalarType() is not const in 1.13
  if (current.toScalarType() == dtype) return;
  previous_ = current;
  c10::set_default_dtype(c10::scalarTypeToTypeMeta(dtype));
}

DefaultDtypeScope::~DefaultDtypeScope() {
  if (previous_) c10::set_default_dtype(*previous_);
}

}  // namespace pose::model
