<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>pose::studio::AboutDialog</name>
    <message>
        <source>About PoSE Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qt %1 (run time), built with %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h2&gt;PoSE Studio %1&lt;/h2&gt;&lt;p&gt;A workbench for extending the context window of RoPE language models:&lt;br&gt;position interpolation, NTK, YaRN, Llama-3 scaling and PoSE skip-wise training.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::MainWindow</name>
    <message>
        <source>PoSE Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device: CUDA (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device: CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LibTorch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;No experiment loaded&lt;/h3&gt;&lt;p&gt;Open an experiment spec with &lt;b&gt;File ▸ Open Experiment…&lt;/b&gt; (Ctrl+O) or drop a .json file here.&lt;/p&gt;&lt;p&gt;The default experiment is &lt;tt&gt;experiments/micro-pose.json&lt;/tt&gt;: a small LLaMA trained on the King James Bible and extended eightfold with PoSE and its baselines.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open Experiment…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Log Panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System Default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Full Screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About PoSE Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Untitled experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — PoSE Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment specs (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language changes the next time PoSE Studio starts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::JsonTreeView</name>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n field(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::LogPanel</name>
    <message>
        <source>Show from level:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Critical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
