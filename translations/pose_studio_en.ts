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
    <name>pose::widgets::CoveragePlot</name>
    <message>
        <source>%1, 1 chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2 chunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative-position coverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>relative distance d between query and key (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>probability that distance d is trained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (Monte-Carlo, %2 samples)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: 95% band</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: one sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: at least once in %2 samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plateau (Lc-1)/(Lt-Lc+1) = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lt = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lc = %1</source>
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
<context>
    <name>pose::widgets::RopeSpectrumView</name>
    <message>
        <source>%1: factor %2, rotary dim %3, base %4, original window %5 → target %6, attention factor %7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(a) Wavelength of each rotary frequency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frequency index i (0 = fastest rotation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wavelength 2π/θᵢ (positions per turn, log scale)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wavelength ratio (overlay / method)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(b) Rotary response: mean of cos(s·θᵢ) over the frequencies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>relative distance s (positions)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>response (1 at s = 0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (plain RoPE)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ratio %1 / %2 (right axis)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>original window L₀ = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target window Lₜ = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YaRN ramp
i = %1 … %2
← unchanged | ÷ factor →</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> L₀</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Lₜ</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::SampleLayoutView</name>
    <message>
        <source>Drawn samples: chunks in position space and the text they read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upper bar: the position ids of each chunk on [0, Lt). Thin bar beneath: the document tokens that chunk reads. Same colour = same chunk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>position id (upper bars) · token index in the document (lower, thin bars)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sample %1 positions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not sampled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lt = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lc = %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
