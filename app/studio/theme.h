// The workbench's appearance: the platform's own (System), or Qt's Fusion style
// with a light or a dark palette. Plots follow whatever palette is in force
// (widgets/themed_plot.h). Kept in QSettings "ui/theme"; applied at start-up
// and at once when chosen from View ▸ Appearance.
#pragma once

#include <QPalette>
#include <QString>

class QApplication;

namespace pose::studio {

enum class Theme { System, Light, Dark };

inline constexpr const char* kThemeKey = "ui/theme";

// "system", "light", "dark"; anything else reads as System.
Theme theme_from_name(const QString& name);
QString theme_name(Theme theme);

// A dark palette with enough contrast for text, selections, links and
// disabled controls.
QPalette dark_palette();

// Applies `theme` to the application. The first call remembers the platform's
// style and palette, so that System restores them.
void apply_theme(QApplication& app, Theme theme);

}  // namespace pose::studio
