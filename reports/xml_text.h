#pragma once
// Text made safe for an XML 1.0 document (junit.xml): markup characters become entity
// references, and what XML 1.0 forbids outright (control characters other than tab, line
// feed and carriage return, U+FFFE/U+FFFF, bytes that are not UTF-8) is replaced, since
// no reference can carry it and one such byte makes CI systems reject the whole file.

#include <string>
#include <string_view>

namespace assay {

/// For an attribute value in double quotes: & < > " ' escaped; tab, line feed and
/// carriage return as character references so attribute normalisation keeps them.
/// A forbidden control character becomes the visible text "\x07"; invalid UTF-8 becomes
/// U+FFFD, one per bad byte.
std::string xml_attribute(std::string_view text);

/// For element content: as xml_attribute(), but tab and line feed stay as they are.
std::string xml_text(std::string_view text);

}  // namespace assay
