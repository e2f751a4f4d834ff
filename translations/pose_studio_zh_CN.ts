<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>pose::studio::AboutDialog</name>
    <message>
        <source>About PoSE Studio</source>
        <translation>关于 PoSE Studio</translation>
    </message>
    <message>
        <source>Qt %1 (run time), built with %2</source>
        <translation>Qt %1（运行时），构建时使用 %2</translation>
    </message>
    <message>
        <source>&lt;h2&gt;PoSE Studio %1&lt;/h2&gt;&lt;p&gt;A workbench for extending the context window of RoPE language models:&lt;br&gt;position interpolation, NTK, YaRN, Llama-3 scaling and PoSE skip-wise training.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;PoSE Studio %1&lt;/h2&gt;&lt;p&gt;用于扩展 RoPE 语言模型上下文窗口的工作台：&lt;br&gt;位置插值、NTK、YaRN、Llama-3 缩放以及 PoSE 跳跃式位置训练。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>pose::studio::MainWindow</name>
    <message>
        <source>PoSE Studio</source>
        <translation>PoSE Studio</translation>
    </message>
    <message>
        <source>Device: CUDA (%1)</source>
        <translation>设备：CUDA（%1）</translation>
    </message>
    <message>
        <source>Device: CPU</source>
        <translation>设备：CPU</translation>
    </message>
    <message>
        <source>LibTorch %1</source>
        <translation>LibTorch %1</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>&lt;h3&gt;No experiment loaded&lt;/h3&gt;&lt;p&gt;Open an experiment spec with &lt;b&gt;File ▸ Open Experiment…&lt;/b&gt; (Ctrl+O) or drop a .json file here.&lt;/p&gt;&lt;p&gt;The default experiment is &lt;tt&gt;experiments/micro-pose.json&lt;/tt&gt;: a small LLaMA trained on the King James Bible and extended eightfold with PoSE and its baselines.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;尚未加载实验&lt;/h3&gt;&lt;p&gt;通过 &lt;b&gt;文件 ▸ 打开实验…&lt;/b&gt;（Ctrl+O）打开实验配置，或将 .json 文件拖放到此处。&lt;/p&gt;&lt;p&gt;默认实验为 &lt;tt&gt;experiments/micro-pose.json&lt;/tt&gt;：在钦定版圣经上训练的小型 LLaMA，并用 PoSE 及其基线方法将上下文扩展八倍。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Experiment…</source>
        <translation>打开实验(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Log Panel</source>
        <translation>日志面板(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Full Screen</source>
        <translation>全屏(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About PoSE Studio</source>
        <translation>关于 PoSE Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>已加载 %1</translation>
    </message>
    <message>
        <source>Untitled experiment</source>
        <translation>未命名实验</translation>
    </message>
    <message>
        <source>%1 — PoSE Studio</source>
        <translation>%1 — PoSE Studio</translation>
    </message>
    <message>
        <source>Open Experiment</source>
        <translation>打开实验</translation>
    </message>
    <message>
        <source>Experiment specs (*.json);;All files (*)</source>
        <translation>实验配置 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot open experiment</source>
        <translation>无法打开实验</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes the next time PoSE Studio starts.</source>
        <translation>语言将在下次启动 PoSE Studio 时生效。</translation>
    </message>
</context>
<context>
    <name>pose::widgets::CoveragePlot</name>
    <message>
        <source>%1, 1 chunk</source>
        <translation>%1，1 个分块</translation>
    </message>
    <message>
        <source>%1, %2 chunks</source>
        <translation>%1，%2 个分块</translation>
    </message>
    <message>
        <source>Relative-position coverage</source>
        <translation>相对位置覆盖率</translation>
    </message>
    <message>
        <source>relative distance d between query and key (tokens)</source>
        <translation>查询与键之间的相对距离 d（词元）</translation>
    </message>
    <message>
        <source>probability that distance d is trained</source>
        <translation>距离 d 被训练到的概率</translation>
    </message>
    <message>
        <source>%1 (Monte-Carlo, %2 samples)</source>
        <translation>%1（蒙特卡罗，%2 个样本）</translation>
    </message>
    <message>
        <source>%1: 95% band</source>
        <translation>%1：95% 置信带</translation>
    </message>
    <message>
        <source>%1: one sample</source>
        <translation>%1：单个样本</translation>
    </message>
    <message>
        <source>%1: at least once in %2 samples</source>
        <translation>%1：%2 个样本中至少出现一次</translation>
    </message>
    <message>
        <source>plateau (Lc-1)/(Lt-Lc+1) = %1</source>
        <translation>平台值 (Lc-1)/(Lt-Lc+1) = %1</translation>
    </message>
    <message>
        <source>Lt = %1</source>
        <translation>Lt = %1</translation>
    </message>
    <message>
        <source>Lc = %1</source>
        <translation>Lc = %1</translation>
    </message>
</context>
<context>
    <name>pose::widgets::JsonTreeView</name>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation><numerusform>%n 项</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n field(s)</source>
        <translation><numerusform>%n 个字段</numerusform></translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>pose::widgets::LogPanel</name>
    <message>
        <source>Show from level:</source>
        <translation>显示级别不低于：</translation>
    </message>
    <message>
        <source>Trace</source>
        <translation>跟踪</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
</context>
<context>
    <name>pose::widgets::RopeSpectrumView</name>
    <message>
        <source>%1: factor %2, rotary dim %3, base %4, original window %5 → target %6, attention factor %7</source>
        <translation>%1：缩放因子 %2，旋转维度 %3，基数 %4，原始窗口 %5 → 目标 %6，注意力因子 %7</translation>
    </message>
    <message>
        <source>(a) Wavelength of each rotary frequency</source>
        <translation>(a) 各旋转频率的波长</translation>
    </message>
    <message>
        <source>frequency index i (0 = fastest rotation)</source>
        <translation>频率索引 i（0 = 旋转最快）</translation>
    </message>
    <message>
        <source>wavelength 2π/θᵢ (positions per turn, log scale)</source>
        <translation>波长 2π/θᵢ（每转位置数，对数刻度）</translation>
    </message>
    <message>
        <source>wavelength ratio (overlay / method)</source>
        <translation>波长比（叠加 / 方法）</translation>
    </message>
    <message>
        <source>(b) Rotary response: mean of cos(s·θᵢ) over the frequencies</source>
        <translation>(b) 旋转响应：各频率上 cos(s·θᵢ) 的平均值</translation>
    </message>
    <message>
        <source>relative distance s (positions)</source>
        <translation>相对距离 s（位置）</translation>
    </message>
    <message>
        <source>response (1 at s = 0)</source>
        <translation>响应（s = 0 时为 1）</translation>
    </message>
    <message>
        <source>%1 (plain RoPE)</source>
        <translation>%1（原始 RoPE）</translation>
    </message>
    <message>
        <source>ratio %1 / %2 (right axis)</source>
        <translation>比值 %1 / %2（右轴）</translation>
    </message>
    <message>
        <source>original window L₀ = %1</source>
        <translation>原始窗口 L₀ = %1</translation>
    </message>
    <message>
        <source>target window Lₜ = %1</source>
        <translation>目标窗口 Lₜ = %1</translation>
    </message>
    <message>
        <source>YaRN ramp
i = %1 … %2
← unchanged | ÷ factor →</source>
        <translation>YaRN 过渡区
i = %1 … %2
← 不变 | ÷ 缩放因子 →</translation>
    </message>
    <message>
        <source> L₀</source>
        <translation> L₀</translation>
    </message>
    <message>
        <source> Lₜ</source>
        <translation> Lₜ</translation>
    </message>
</context>
<context>
    <name>pose::widgets::SampleLayoutView</name>
    <message>
        <source>Drawn samples: chunks in position space and the text they read</source>
        <translation>抽取的样本：各分块在位置空间中的分布及其读取的文本</translation>
    </message>
    <message>
        <source>Upper bar: the position ids of each chunk on [0, Lt). Thin bar beneath: the document tokens that chunk reads. Same colour = same chunk.</source>
        <translation>上方条：每个分块在 [0, Lt) 上的位置编号。下方细条：该分块读取的文档词元。同色表示同一分块。</translation>
    </message>
    <message>
        <source>position id (upper bars) · token index in the document (lower, thin bars)</source>
        <translation>位置编号（上方条）· 文档中的词元索引（下方细条）</translation>
    </message>
    <message>
        <source>sample %1 positions</source>
        <translation>样本 %1 位置</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>not sampled: %1</source>
        <translation>未抽样：%1</translation>
    </message>
    <message>
        <source>Lt = %1</source>
        <translation>Lt = %1</translation>
    </message>
    <message>
        <source>Lc = %1</source>
        <translation>Lc = %1</translation>
    </message>
</context>
</TS>