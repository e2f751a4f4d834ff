#include "gui_advice.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace pose::studio {

namespace {

// The Train workspace's option and the menu action, as the user sees them.
QString resumeOption() { return QCoreApplication::translate("pose::studio::TrainWorkspace", "Resume finished and interrupted runs"); }
QString startAction() { return QCoreApplication::translate("pose::studio::GuiAdvice", "Run ▸ Start"); }

}  // namespace

QString with_gui_advice(const QString& message) {
  if (!message.contains(QLatin1String("--resume"))) return message;
  // Starting over: the option unticked.
  static const QRegularExpression without(QStringLiteral("(?:run |start )?without `?--resume`?"),
                                          QRegularExpression::CaseInsensitiveOption);
  // Continuing: `pose run SPEC --resume`, `pose run --resume`, `--resume`, --resume.
  static const QRegularExpression with(QStringLiteral("`?(?:pose run (?:SPEC )?)?--resume`?"));
  QString text = message;
  text.replace(without, QCoreApplication::translate("pose::studio::GuiAdvice", "%1 with “%2” unticked (Train)")
                            .arg(startAction(), resumeOption()));
  text.replace(with, gui_resume_advice());
  return text;
}

QString gui_resume_advice() {
  return QCoreApplication::translate("pose::studio::GuiAdvice", "%1 with “%2” ticked (Train)").arg(startAction(), resumeOption());
}

}  // namespace pose::studio
