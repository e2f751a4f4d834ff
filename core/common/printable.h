// Text from a file (a tensor name, a model_type, a JSON parser's "last read")
// quoted in an error message. Control characters become \u00XX and bytes that
// are not UTF-8 become \xNN: a NUL would cut the message short where it is
// printed as a C string (UserError::what()), escape sequences would drive the
// terminal it is printed on, and invalid UTF-8 makes nlohmann::json throw when
// the message is stored. Everything else is kept as it is.
#pragma once

#include <string>
#include <string_view>

namespace pose {

std::string printable(std::string_view text);

}  // namespace pose
