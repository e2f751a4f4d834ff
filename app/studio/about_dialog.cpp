#include "about_dialog.h"

#include "common/version.h"

#include <QDialogButtonBox>
#include <QIcon>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace pose::studio {

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("About PoSE Studio"));
  report_ = QString::fromStdString(pose::version_report()) +
            tr("Qt %1 (run time), built with %2").arg(qVersion(), QT_VERSION_STR) + "\n";

  auto* layout = new QVBoxLayout(this);
  auto* header = new QLabel(this);
  header->setTextFormat(Qt::RichText);
  header->setText(tr("<h2>PoSE Studio %1</h2>"
                     "<p>A workbench for extending the context window of RoPE language models:<br>"
                     "position interpolation, NTK, YaRN, Llama-3 scaling and PoSE skip-wise training.</p>")
                      .arg(QString::fromStdString(pose::product_version())));
  layout->addWidget(header);
  auto* details = new QPlainTextEdit(report_, this);
  details->setObjectName(QStringLiteral("versionReport"));
  details->setReadOnly(true);
  details->setMinimumHeight(120);
  layout->addWidget(details);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  resize(520, 320);
}

}  // namespace pose::studio
