// Translations: the embedded catalogues load, the Chinese one is complete, and
// language selection falls back sensibly.
#include <QtTest>

#include <QTranslator>
#include <QXmlStreamReader>

#include "i18n.h"

class TestTranslations : public QObject {
  Q_OBJECT
 private slots:
  void chineseCatalogueTranslatesTheMenus() {
    QTranslator t;
    QVERIFY(t.load(":/i18n/pose_studio_zh_CN.qm"));
    QCOMPARE(t.translate("pose::studio::MainWindow", "&File"), QString("文件(&F)"));
    QCOMPARE(t.translate("pose::studio::MainWindow", "&Help"), QString("帮助(&H)"));
  }

  void chineseSourceHasNoUnfinishedEntries() {
    QFile ts(POSE_SOURCE_DIR "/translations/pose_studio_zh_CN.ts");
    QVERIFY(ts.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&ts);
    int messages = 0;
    QStringList unfinished;
    QString source;
    while (!xml.atEnd()) {
      xml.readNext();
      if (!xml.isStartElement()) continue;
      if (xml.name() == QLatin1String("source")) source = xml.readElementText();
      if (xml.name() == QLatin1String("translation")) {
        ++messages;
        const bool isUnfinished = xml.attributes().value("type") == QLatin1String("unfinished");
        const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
        if (isUnfinished || text.isEmpty()) unfinished << source;
      }
    }
    QVERIFY(messages > 20);
    QVERIFY2(unfinished.isEmpty(), qPrintable("untranslated: " + unfinished.join(" | ")));
  }

  void languageResolution() {
    QCOMPARE(pose::studio::resolveLanguage("zh_CN"), QString("zh_CN"));
    QCOMPARE(pose::studio::resolveLanguage("en"), QString("en"));
    QCOMPARE(pose::studio::resolveLanguage("klingon"), QString("en"));
    QVERIFY(pose::studio::availableLanguages().contains(pose::studio::resolveLanguage("system")));
  }
};

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"
