#include "i18n.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace pose::studio {

QStringList availableLanguages() { return {QStringLiteral("en"), QStringLiteral("zh_CN")}; }

QString resolveLanguage(const QString& setting) {
  if (!setting.isEmpty() && setting != QLatin1String("system")) {
    return availableLanguages().contains(setting) ? setting : QStringLiteral("en");
  }
  for (QString ui : QLocale::system().uiLanguages()) {
    ui.replace('-', '_');
    if (ui.startsWith(QLatin1String("zh"))) return QStringLiteral("zh_CN");
    if (ui.startsWith(QLatin1String("en"))) return QStringLiteral("en");
  }
  return QStringLiteral("en");
}

QString installTranslators(QCoreApplication& app, const QString& setting) {
  const QString language = resolveLanguage(setting);
  auto* own = new QTranslator(&app);
  if (own->load(QStringLiteral(":/i18n/pose_studio_%1.qm").arg(language))) {
    QCoreApplication::installTranslator(own);
  }
  // Qt's own strings (standard buttons, dialogs) from the system's Qt translations.
  auto* qt = new QTranslator(&app);
  if (qt->load(QLocale(language), QStringLiteral("qtbase"), QStringLiteral("_"),
               QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QCoreApplication::installTranslator(qt);
  }
  return language;
}

}  // namespace pose::studio
