#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace pose::studio {

Theme theme_from_name(const QString& name) {
  if (name == QLatin1String("light")) return Theme::Light;
  if (name == QLatin1String("dark")) return Theme::Dark;
  return Theme::System;
}

QString theme_name(Theme theme) {
  switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
  }
  return QStringLiteral("system");
}

QPalette dark_palette() {
  const QColor window(0x2d, 0x2d, 0x30), base(0x1e, 0x1e, 0x1e), alternate(0x26, 0x26, 0x28);
  const QColor text(0xe6, 0xe6, 0xe6), disabled(0x80, 0x80, 0x80), highlight(0x2f, 0x7f, 0xd8);
  QPalette p;
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, alternate);
  p.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3c, 0x3f));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, disabled);
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
  p.setColor(QPalette::Light, QColor(0x4a, 0x4a, 0x4e));
  p.setColor(QPalette::Midlight, QColor(0x3c, 0x3c, 0x40));
  p.setColor(QPalette::Mid, QColor(0x55, 0x55, 0x5a));
  p.setColor(QPalette::Dark, QColor(0x18, 0x18, 0x18));
  p.setColor(QPalette::Shadow, Qt::black);
  p.setColor(QPalette::Highlight, highlight);
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
  p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x92, 0xf0));
  for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
    p.setColor(QPalette::Disabled, role, disabled);
  }
  p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x55));
  return p;
}

void apply_theme(QApplication& app, Theme theme) {
  static const QString platformStyle = app.style()->name();
  static const QPalette platformPalette = QApplication::palette();
  if (theme == Theme::System) {
    QApplication::setStyle(QStyleFactory::create(platformStyle));
    QApplication::setPalette(platformPalette);
    return;
  }
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QApplication::setPalette(theme == Theme::Dark ? dark_palette() : QApplication::style()->standardPalette());
}

}  // namespace pose::studio
