#include "probe_table.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>


namespace pose::widgets {

namespace {

using nlohmann::json;

[[noreturn]] void fail(std::size_t index, const std::string& what) {
  throw std::invalid_argument("probe results: row " + std::to_string(index) + " " + what);
}

const json& field(const json& row, const char* key, std::size_t index) {
  const auto it = row.find(key);
  if (it == row.end()) fail(index, std::string("has no \"") + key + "\"");
  return *it;
}

int64_t integer(const json& row, const char* key, std::size_t index) {
  const json& v = field(row, key, index);
  if (!v.is_number_integer()) fail(index, std::string("has a \"") + key + "\" that is not a whole number");
  return v.get<int64_t>();
}

bool boolean(const json& row, const char* key, std::size_t index) {
  const json& v = field(row, key, index);
  if (!v.is_boolean()) fail(index, std::string("has a \"") + key + "\" that is not true or false");
  return v.get<bool>();
}

QString text(const json& row, const char* key, std::size_t index) {
  const json& v = field(row, key, index);
  if (!v.is_string()) fail(index, std::string("has a \"") + key + "\" that is not text");
  return QString::fromStdString(v.get<std::string>());
}

// Generated text on one line: line breaks shown as ⏎ so a row stays one row.
QString one_line(QString s) {
  s.replace(QLatin1Char('\n'), QChar(0x23CE));
  return s;
}

}  // namespace

QVector<ProbeRow> probe_rows_from_json(const json& results) {
  if (!results.is_array()) throw std::invalid_argument("probe results: not a list of lengths");
  QVector<ProbeRow> rows;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const json& r = results[i];
    if (!r.is_object()) fail(i, "is not an object");
    ProbeRow row;
    row.length = integer(r, "length", i);
    if (r.contains("skipped")) {
      row.skipped = text(r, "skipped", i);
    } else {
      row.promptTokens = integer(r, "prompt_tokens", i);
      row.documentTokens = integer(r, "document_tokens", i);
      row.documentComplete = boolean(r, "document_complete", i);
      row.generated = text(r, "generated", i);
      row.passed = boolean(r, "passed", i);
      row.answerExact = boolean(r, "answer_exact", i);
      const json& nll = field(r, "answer_nll", i);
      if (!nll.is_number() && !nll.is_null()) fail(i, "has an \"answer_nll\" that is not a number");
      row.answerNll = nll.is_number() ? nll.get<double>() : std::numeric_limits<double>::quiet_NaN();
    }
    rows.push_back(row);
  }
  return rows;
}

ProbeTable::ProbeTable(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  caption_ = new QLabel(this);
  caption_->setObjectName(QStringLiteral("probeCaption"));
  caption_->setWordWrap(true);
  caption_->setTextFormat(Qt::PlainText);
  layout->addWidget(caption_);
  table_ = new QTableWidget(0, ColumnCount, this);
  table_->setObjectName(QStringLiteral("probeTable"));
  table_->setHorizontalHeaderLabels({tr("Length"), tr("Result"), tr("Answer NLL"), tr("Exact"),
                                     tr("Document tokens"), tr("Generated")});
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  layout->addWidget(table_, 1);
  clear();
}

void ProbeTable::clear(const QString& message) {
  table_->setRowCount(0);
  caption_->setText(message.isEmpty() ? tr("No probe evaluation of this run: tick \"probe\" above, "
                                           "give a document, a question and the expected answer, "
                                           "and evaluate.")
                                      : message);
}

void ProbeTable::setProbe(const QString& title, const QString& question, const QString& answer,
                          const QVector<ProbeRow>& rows) {
  int passed = 0, evaluated = 0;
  table_->setRowCount(static_cast<int>(rows.size()));
  const QColor pass = QColor(0x1b, 0x9e, 0x4b), fail = QColor(0xc6, 0x28, 0x28);
  for (int i = 0; i < rows.size(); ++i) {
    const ProbeRow& r = rows[i];
    auto set = [&](int column, const QString& s, const QString& tip = {}) {
      auto* item = new QTableWidgetItem(s);
      if (!tip.isEmpty()) item->setToolTip(tip);
      if (column != Generated) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(i, column, item);
      return item;
    };
    set(Length, QString::number(r.length));
    if (!r.skipped.isEmpty()) {
      set(Verdict, tr("skipped"), r.skipped);
      for (int c : {AnswerNll, Exact, Document}) set(c, QStringLiteral("—"));
      set(Generated, r.skipped);
      continue;
    }
    ++evaluated;
    if (r.passed) ++passed;
    set(Verdict, r.passed ? tr("pass") : tr("fail"))->setForeground(r.passed ? pass : fail);
    set(AnswerNll, std::isnan(r.answerNll) ? QStringLiteral("—") : QString::number(r.answerNll, 'f', 3));
    set(Exact, r.answerExact ? tr("yes") : tr("no"));
    set(Document, r.documentComplete ? tr("%1 (all)").arg(r.documentTokens) : QString::number(r.documentTokens),
        tr("%1 prompt tokens").arg(r.promptTokens));
    set(Generated, one_line(r.generated), r.generated);
  }
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setStretchLastSection(true);
  caption_->setText(tr("%1 — question: %2 — expected answer: %3 — passed at %4 of %5 lengths")
                        .arg(title, question, answer)
                        .arg(passed)
                        .arg(evaluated));
}

QString ProbeTable::caption() const { return caption_->text(); }

int ProbeTable::rowCount() const { return table_->rowCount(); }

QString ProbeTable::cellText(int row, int column) const {
  const auto* item = table_->item(row, column);
  return item ? item->text() : QString();
}

}  // namespace pose::widgets
