// The long-document probe's results (`pose eval --suite probe`): one row per
// context length with the verdict (pass when the greedy answer contains the
// expected one, fail, or skipped with the reason), the answer's teacher-forced
// NLL per token (a graded signal when generation fails), whether its argmax
// matched every answer token, how much of the document fitted in the window,
// and what the model generated. A line above says which question and answer.
//
// Takes plain data; probe_rows_from_json() reads what core/eval/probe.cpp
// stores (to_json of the points).
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>

#include <cstdint>

#include <nlohmann/json.hpp>

class QLabel;
class QTableWidget;

namespace pose::widgets {

struct ProbeRow {
  int64_t length = 0;
  QString skipped;  // why the length was not evaluated; empty when it was
  int64_t promptTokens = 0, documentTokens = 0;
  bool documentComplete = false;
  bool passed = false, answerExact = false;
  double answerNll = 0.0;
  QString generated;
};

// Reads [{"length", "skipped"} | {"length", "prompt_tokens", "document_tokens",
// "document_complete", "generated", "passed", "answer_exact", "answer_nll"}, ...].
// Throws std::invalid_argument naming the row when a field is missing or of
// the wrong type.
QVector<ProbeRow> probe_rows_from_json(const nlohmann::json& results);

class ProbeTable : public QWidget {
  Q_OBJECT
 public:
  explicit ProbeTable(QWidget* parent = nullptr);

  // `question` and `answer` as the evaluation's settings recorded them.
  void setProbe(const QString& title, const QString& question, const QString& answer,
                const QVector<ProbeRow>& rows);
  void clear(const QString& message = {});

  // What is shown, for tests: the caption and each cell's text.
  QString caption() const;
  int rowCount() const;
  QString cellText(int row, int column) const;
  QTableWidget* table() const { return table_; }

  enum Column { Length, Verdict, AnswerNll, Exact, Document, Generated, ColumnCount };

 private:
  QLabel* caption_;
  QTableWidget* table_;
};

}  // namespace pose::widgets
