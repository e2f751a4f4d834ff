<?xml version="1.0" encoding="utf-8"?>
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
    <name>pose::studio::CompareWorkspace</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>RoPE</source>
        <translation>RoPE</translation>
    </message>
    <message>
        <source>Factor</source>
        <translation>缩放因子</translation>
    </message>
    <message>
        <source>Chunks</source>
        <translation>分块数</translation>
    </message>
    <message>
        <source>Lt</source>
        <translation>Lt</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
    <message>
        <source>Wall s</source>
        <translation>墙钟时间 (s)</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>ppl@Lc</source>
        <translation>ppl@Lc</translation>
    </message>
    <message>
        <source>ppl@Lt</source>
        <translation>ppl@Lt</translation>
    </message>
    <message>
        <source>min ppl</source>
        <translation>最小 ppl</translation>
    </message>
    <message>
        <source>passkey@Lc</source>
        <translation>passkey@Lc</translation>
    </message>
    <message>
        <source>passkey@Lt</source>
        <translation>passkey@Lt</translation>
    </message>
    <message>
        <source>kv@Lt</source>
        <translation>kv@Lt</translation>
    </message>
    <message>
        <source>attention beyond Lc</source>
        <translation>Lc 之外的注意力</translation>
    </message>
    <message>
        <source>Paper claims</source>
        <translation>论文结论</translation>
    </message>
    <message>
        <source>Measured</source>
        <translation>实测结果</translation>
    </message>
    <message>
        <source>RULER eff. length</source>
        <translation>RULER 有效长度</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练方式</translation>
    </message>
    <message>
        <source>Ranks</source>
        <translation>进程数</translation>
    </message>
    <message>
        <source>%1 · slowest %2</source>
        <translation>%1 · 最慢 %2</translation>
    </message>
    <message>
        <source>%1 processes trained this run (data parallelism); Tokens/s counts them all. The slowest rank managed %2 tokens/s in its forward and backward on its share of each step, on average over the steps.</source>
        <translation>此运行由 %1 个进程训练（数据并行）；词元/秒为所有进程合计。最慢的进程在每一步所分到部分的前向和反向计算中，平均达到 %2 词元/秒。</translation>
    </message>
    <message>
        <source>Train length</source>
        <translation>训练长度</translation>
    </message>
    <message>
        <source>Seeds</source>
        <translation>种子数</translation>
    </message>
    <message>
        <source>Seeds %1: the numbers of this row are the mean (lowest–highest) over the %2 seeds that finished this run.</source>
        <translation>种子 %1：此行的数值为完成此运行的 %2 个种子上的均值（最低–最高）。</translation>
    </message>
    <message>
        <source>Mean over %1 seeds; lowest %2, highest %3</source>
        <translation>%1 个种子的均值；最低 %2，最高 %3</translation>
    </message>
</context>
<context>
    <name>pose::studio::DesignWorkspace</name>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save and Start</source>
        <translation>保存并开始</translation>
    </message>
    <message>
        <source>Save the spec and run it in the Train workspace</source>
        <translation>保存配置并在“训练”工作区中运行</translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>small model trained here</source>
        <translation>在此训练的小模型</translation>
    </message>
    <message>
        <source>Hugging Face directory</source>
        <translation>Hugging Face 目录</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <source>HF directory</source>
        <translation>HF 目录</translation>
    </message>
    <message>
        <source>A directory with config.json, model.safetensors and tokenizer.model</source>
        <translation>包含 config.json、model.safetensors 和 tokenizer.model 的目录</translation>
    </message>
    <message>
        <source>Original window Lc</source>
        <translation>原始窗口 Lc</translation>
    </message>
    <message>
        <source>Corpus</source>
        <translation>语料</translation>
    </message>
    <message>
        <source>Corpus file</source>
        <translation>语料文件</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Evaluate every (steps)</source>
        <translation>每隔多少步评估</translation>
    </message>
    <message>
        <source>Light evaluation while training: perplexity at Lc/2…Lt, a small passkey grid, attention beyond Lc</source>
        <translation>训练期间的轻量评估：Lc/2…Lt 处的困惑度、小型 passkey 网格、Lc 之外的注意力</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Extension run</source>
        <translation>扩展运行</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Position strategy</source>
        <translation>位置策略</translation>
    </message>
    <message>
        <source>pose: chunks with skips; randpos: random positions; full: Lt tokens; none: no fine-tuning</source>
        <translation>pose：带跳跃的分块；randpos：随机位置；full：Lt 个词元；none：不微调</translation>
    </message>
    <message>
        <source>Interpolation</source>
        <translation>插值方法</translation>
    </message>
    <message>
        <source>Scale factor</source>
        <translation>缩放因子</translation>
    </message>
    <message>
        <source>auto (Lt / Lc)</source>
        <translation>自动 (Lt / Lc)</translation>
    </message>
    <message>
        <source>Chunks</source>
        <translation>分块数</translation>
    </message>
    <message>
        <source>Text skip</source>
        <translation>文本跳跃</translation>
    </message>
    <message>
        <source>Training length</source>
        <translation>训练长度</translation>
    </message>
    <message>
        <source>Target window Lt</source>
        <translation>目标窗口 Lt</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Peak learning rate, e.g. 2e-5</source>
        <translation>峰值学习率，例如 2e-5</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <source>This design</source>
        <translation>本设计</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>比值</translation>
    </message>
    <message>
        <source>Positions and cost</source>
        <translation>位置与成本</translation>
    </message>
    <message>
        <source>RoPE spectrum</source>
        <translation>RoPE 频谱</translation>
    </message>
    <message>
        <source>Spec JSON</source>
        <translation>配置 JSON</translation>
    </message>
    <message>
        <source>No cost estimate: %1</source>
        <translation>无法估算成本：%1</translation>
    </message>
    <message>
        <source>Training length (tokens)</source>
        <translation>训练长度（词元）</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Tokens per step</source>
        <translation>每步词元数</translation>
    </message>
    <message>
        <source>Compute per step (FLOP)</source>
        <translation>每步计算量 (FLOP)</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>AdamW state</source>
        <translation>AdamW 状态</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活</translation>
    </message>
    <message>
        <source>Memory in all</source>
        <translation>内存合计</translation>
    </message>
    <message>
        <source>Time per step</source>
        <translation>每步时间</translation>
    </message>
    <message>
        <source>Time for %1 steps</source>
        <translation>%1 步的时间</translation>
    </message>
    <message>
        <source>Periodic evaluation</source>
        <translation>周期评估</translation>
    </message>
    <message>
        <source>%1% of training compute</source>
        <translation>训练计算量的 %1%</translation>
    </message>
    <message>
        <source>Time from the throughput of %1 (%2 FLOP/s).</source>
        <translation>时间依据 %1 的吞吐量估算（%2 FLOP/s）。</translation>
    </message>
    <message>
        <source>No time estimate: no finished run on this device in the store to take the throughput from. Compute and memory are estimates from the model&apos;s shape.</source>
        <translation>无时间估算：存储中没有此设备上已完成的运行可提供吞吐量。计算量和内存按模型形状估算。</translation>
    </message>
    <message>
        <source>Save Experiment Spec</source>
        <translation>保存实验配置</translation>
    </message>
    <message>
        <source>Experiment specs (*.json);;All files (*)</source>
        <translation>实验配置 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open Experiment Spec</source>
        <translation>打开实验配置</translation>
    </message>
    <message>
        <source>Full-length at Lt</source>
        <translation>Lt 全长训练</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>覆盖率</translation>
    </message>
    <message>
        <source>Sample layout</source>
        <translation>样本布局</translation>
    </message>
    <message>
        <source>auto: bf16 autocast on a GPU, fp32 on the CPU. bf16 on the CPU: about twice the training speed on CPUs with AVX-512 BF16 or AMX, loss within noise of fp32; emulated (slower) elsewhere</source>
        <translation>auto：GPU 上使用 bf16 自动混合精度，CPU 上使用 fp32。CPU 上选 bf16：在支持 AVX-512 BF16 或 AMX 的 CPU 上训练速度约为两倍，损失与 fp32 相差在噪声范围内；其他 CPU 上为模拟运行（更慢）</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>%1 of run %2</source>
        <translation>运行 %2 的%1</translation>
    </message>
    <message>
        <source>No problems: Start runs the design as the form shows it.</source>
        <translation>没有问题：“开始”将按表单所示运行该设计。</translation>
    </message>
    <message>
        <source>No estimate: the design has an error (see above the form).</source>
        <translation>无法估算：设计有错误（见表单上方）。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Cost estimate&lt;/b&gt; (per optimizer step; memory at the step&apos;s peak, activations of one micro-batch)</source>
        <translation>&lt;b&gt;成本估算&lt;/b&gt;（每个优化步；内存为该步的峰值，激活按一个微批计算）</translation>
    </message>
    <message>
        <source>No estimate</source>
        <translation>无估算</translation>
    </message>
    <message>
        <source>Trained parameters</source>
        <translation>训练的参数量</translation>
    </message>
    <message>
        <source>bf16 weight copies</source>
        <translation>bf16 权重副本</translation>
    </message>
    <message>
        <source>Training method</source>
        <translation>训练方式</translation>
    </message>
    <message>
        <source>every run (extend_defaults)</source>
        <translation>每个运行（extend_defaults）</translation>
    </message>
    <message>
        <source>this run only</source>
        <translation>仅此运行</translation>
    </message>
    <message>
        <source>Every run: the settings below are extend_defaults&apos;, taken by every run that has none of its own. This run only: the run keeps its own copy, which overrides extend_defaults.</source>
        <translation>每个运行：以下设置写入 extend_defaults，所有没有自己设置的运行都采用它。仅此运行：该运行保留自己的一份设置，覆盖 extend_defaults。</translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation>作用于</translation>
    </message>
    <message>
        <source>Activation checkpointing</source>
        <translation>激活检查点</translation>
    </message>
    <message>
        <source>recompute layers in backward</source>
        <translation>反向传播时重算各层</translation>
    </message>
    <message>
        <source>Keep only each decoder layer&apos;s input and recompute the layer during backward: activation memory falls to about one layer&apos;s, for about one more forward pass of compute. The gradients are exactly those without it.</source>
        <translation>只保留每个解码器层的输入，在反向传播时重新计算该层：激活内存降到大约一层的量，代价是大约多一次前向计算。梯度与不使用时完全相同。</translation>
    </message>
    <message>
        <source>Activation
checkpointing</source>
        <translation>激活检查点</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Train with LoRA</source>
        <translation>用 LoRA 训练</translation>
    </message>
    <message>
        <source>Freeze the base model and train low-rank adapters on the chosen projections, W&apos; = W + (alpha / rank)·B·A with B starting at zero, so training starts from the base model: far fewer trained parameters, gradients and AdamW state. At the end the adapter is merged into the weights and the merged model is evaluated.</source>
        <translation>冻结基础模型，只在所选投影上训练低秩适配器：W&apos; = W + (alpha / rank)·B·A，B 初始为零，因此训练从基础模型本身出发；训练的参数、梯度和 AdamW 状态都少得多。训练结束时适配器合并进权重，评估的是合并后的模型。</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>LoRA 秩</translation>
    </message>
    <message>
        <source>r: each adapted projection W [out, in] gains A [r, in] and B [out, r]; the trained parameters grow in proportion to r (8 to 64 in practice)</source>
        <translation>r：每个被适配的投影 W [out, in] 增加 A [r, in] 和 B [out, r]；训练的参数量与 r 成正比（实践中取 8 到 64）</translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <source>The update B·A is scaled by alpha / rank; alpha = 2 × rank is a common choice</source>
        <translation>更新量 B·A 乘以 alpha / rank；常取 alpha = 2 × rank</translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation>LoRA dropout</translation>
    </message>
    <message>
        <source>Dropout on the adapters&apos; input while training (0: none); the frozen weights see the input unchanged</source>
        <translation>训练时对适配器的输入做 dropout（0：不做）；冻结的权重看到的输入不变</translation>
    </message>
    <message>
        <source>the attention&apos;s query projection</source>
        <translation>注意力的查询（query）投影</translation>
    </message>
    <message>
        <source>the attention&apos;s key projection</source>
        <translation>注意力的键（key）投影</translation>
    </message>
    <message>
        <source>the attention&apos;s value projection</source>
        <translation>注意力的值（value）投影</translation>
    </message>
    <message>
        <source>the attention&apos;s output projection</source>
        <translation>注意力的输出投影</translation>
    </message>
    <message>
        <source>the MLP&apos;s gate projection</source>
        <translation>MLP 的门控（gate）投影</translation>
    </message>
    <message>
        <source>the MLP&apos;s up projection</source>
        <translation>MLP 的上投影（up）</translation>
    </message>
    <message>
        <source>the MLP&apos;s down projection</source>
        <translation>MLP 的下投影（down）</translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation>LoRA 目标</translation>
    </message>
    <message>
        <source>The projections that get adapters (q_proj … down_proj, as PEFT names them); LongLoRA adapts q, k, v and o</source>
        <translation>加适配器的投影（q_proj … down_proj，沿用 PEFT 的名称）；LongLoRA 适配 q、k、v 和 o</translation>
    </message>
    <message>
        <source>LongLoRA found trainable embeddings and norms necessary for context extension with LoRA.</source>
        <translation>LongLoRA 发现，用 LoRA 扩展上下文时，嵌入层和归一化层也必须可训练。</translation>
    </message>
    <message>
        <source>Train embeddings</source>
        <translation>训练嵌入层</translation>
    </message>
    <message>
        <source>Also train the token embeddings (and an untied LM head) in full. %1</source>
        <translation>同时完整训练词元嵌入（以及未与嵌入绑定的 LM 头）。%1</translation>
    </message>
    <message>
        <source>Train norms</source>
        <translation>训练归一化层</translation>
    </message>
    <message>
        <source>Also train every RMSNorm weight in full (a tiny share of the parameters). %1</source>
        <translation>同时完整训练所有 RMSNorm 权重（只占参数的很小一部分）。%1</translation>
    </message>
    <message>
        <source>%1 of every fine-tuned run</source>
        <translation>每个微调运行的%1</translation>
    </message>
    <message>
        <source>%1 of runs %2</source>
        <translation>运行 %2 的%1</translation>
    </message>
    <message>
        <source>%1 for every run</source>
        <translation>每个运行的%1</translation>
    </message>
</context>
<context>
    <name>pose::studio::EvalController</name>
    <message>
        <source>An evaluation is already running.</source>
        <translation>已有一个评估正在运行。</translation>
    </message>
    <message>
        <source>%1 evaluations stored</source>
        <translation>已存储 %1 项评估</translation>
    </message>
</context>
<context>
    <name>pose::studio::EvaluateWorkspace</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Attention by distance:</source>
        <translation>按距离的注意力分布：</translation>
    </message>
    <message>
        <source>Retrieval of run:</source>
        <translation>检索结果，运行：</translation>
    </message>
    <message>
        <source>Passkey</source>
        <translation>Passkey</translation>
    </message>
    <message>
        <source>Key-value</source>
        <translation>键值</translation>
    </message>
    <message>
        <source>Cannot read the store: %1</source>
        <translation>无法读取存储：%1</translation>
    </message>
    <message>
        <source>Open an experiment to see its evaluations.</source>
        <translation>打开一个实验以查看其评估结果。</translation>
    </message>
    <message>
        <source>No results of %1 in %2 yet: start it in the Train workspace, or run &lt;tt&gt;pose run&lt;/tt&gt;.</source>
        <translation>%2 中尚无 %1 的结果：请在“训练”工作区中启动它，或运行 &lt;tt&gt;pose run&lt;/tt&gt;。</translation>
    </message>
    <message>
        <source>original @ Lc</source>
        <translation>原始 @ Lc</translation>
    </message>
    <message>
        <source>%1: %2 evaluated runs, from %3 (Lc = %4, Lt = %5)</source>
        <translation>%1：%2 个已评估的运行，来自 %3（Lc = %4，Lt = %5）</translation>
    </message>
    <message>
        <source>all runs, mean of layers</source>
        <translation>所有运行，各层平均</translation>
    </message>
    <message>
        <source>all runs, layer %1</source>
        <translation>所有运行，第 %1 层</translation>
    </message>
    <message>
        <source>selected run, every layer</source>
        <translation>所选运行，逐层</translation>
    </message>
    <message>
        <source>Evaluate the chosen run:</source>
        <translation>评估所选运行：</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>passkey</source>
        <translation>passkey</translation>
    </message>
    <message>
        <source>key-value</source>
        <translation>键值</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>lengths (default: the run&apos;s)</source>
        <translation>长度（默认：该运行的设置）</translation>
    </message>
    <message>
        <source>Comma-separated context lengths, e.g. 256,1024,4096</source>
        <translation>逗号分隔的上下文长度，例如 256,1024,4096</translation>
    </message>
    <message>
        <source>RoPE overrides, e.g. dynamic:8,yarn:8</source>
        <translation>RoPE 替换，例如 dynamic:8,yarn:8</translation>
    </message>
    <message>
        <source>Evaluate with other RoPE scalings than the run was trained with: none, linear:F, ntk:F, dynamic:F, yarn:F, yarn-pose:F, llama3:F (factor relative to the original window)</source>
        <translation>使用与训练时不同的 RoPE 缩放进行评估：none、linear:F、ntk:F、dynamic:F、yarn:F、yarn-pose:F、llama3:F（因子相对于原始窗口）</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Cannot evaluate: %1</source>
        <translation>无法评估：%1</translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation>完成：%1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>no evaluated run is selected</source>
        <translation>未选择已评估的运行</translation>
    </message>
    <message>
        <source>Evaluating %1…</source>
        <translation>正在评估 %1…</translation>
    </message>
    <message>
        <source>probe</source>
        <translation>探针</translation>
    </message>
    <message>
        <source>Probe document:</source>
        <translation>探针文档：</translation>
    </message>
    <message>
        <source>a UTF-8 text file</source>
        <translation>UTF-8 文本文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>question, e.g. Question: what is the title of this text? Answer:</source>
        <translation>问题，例如 Question: what is the title of this text? Answer:</translation>
    </message>
    <message>
        <source>expected answer</source>
        <translation>期望答案</translation>
    </message>
    <message>
        <source>Probe document</source>
        <translation>探针文档</translation>
    </message>
    <message>
        <source>Text (*.txt *.md);;All files (*)</source>
        <translation>文本 (*.txt *.md);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>探针</translation>
    </message>
    <message>
        <source>at</source>
        <translation>于</translation>
    </message>
    <message>
        <source>The run&apos;s final evaluation, or one made during training at a checkpoint&apos;s step</source>
        <translation>该运行的最终评估，或训练期间在某个检查点步数所做的评估</translation>
    </message>
    <message>
        <source>final (step %1)</source>
        <translation>最终（第 %1 步）</translation>
    </message>
    <message>
        <source>final</source>
        <translation>最终</translation>
    </message>
    <message>
        <source>step %1 (during training)</source>
        <translation>第 %1 步（训练期间）</translation>
    </message>
    <message>
        <source>The stored probe results cannot be read: %1</source>
        <translation>无法读取已存储的探针结果：%1</translation>
    </message>
    <message>
        <source>RULER</source>
        <translation>RULER</translation>
    </message>
    <message>
        <source>RULER tasks:</source>
        <translation>RULER 任务：</translation>
    </message>
    <message>
        <source>all tasks, or e.g. niah_single_1,vt,cwe</source>
        <translation>全部任务，或如 niah_single_1,vt,cwe</translation>
    </message>
    <message>
        <source>RULER&apos;s tasks to run, comma-separated; empty runs every task:</source>
        <translation>要运行的 RULER 任务，以逗号分隔；留空则运行全部任务：</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>RULER average against context length</source>
        <translation>RULER 平均分随上下文长度的变化</translation>
    </message>
    <message>
        <source>average score</source>
        <translation>平均分</translation>
    </message>
    <message>
        <source>No RULER evaluation stored: tick RULER above and press Evaluate</source>
        <translation>尚无 RULER 评估结果：请勾选上方的 RULER 并点击“评估”</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>average over tasks</source>
        <translation>各任务平均</translation>
    </message>
    <message>
        <source>Every task&apos;s score per length, and their average, from which the effective length is read</source>
        <translation>各任务在每个长度上的得分及其平均值，有效长度由该平均值得出</translation>
    </message>
    <message>
        <source>%1: the stored RULER results cannot be read (%2)</source>
        <translation>%1：无法读取已存储的 RULER 结果（%2）</translation>
    </message>
    <message>
        <source>%1 (not evaluated in this run)</source>
        <translation>%1（此运行未评估该任务）</translation>
    </message>
    <message>
        <source>average</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>no task was evaluated at this length</source>
        <translation>此长度上没有评估任何任务</translation>
    </message>
    <message>
        <source>task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>original model at Lc</source>
        <translation>原始模型 @ Lc</translation>
    </message>
</context>
<context>
    <name>pose::studio::GuiAdvice</name>
    <message>
        <source>Run ▸ Start</source>
        <translation>运行 ▸ 开始</translation>
    </message>
    <message>
        <source>%1 with “%2” unticked (Train)</source>
        <translation>%1（在“训练”中取消勾选“%2”）</translation>
    </message>
    <message>
        <source>%1 with “%2” ticked (Train)</source>
        <translation>%1（在“训练”中勾选“%2”）</translation>
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
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Choose &amp;Store…</source>
        <translation>选择存储(&amp;S)…</translation>
    </message>
    <message>
        <source>The SQLite experiment store the workbench reads and runs write</source>
        <translation>工作台读取、运行写入的 SQLite 实验存储</translation>
    </message>
    <message>
        <source>Cannot start</source>
        <translation>无法开始</translation>
    </message>
    <message>
        <source>Experiment finished: %1</source>
        <translation>实验已完成：%1</translation>
    </message>
    <message>
        <source>Experiment stopped: %1</source>
        <translation>实验已停止：%1</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>Store: %1</source>
        <translation>存储：%1</translation>
    </message>
    <message>
        <source>Experiment running</source>
        <translation>实验正在运行</translation>
    </message>
    <message>
        <source>Stop the running experiment before changing the store.</source>
        <translation>请先停止正在运行的实验，再更换存储。</translation>
    </message>
    <message>
        <source>Experiment Store</source>
        <translation>实验存储</translation>
    </message>
    <message>
        <source>Experiment stores (*.sqlite);;All files (*)</source>
        <translation>实验存储 (*.sqlite);;所有文件 (*)</translation>
    </message>
    <message>
        <source>An experiment is running. Stop it (a checkpoint is written; Resume continues it) and quit?</source>
        <translation>有实验正在运行。要停止它（将写入检查点，之后可通过“恢复”继续）并退出吗？</translation>
    </message>
    <message>
        <source>Experiments</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>Cannot read the store: %1</source>
        <translation>无法读取存储：%1</translation>
    </message>
    <message>
        <source>&amp;Export Report…</source>
        <translation>导出报告(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Experiment Browser</source>
        <translation>实验浏览器(&amp;E)</translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
    <message>
        <source>Export Report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>Cannot export the report</source>
        <translation>无法导出报告</translation>
    </message>
    <message>
        <source>Design</source>
        <translation>设计</translation>
    </message>
    <message>
        <source>%1 has no config.json: drop a Hugging Face model directory or a spec (.json)</source>
        <translation>%1 中没有 config.json：请拖入 Hugging Face 模型目录或实验配置 (.json)</translation>
    </message>
    <message>
        <source>Design with base model %1: check the fields and save</source>
        <translation>以 %1 为基础模型的设计：请检查各字段并保存</translation>
    </message>
    <message>
        <source>Cannot use this directory</source>
        <translation>无法使用此目录</translation>
    </message>
    <message>
        <source>Self-contained HTML (*.html);;PDF (*.pdf);;Markdown with PNG figures (*.md);;CSV data (*.csv);;JSON data (*.json)</source>
        <translation>自包含 HTML (*.html);;PDF (*.pdf);;带 PNG 图表的 Markdown (*.md);;CSV 数据 (*.csv);;JSON 数据 (*.json)</translation>
    </message>
    <message>
        <source>CPU &amp;Threads…</source>
        <translation>CPU 线程(&amp;T)…</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程</translation>
    </message>
    <message>
        <source>Threads for training and evaluation on the CPU (0: all %1 cores).
When another experiment runs on this machine, give each half the cores.</source>
        <translation>CPU 上训练和评估使用的线程数(0:全部 %1 个核心)。
本机同时运行另一个实验时,请给每个实验一半的核心。</translation>
    </message>
    <message>
        <source>The engine uses %1 CPU threads</source>
        <translation>引擎使用 %1 个 CPU 线程</translation>
    </message>
    <message>
        <source>&amp;Appearance</source>
        <translation>外观(&amp;A)</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;Save Experiment</source>
        <translation>保存实验(&amp;S)</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <source>%1[*] — PoSE Studio</source>
        <translation>%1[*] — PoSE Studio</translation>
    </message>
    <message>
        <source>No experiment is open.</source>
        <translation>没有打开的实验。</translation>
    </message>
    <message>
        <source>Save Experiment Spec</source>
        <translation>保存实验配置</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The design %1 has changes that are not saved. Save them first?</source>
        <translation>设计 %1 有未保存的更改。先保存吗？</translation>
    </message>
    <message>
        <source>An experiment is already running; stop it first.</source>
        <translation>已有实验正在运行，请先停止它。</translation>
    </message>
    <message>
        <source>No experiment is open: open a spec with File ▸ Open Experiment.</source>
        <translation>没有打开的实验：请用“文件 ▸ 打开实验”打开一个配置。</translation>
    </message>
    <message>
        <source>The design has an error; correct it in the Design workspace first.

%1</source>
        <translation>设计有错误，请先在“设计”工作区中更正。

%1</translation>
    </message>
    <message>
        <source>a new file</source>
        <translation>一个新文件</translation>
    </message>
    <message>
        <source>The Design form has changes that are not saved. Save them to %1 and start what the form shows?</source>
        <translation>“设计”表单有未保存的更改。将其保存到 %1 并按表单所示开始运行吗？</translation>
    </message>
</context>
<context>
    <name>pose::studio::RunController</name>
    <message>
        <source>An experiment is already running; stop it first.</source>
        <translation>已有实验正在运行，请先停止它。</translation>
    </message>
    <message>
        <source>cancelled; %1 continues</source>
        <translation>已取消；%1 即可继续</translation>
    </message>
    <message>
        <source>failed runs: %1</source>
        <translation>失败的运行：%1</translation>
    </message>
    <message>
        <source>%1 done, %2 skipped in %3 s</source>
        <translation>%1 个已完成，%2 个已跳过，用时 %3 秒</translation>
    </message>
</context>
<context>
    <name>pose::studio::TrainWorkspace</name>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>Full experiment</source>
        <translation>完整实验</translation>
    </message>
    <message>
        <source>Quick (smoke test)</source>
        <translation>快速（冒烟测试）</translation>
    </message>
    <message>
        <source>Resume finished and interrupted runs</source>
        <translation>恢复已完成和已中断的运行</translation>
    </message>
    <message>
        <source>Skip runs already done with the same settings and continue an interrupted run from its last checkpoint; unchecked, every run starts again.</source>
        <translation>跳过已用相同设置完成的运行，并从最近的检查点继续已中断的运行；不勾选时，每个运行都从头开始。</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Extension runs</source>
        <translation>扩展运行</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <source>All runs</source>
        <translation>所有运行</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop after the current step; a checkpoint is written and Resume continues.</source>
        <translation>在当前步结束后停止；将写入检查点，之后可通过“恢复”继续。</translation>
    </message>
    <message>
        <source>step %v / %m</source>
        <translation>第 %v / %m 步</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Cannot start: %1</source>
        <translation>无法开始：%1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>%1 (%2) started</source>
        <translation>%1（%2）已开始</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: %2 — %3</source>
        <translation>%1：%2 — %3</translation>
    </message>
    <message>
        <source>Finished: %1</source>
        <translation>已完成：%1</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
    <message>
        <source>Cannot read the store: %1</source>
        <translation>无法读取存储：%1</translation>
    </message>
    <message>
        <source>no experiment is open</source>
        <translation>没有打开的实验</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>正在启动 %1…</translation>
    </message>
    <message>
        <source>original at Lc</source>
        <translation>原始模型 @ Lc</translation>
    </message>
    <message>
        <source>Paused before the first step.</source>
        <translation>在第一步之前已暂停。</translation>
    </message>
    <message>
        <source>Paused: %1 at step %2 of %3.</source>
        <translation>已暂停：%1，第 %2 步（共 %3 步）。</translation>
    </message>
    <message>
        <source>The trainer waits between two steps; the time paused does not count as training time (tokens/s, ETA). Resume (F6) continues.</source>
        <translation>训练器在两步之间等待；暂停的时间不计入训练时间（tokens/s、预计剩余时间）。按“继续”(F6) 继续训练。</translation>
    </message>
    <message>
        <source>paused · step %v / %m</source>
        <translation>已暂停 · 第 %v / %m 步</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Runs trained by several processes (data parallelism). Tokens/s counts every rank together; the slowest rank&apos;s tokens/s is over its forward and backward on its share of each step, averaged over the run&apos;s steps (by step: the series &quot;Tokens/s, slowest rank&quot;).</source>
        <translation>由多个进程训练的运行（数据并行）。词元/秒为所有进程合计；最慢进程的词元/秒按它在每一步所分到部分的前向和反向计算计，并在运行的各步上取平均（逐步数值见序列“词元/秒（最慢进程）”）。</translation>
    </message>
    <message>
        <source>Data parallel, %1 ranks — slowest rank, mean tokens/s: %2</source>
        <translation>数据并行，%1 个进程 — 最慢进程的平均词元/秒：%2</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <source>%1: step %2 / %3 · loss %4 · %5 · ETA %6</source>
        <translation>%1：第 %2 / %3 步 · 损失 %4 · %5 · 预计剩余 %6</translation>
    </message>
    <message>
        <source>%1 tokens/s on %2 ranks</source>
        <translation>%1 词元/秒，%2 个进程</translation>
    </message>
    <message>
        <source>%1 step %2, tokens/s by rank: %3 (slowest: rank %4)</source>
        <translation>%1 第 %2 步，各进程词元/秒：%3（最慢：进程 %4）</translation>
    </message>
</context>
<context>
    <name>pose::widgets::AttentionDistancePlot</name>
    <message>
        <source>Attention by distance</source>
        <translation>按距离的注意力分布</translation>
    </message>
    <message>
        <source>attention mass</source>
        <translation>注意力质量</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>beyond Lc: %1</source>
        <translation>Lc 之外：%1</translation>
    </message>
    <message>
        <source>Attention by distance, per layer</source>
        <translation>按距离的注意力分布，逐层</translation>
    </message>
    <message>
        <source>Attention by distance: %1, per layer</source>
        <translation>按距离的注意力分布：%1，逐层</translation>
    </message>
    <message>
        <source>beyond Lc:
%1</source>
        <translation>Lc 之外：
%1</translation>
    </message>
    <message>
        <source>Attention by distance, mean over layers</source>
        <translation>按距离的注意力分布，各层平均</translation>
    </message>
    <message>
        <source>Attention by distance, layer %1</source>
        <translation>按距离的注意力分布，第 %1 层</translation>
    </message>
    <message>
        <source>query–key distance (tokens; bins from their lower edge)</source>
        <translation>查询与键的距离（词元；分箱按下界标注）</translation>
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
        <source>P(d is trained)</source>
        <translation>P(d 被训练)</translation>
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
        <source>Lt = %1</source>
        <translation>Lt = %1</translation>
    </message>
    <message>
        <source>plateau (L-1)/(Lt-L+1) = %1</source>
        <translation>平台值 (L-1)/(Lt-L+1) = %1</translation>
    </message>
    <message>
        <source>training length L = %1</source>
        <translation>训练长度 L = %1</translation>
    </message>
</context>
<context>
    <name>pose::widgets::ExperimentBrowser</name>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>1 run</source>
        <translation>1 个运行</translation>
    </message>
    <message>
        <source>%1 runs</source>
        <translation>%1 个运行</translation>
    </message>
    <message>
        <source>no runs</source>
        <translation>无运行</translation>
    </message>
    <message>
        <source>all done</source>
        <translation>全部完成</translation>
    </message>
    <message>
        <source>%1 running</source>
        <translation>%1 个运行中</translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation>%1 个失败</translation>
    </message>
    <message>
        <source>%1 cancelled</source>
        <translation>%1 个已取消</translation>
    </message>
    <message>
        <source>%1 pending</source>
        <translation>%1 个等待中</translation>
    </message>
    <message>
        <source>started %1</source>
        <translation>开始于 %1</translation>
    </message>
    <message>
        <source>finished %1</source>
        <translation>完成于 %1</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <source>Filter runs…</source>
        <translation>筛选运行…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <source>created %1</source>
        <translation>创建于 %1</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
</context>
<context>
    <name>pose::widgets::JsonTreeView</name>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n 项</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n field(s)</source>
        <translation>
            <numerusform>%n 个字段</numerusform>
        </translation>
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
    <name>pose::widgets::LiveEvalView</name>
    <message>
        <source>Perplexity vs length, by step</source>
        <translation>困惑度与长度，按步</translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation>上下文长度（词元）</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>Perplexity at Lt</source>
        <translation>Lt 处的困惑度</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Passkey accuracy</source>
        <translation>Passkey 准确率</translation>
    </message>
    <message>
        <source>accuracy (mean over the grid)</source>
        <translation>准确率（网格平均）</translation>
    </message>
    <message>
        <source>Attention beyond Lc</source>
        <translation>Lc 之外的注意力</translation>
    </message>
    <message>
        <source>attention mass at distance ≥ Lc</source>
        <translation>距离 ≥ Lc 的注意力质量</translation>
    </message>
    <message>
        <source>Curves by step of run:</source>
        <translation>按步绘制曲线，运行：</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <source>Perplexity at Lt = %1</source>
        <translation>Lt = %1 处的困惑度</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
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
    <name>pose::widgets::MemoryFitView</name>
    <message>
        <source> GiB</source>
        <translation> GiB</translation>
    </message>
    <message>
        <source>The device&apos;s memory. A run fits when its estimate is at most %1% of it: the rest is kept for what the estimate leaves out (the CUDA context, the allocator&apos;s cache, libraries&apos; workspaces).</source>
        <translation>设备内存。估算值不超过其 %1% 时运行即可放下：其余部分留给估算未计入的内容（CUDA 上下文、分配器缓存、各库的工作区）。</translation>
    </message>
    <message>
        <source>Device memory</source>
        <translation>设备内存</translation>
    </message>
    <message>
        <source>This design</source>
        <translation>本设计</translation>
    </message>
    <message>
        <source>Full-length at Lt</source>
        <translation>Lt 全长训练</translation>
    </message>
    <message>
        <source>turn on activation checkpointing</source>
        <translation>开启激活检查点</translation>
    </message>
    <message>
        <source>lower the batch size to %1 (gradient accumulation %2)</source>
        <translation>将批大小降为 %1（梯度累积 %2）</translation>
    </message>
    <message>
        <source>train LoRA of rank %1 on the q, k, v and o projections</source>
        <translation>在 q、k、v、o 投影上训练秩为 %1 的 LoRA</translation>
    </message>
    <message>
        <source>set the precision to bf16</source>
        <translation>将精度设为 bf16</translation>
    </message>
    <message>
        <source>fits: %1 of %2 usable</source>
        <translation>放得下：需 %1，可用 %2</translation>
    </message>
    <message>
        <source>does not fit: %1 of %2 usable</source>
        <translation>放不下：需 %1，可用 %2</translation>
    </message>
    <message>
        <source>to fit: %1 (%2)</source>
        <translation>要放下：%1（%2）</translation>
    </message>
    <message>
        <source>no setting change fits: a larger device or a shorter training length</source>
        <translation>改设置也放不下：需要更大的设备或更短的训练长度</translation>
    </message>
</context>
<context>
    <name>pose::widgets::PerplexityLengthPlot</name>
    <message>
        <source>Perplexity against context length</source>
        <translation>困惑度随上下文长度的变化</translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation>上下文长度（词元）</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1
length %2
perplexity %3
%4 tokens scored</source>
        <translation>%1
长度 %2
困惑度 %3
已评分 %4 个词元</translation>
    </message>
</context>
<context>
    <name>pose::widgets::ProbeTable</name>
    <message>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Answer NLL</source>
        <translation>答案 NLL</translation>
    </message>
    <message>
        <source>Exact</source>
        <translation>完全匹配</translation>
    </message>
    <message>
        <source>Document tokens</source>
        <translation>文档词元数</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>生成内容</translation>
    </message>
    <message>
        <source>No probe evaluation of this run: tick &quot;probe&quot; above, give a document, a question and the expected answer, and evaluate.</source>
        <translation>该运行没有探针评估：请在上方勾选“探针”，提供文档、问题和期望答案，然后评估。</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>%1 (all)</source>
        <translation>%1（全部）</translation>
    </message>
    <message>
        <source>%1 prompt tokens</source>
        <translation>%1 个提示词元</translation>
    </message>
    <message>
        <source>%1 — question: %2 — expected answer: %3 — passed at %4 of %5 lengths</source>
        <translation>%1 — 问题：%2 — 期望答案：%3 — 在 %5 个长度中通过 %4 个</translation>
    </message>
</context>
<context>
    <name>pose::widgets::RetrievalHeatmap</name>
    <message>
        <source>not evaluated</source>
        <translation>未评估</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation>上下文长度（词元）</translation>
    </message>
    <message>
        <source>needle depth</source>
        <translation>针的深度</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2 tokens) · depth &lt;b&gt;%3&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;（%2 个词元）· 深度 &lt;b&gt;%3&lt;/b&gt;</translation>
    </message>
    <message>
        <source>no result</source>
        <translation>无结果</translation>
    </message>
    <message>
        <source>skipped: %1</source>
        <translation>已跳过：%1</translation>
    </message>
    <message>
        <source>accuracy &lt;b&gt;%1&lt;/b&gt; (%2/%3 correct)</source>
        <translation>准确率 &lt;b&gt;%1&lt;/b&gt;（%2/%3 正确）</translation>
    </message>
    <message>
        <source>no trials</source>
        <translation>无试验</translation>
    </message>
    <message>
        <source>prompt: %1 tokens</source>
        <translation>提示：%1 个词元</translation>
    </message>
    <message>
        <source>greedy generation: %1/%2 correct</source>
        <translation>贪心生成：%1/%2 正确</translation>
    </message>
    <message>
        <source>first sample: expected %1, predicted %2</source>
        <translation>第一个样本：期望 %1，预测 %2</translation>
    </message>
    <message>
        <source>generated: %1</source>
        <translation>生成：%1</translation>
    </message>
    <message>
        <source>partly skipped: %1</source>
        <translation>部分跳过：%1</translation>
    </message>
    <message>
        <source>no retrieval results</source>
        <translation>无检索结果</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2 tokens) · &lt;b&gt;%3&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;（%2 个词元）· &lt;b&gt;%3&lt;/b&gt;</translation>
    </message>
    <message>
        <source>score &lt;b&gt;%1&lt;/b&gt; over %2 trials</source>
        <translation>得分 &lt;b&gt;%1&lt;/b&gt;（共 %2 次试验）</translation>
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
    <message>
        <source>(b) Rotary response:
mean of cos(s·θᵢ) over the frequencies</source>
        <translation>(b) 旋转响应：
各频率上 cos(s·θᵢ) 的平均值</translation>
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
        <source>training length %1</source>
        <translation>训练长度 %1</translation>
    </message>
</context>
<context>
    <name>pose::widgets::ScoreLengthPlot</name>
    <message>
        <source>no scores</source>
        <translation>无得分</translation>
    </message>
    <message>
        <source>Score against context length</source>
        <translation>得分随上下文长度的变化</translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation>上下文长度（词元）</translation>
    </message>
    <message>
        <source>score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>threshold %1</source>
        <translation>阈值 %1</translation>
    </message>
    <message>
        <source>threshold %1 (%2)</source>
        <translation>阈值 %1（%2）</translation>
    </message>
    <message>
        <source>eff. %1</source>
        <translation>有效 %1</translation>
    </message>
    <message>
        <source>effective length %1</source>
        <translation>有效长度 %1</translation>
    </message>
    <message>
        <source>eff. none</source>
        <translation>无有效长度</translation>
    </message>
    <message>
        <source>no effective length</source>
        <translation>无有效长度</translation>
    </message>
    <message>
        <source>eff. &lt; %1</source>
        <translation>有效 &lt; %1</translation>
    </message>
    <message>
        <source>effective length &lt; %1</source>
        <translation>有效长度 &lt; %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1
length %2
score %3</source>
        <translation>%1
长度 %2
得分 %3</translation>
    </message>
</context>
<context>
    <name>pose::widgets::ThemedPlot</name>
    <message>
        <source>Reset view</source>
        <translation>重置视图</translation>
    </message>
    <message>
        <source>Back to the whole plot (or double-click it)</source>
        <translation>回到完整的图（或双击图）</translation>
    </message>
</context>
<context>
    <name>pose::widgets::TrainingCurvesView</name>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>Memory (MiB)</source>
        <translation>内存 (MiB)</translation>
    </message>
    <message>
        <source>Log y</source>
        <translation>对数 y 轴</translation>
    </message>
    <message>
        <source>Weight of the exponential moving average drawn over the loss (0 = none)</source>
        <translation>叠加在损失曲线上的指数移动平均的权重（0 = 不平滑）</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Tokens/s, slowest rank</source>
        <translation>词元/秒（最慢进程）</translation>
    </message>
    <message>
        <source>Tokens/s counts every rank of a data-parallel run together. &quot;Tokens/s, slowest rank&quot; (listed when a run has more than one rank) is the tokens/s of the rank whose share of each step took longest.</source>
        <translation>数据并行运行的“词元/秒”为所有进程合计。“词元/秒（最慢进程）”（运行有多于一个进程时列出）是每一步中完成自己那部分用时最长的进程的词元/秒。</translation>
    </message>
</context>
</TS>
