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
    <name>pose::studio::CompareWorkspace</name>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RoPE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Factor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wall s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ppl@Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ppl@Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>min ppl</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passkey@Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passkey@Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>kv@Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention beyond Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paper claims</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RULER eff. length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ranks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · slowest %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 processes trained this run (data parallelism); Tokens/s counts them all. The slowest rank managed %2 tokens/s in its forward and backward on its share of each step, on average over the steps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seeds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seeds %1: the numbers of this row are the mean (lowest–highest) over the %2 seeds that finished this run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean over %1 seeds; lowest %2, highest %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::DesignWorkspace</name>
    <message>
        <source>Open…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save and Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the spec and run it in the Train workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>small model trained here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HF directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A directory with config.json, model.safetensors and tokenizer.model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Original window Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corpus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corpus file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate every (steps)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light evaluation while training: perplexity at Lc/2…Lt, a small passkey grid, attention beyond Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extension run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position strategy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pose: chunks with skips; randpos: random positions; full: Lt tokens; none: no fine-tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interpolation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale factor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto (Lt / Lc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target window Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak learning rate, e.g. 2e-5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This design</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Positions and cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RoPE spectrum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spec JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No cost estimate: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute per step (FLOP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AdamW state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory in all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time per step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time for %1 steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Periodic evaluation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1% of training compute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time from the throughput of %1 (%2 FLOP/s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No time estimate: no finished run on this device in the store to take the throughput from. Compute and memory are estimates from the model&apos;s shape.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Experiment Spec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment specs (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Experiment Spec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full-length at Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto: bf16 autocast on a GPU, fp32 on the CPU. bf16 on the CPU: about twice the training speed on CPUs with AVX-512 BF16 or AMX, loss within noise of fp32; emulated (slower) elsewhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of run %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No problems: Start runs the design as the form shows it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No estimate: the design has an error (see above the form).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Cost estimate&lt;/b&gt; (per optimizer step; memory at the step&apos;s peak, activations of one micro-batch)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trained parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bf16 weight copies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every run (extend_defaults)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this run only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every run: the settings below are extend_defaults&apos;, taken by every run that has none of its own. This run only: the run keeps its own copy, which overrides extend_defaults.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activation checkpointing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recompute layers in backward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep only each decoder layer&apos;s input and recompute the layer during backward: activation memory falls to about one layer&apos;s, for about one more forward pass of compute. The gradients are exactly those without it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activation
checkpointing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train with LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freeze the base model and train low-rank adapters on the chosen projections, W&apos; = W + (alpha / rank)·B·A with B starting at zero, so training starts from the base model: far fewer trained parameters, gradients and AdamW state. At the end the adapter is merged into the weights and the merged model is evaluated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>r: each adapted projection W [out, in] gains A [r, in] and B [out, r]; the trained parameters grow in proportion to r (8 to 64 in practice)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The update B·A is scaled by alpha / rank; alpha = 2 × rank is a common choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropout on the adapters&apos; input while training (0: none); the frozen weights see the input unchanged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the attention&apos;s query projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the attention&apos;s key projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the attention&apos;s value projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the attention&apos;s output projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the MLP&apos;s gate projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the MLP&apos;s up projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the MLP&apos;s down projection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The projections that get adapters (q_proj … down_proj, as PEFT names them); LongLoRA adapts q, k, v and o</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LongLoRA found trainable embeddings and norms necessary for context extension with LoRA.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train embeddings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also train the token embeddings (and an untied LM head) in full. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train norms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also train every RMSNorm weight in full (a tiny share of the parameters). %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of every fine-tuned run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of runs %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 for every run</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::EvalController</name>
    <message>
        <source>An evaluation is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 evaluations stored</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::EvaluateWorkspace</name>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention by distance:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retrieval of run:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passkey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key-value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open an experiment to see its evaluations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No results of %1 in %2 yet: start it in the Train workspace, or run &lt;tt&gt;pose run&lt;/tt&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>original @ Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 evaluated runs, from %3 (Lc = %4, Lt = %5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all runs, mean of layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all runs, layer %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>selected run, every layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate the chosen run:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passkey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key-value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lengths (default: the run&apos;s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comma-separated context lengths, e.g. 256,1024,4096</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RoPE overrides, e.g. dynamic:8,yarn:8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate with other RoPE scalings than the run was trained with: none, linear:F, ntk:F, dynamic:F, yarn:F, yarn-pose:F, llama3:F (factor relative to the original window)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot evaluate: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no evaluated run is selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluating %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>probe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probe document:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a UTF-8 text file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>question, e.g. Question: what is the title of this text? Answer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probe document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text (*.txt *.md);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run&apos;s final evaluation, or one made during training at a checkpoint&apos;s step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>final (step %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>final</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 (during training)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The stored probe results cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RULER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RULER tasks:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all tasks, or e.g. niah_single_1,vt,cwe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RULER&apos;s tasks to run, comma-separated; empty runs every task:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RULER average against context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>average score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No RULER evaluation stored: tick RULER above and press Evaluate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>average over tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every task&apos;s score per length, and their average, from which the effective length is read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the stored RULER results cannot be read (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (not evaluated in this run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>average</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no task was evaluated at this length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>original model at Lc</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::GuiAdvice</name>
    <message>
        <source>Run ▸ Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 with “%2” unticked (Train)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 with “%2” ticked (Train)</source>
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
    <message>
        <source>Train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose &amp;Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SQLite experiment store the workbench reads and runs write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment finished: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment stopped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the running experiment before changing the store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiment stores (*.sqlite);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An experiment is running. Stop it (a checkpoint is written; Resume continues it) and quit?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experiments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export Report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Experiment Browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot export the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Design</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no config.json: drop a Hugging Face model directory or a spec (.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Design with base model %1: check the fields and save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot use this directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Self-contained HTML (*.html);;PDF (*.pdf);;Markdown with PNG figures (*.md);;CSV data (*.csv);;JSON data (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU &amp;Threads…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads for training and evaluation on the CPU (0: all %1 cores).
When another experiment runs on this machine, give each half the cores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine uses %1 CPU threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save Experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1[*] — PoSE Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No experiment is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Experiment Spec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The design %1 has changes that are not saved. Save them first?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An experiment is already running; stop it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No experiment is open: open a spec with File ▸ Open Experiment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The design has an error; correct it in the Design workspace first.

%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a new file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Design form has changes that are not saved. Save them to %1 and start what the form shows?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::RunController</name>
    <message>
        <source>An experiment is already running; stop it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled; %1 continues</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed runs: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 done, %2 skipped in %3 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::studio::TrainWorkspace</name>
    <message>
        <source>Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quick (smoke test)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume finished and interrupted runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip runs already done with the same settings and continue an interrupted run from its last checkpoint; unchecked, every run starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extension runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop after the current step; a checkpoint is written and Resume continues.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %v / %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2) started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 — %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no experiment is open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>original at Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused before the first step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused: %1 at step %2 of %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The trainer waits between two steps; the time paused does not count as training time (tokens/s, ETA). Resume (F6) continues.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused · step %v / %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs trained by several processes (data parallelism). Tokens/s counts every rank together; the slowest rank&apos;s tokens/s is over its forward and backward on its share of each step, averaged over the run&apos;s steps (by step: the series &quot;Tokens/s, slowest rank&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data parallel, %1 ranks — slowest rank, mean tokens/s: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: step %2 / %3 · loss %4 · %5 · ETA %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens/s on %2 ranks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 step %2, tokens/s by rank: %3 (slowest: rank %4)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::AttentionDistancePlot</name>
    <message>
        <source>Attention by distance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention mass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>beyond Lc: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention by distance, per layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention by distance: %1, per layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>beyond Lc:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention by distance, mean over layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention by distance, layer %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>query–key distance (tokens; bins from their lower edge)</source>
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
        <source>P(d is trained)</source>
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
        <source>Lt = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plateau (L-1)/(Lt-L+1) = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>training length L = %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::ExperimentBrowser</name>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter runs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>updated %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interrupted</source>
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
    <name>pose::widgets::LiveEvalView</name>
    <message>
        <source>Perplexity vs length, by step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity at Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passkey accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accuracy (mean over the grid)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention beyond Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention mass at distance ≥ Lc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Curves by step of run:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity at Lt = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
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
    <name>pose::widgets::MemoryFitView</name>
    <message>
        <source> GiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The device&apos;s memory. A run fits when its estimate is at most %1% of it: the rest is kept for what the estimate leaves out (the CUDA context, the allocator&apos;s cache, libraries&apos; workspaces).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This design</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full-length at Lt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>turn on activation checkpointing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lower the batch size to %1 (gradient accumulation %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>train LoRA of rank %1 on the q, k, v and o projections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set the precision to bf16</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fits: %1 of %2 usable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>does not fit: %1 of %2 usable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to fit: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no setting change fits: a larger device or a shorter training length</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::PerplexityLengthPlot</name>
    <message>
        <source>Perplexity against context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
length %2
perplexity %3
%4 tokens scored</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::ProbeTable</name>
    <message>
        <source>Length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer NLL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Document tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No probe evaluation of this run: tick &quot;probe&quot; above, give a document, a question and the expected answer, and evaluate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 prompt tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — question: %2 — expected answer: %3 — passed at %4 of %5 lengths</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::RetrievalHeatmap</name>
    <message>
        <source>not evaluated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needle depth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2 tokens) · depth &lt;b&gt;%3&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accuracy &lt;b&gt;%1&lt;/b&gt; (%2/%3 correct)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prompt: %1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>greedy generation: %1/%2 correct</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>first sample: expected %1, predicted %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>generated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>partly skipped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no retrieval results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2 tokens) · &lt;b&gt;%3&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>score &lt;b&gt;%1&lt;/b&gt; over %2 trials</source>
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
    <message>
        <source>(b) Rotary response:
mean of cos(s·θᵢ) over the frequencies</source>
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
        <source>training length %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::ScoreLengthPlot</name>
    <message>
        <source>no scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score against context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>context length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>threshold %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>threshold %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>eff. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>effective length %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>eff. none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no effective length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>eff. &lt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>effective length &lt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
length %2
score %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::ThemedPlot</name>
    <message>
        <source>Reset view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the whole plot (or double-click it)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pose::widgets::TrainingCurvesView</name>
    <message>
        <source>Loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory (MiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight of the exponential moving average drawn over the loss (0 = none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s, slowest rank</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s counts every rank of a data-parallel run together. &quot;Tokens/s, slowest rank&quot; (listed when a run has more than one rank) is the tokens/s of the rank whose share of each step took longest.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
