// Language selection: the user's setting ("system", "en", "zh_CN"), else the
// system locale. Translations are embedded under :/i18n.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace pose::studio {

QStringList availableLanguages();  // "en", "zh_CN"
// Resolves "system" (or an empty setting) against the locale's UI languages.
QString resolveLanguage(const QString& setting);
// Installs the product's and Qt's own translators; returns the language in use.
QString installTranslators(QCoreApplication& app, const QString& setting);

}  // namespace pose::studio
